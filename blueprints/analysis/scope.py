"""Where a captured resource lives and what it was built from, read the way the policies read it.

AWS resources carry `agentha:region`, `agentha:zone` and `agentha:spec-path` tags (components/aws/tags.py);
Kubernetes objects carry the `agentha.dev/region` and `agentha.dev/spec-path` annotations
(components/kubernetes/meta.py). Untagged AWS resources (routes, role policies) fall back to the region
the capture recorded; global services (IAM, Route 53) live in no region whatever their tags say, so
no region's loss makes them unreachable. Duck-typed on `stacks.graph.CapturedResource`, so this
layer imports no stack code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

GLOBAL_TYPE_PREFIXES = ("aws:iam/", "aws:route53/", "aws:cloudfront/", "aws:organizations/")
"""AWS services with no region: their data plane outlives any one region."""


class Resource(Protocol):
    """What this module reads of a captured resource (stacks.graph.CapturedResource)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def custom(self) -> bool: ...
    @property
    def region(self) -> str | None: ...
    @property
    def inputs(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Located:
    """A resource (its logical name and type) with its region, zone and the spec path it came from."""

    name: str
    type: str
    region: str | None
    zone: str | None
    spec_path: str


def locate(resource: Resource) -> Located:
    inputs = resource.inputs or {}
    tags = inputs.get("tags")
    meta = inputs.get("metadata")
    region: str | None = None
    zone: str | None = None
    spec_path = ""
    if isinstance(tags, Mapping) and "agentha:spec-path" in tags:
        region = _text(tags.get("agentha:region"))
        zone = _text(tags.get("agentha:zone"))
        spec_path = _text(tags.get("agentha:spec-path")) or ""
    elif isinstance(meta, Mapping) and isinstance(meta.get("annotations"), Mapping):
        notes = meta["annotations"]
        region = _text(notes.get("agentha.dev/region"))
        spec_path = _text(notes.get("agentha.dev/spec-path")) or ""
    if resource.type.startswith(GLOBAL_TYPE_PREFIXES):
        region = None  # a Route 53 health check tagged with the region it watches still outlives it
    elif region is None and resource.type.startswith("aws:"):
        region = resource.region
    if zone is None:
        zone = _text(inputs.get("availabilityZone"))
    return Located(resource.name, resource.type, region, zone, spec_path)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def located(resources: Iterable[Resource]) -> list[Located]:
    """Every custom resource (components and providers left out), in the graph's order (by URN)."""
    return [locate(r) for r in resources if getattr(r, "custom", True) and not r.type.startswith("pulumi:providers:")]


def in_region(resources: Iterable[Located], region: str) -> list[Located]:
    return [r for r in resources if r.region == region]


def in_zone(resources: Iterable[Located], zone: str) -> list[Located]:
    return [r for r in resources if r.zone == zone]


def built_from(resources: Iterable[Located], *paths: str, region: str | None = None) -> list[Located]:
    """Resources whose spec path is one of `paths` or below one (`queues` matches `queues.inbound`)."""
    return [
        r
        for r in resources
        if any(r.spec_path == p or r.spec_path.startswith(p + ".") for p in paths)
        and (region is None or r.region == region)
    ]
