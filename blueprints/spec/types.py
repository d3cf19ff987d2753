"""Annotated field types shared by the spec models: durations, sizes, DNS-safe names.

Each type parses what people write (`5m`, `2Gi`) into a plain value, serialises back to the same
human form, and publishes a JSON Schema that editors use for completion and hints.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from blueprints.units import (
    DURATION_EXAMPLES,
    DURATION_PATTERN,
    UnitError,
    format_duration,
    format_memory,
    parse_cpu,
    parse_duration,
    parse_memory_mib,
)

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
SYSTEM_NAME = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
"""A system name starts with a letter: RDS, ElastiCache and Kubernetes Service names built from it must."""


def _duration(value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _memory(value: Any) -> int:
    try:
        return parse_memory_mib(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _cpu(value: Any) -> float:
    try:
        return parse_cpu(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": f"{DURATION_PATTERN}|^P"},
                {"const": 0},
            ],
            "examples": list(DURATION_EXAMPLES),
            "description": "A duration: 200ms, 30s, 5m, 24h, 35d, 1h30m or ISO 8601 (PT5M).",
        }
    ),
]
"""A length of time written with a unit (`200ms`, `5m`, `35d`, `PT5M`); held as a timedelta."""

MemoryMiB = Annotated[
    int,
    BeforeValidator(_memory),
    PlainSerializer(format_memory, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9.]+(Ki|Mi|Gi|Ti|k|M|G|T)$", "examples": ["512Mi", "2Gi"]}),
]
"""Memory written as a Kubernetes quantity (`512Mi`, `2Gi`); held as whole MiB."""

Cpu = Annotated[
    float,
    BeforeValidator(_cpu),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "pattern": r"^[0-9]+m$"}],
            "examples": [0.5, 1, "500m"],
        }
    ),
]
"""CPU in cores (vCPU): `1`, `0.5` or `500m`."""


DnsName = Annotated[str, Field(pattern=DNS_LABEL, min_length=1, max_length=40)]
SystemName = Annotated[str, Field(pattern=SYSTEM_NAME, min_length=1, max_length=40)]
"""A DNS-safe name: lowercase letters, digits and '-', starting and ending with a letter or digit."""

Percent = Annotated[float, Field(gt=0, le=100)]
"""A percentage, 0 < p ≤ 100."""
