"""A valid, warning-free spec as plain data, and a way to run the rules on a changed copy of it.

Rule tests change one thing in `aws()` or `kubernetes()` and look for problems of one rule id; the
spec goes through the real loader (YAML text, positions, pydantic, every rule), not a shortcut.
"""

from __future__ import annotations

import copy
import io
from typing import Any

from ruamel.yaml import YAML

from blueprints.errors import Problem, SpecError
from blueprints.spec.loader import load_text

_AWS: dict[str, Any] = {
    "apiVersion": "agentha.dev/v1",
    "kind": "HASpec",
    "metadata": {"name": "support-agent", "owner": "support-platform"},
    "objectives": {
        "availability": 99.95,
        "disruptions": {
            "zone": {"rto": "2m", "rpo": "0s"},
            "region": {"rto": "15m", "rpo": "1m"},
            "application": {"rto": "5m", "rpo": "0s"},
        },
    },
    "target": "aws",
    "topology": {
        "pattern": "active-passive",
        "standby": "warm",
        "regions": [
            {"name": "us-east-1", "role": "primary", "zones": ["us-east-1a", "us-east-1b", "us-east-1c"]},
            {"name": "us-west-2", "role": "standby", "zones": ["us-west-2a", "us-west-2b", "us-west-2c"]},
        ],
        "failover": {"mode": "automatic", "health_check": {"interval": "10s"}, "dns_ttl": "60s"},
    },
    "ingress": {"agent": "conversation", "domain": "support.acme.example", "hosted_zone": "acme.example"},
    "network": {"cidr": "10.20.0.0/16", "nat": "per-zone"},
    "agents": [
        {
            "name": "conversation",
            "image": "ghcr.io/acme/support-agent:1.8.0",
            "port": 8080,
            "cpu": 1,
            "memory": "2Gi",
            "replicas": {"min": 3, "max": 12},
            "consumes": ["inbound"],
            "produces": ["actions"],
            "uses": ["conversations"],
            "max_step_duration": "2m",
            "secrets": ["llm-api-key"],
        },
        {
            "name": "action-executor",
            "image": "ghcr.io/acme/action-executor:1.8.0",
            "port": 8081,
            "replicas": {"min": 2, "max": 6},
            "consumes": ["actions"],
            "uses": ["idempotency"],
            "idempotency": {"store": "idempotency", "ttl": "4d"},
        },
    ],
    "secrets": [{"name": "llm-api-key", "description": "model provider API key"}],
    "stores": [
        {"name": "conversations", "engine": "dynamodb", "backup": {"retention": "35d"}},
        {"name": "idempotency", "engine": "dynamodb", "ttl_attribute": "expires_at"},
    ],
    "queues": [
        {"name": "inbound", "ordering": "fifo", "visibility_timeout": "5m", "retention": "4d"},
        {"name": "actions"},
    ],
    "observability": {"notify": {"email": ["oncall@acme.example"]}},
    "rollout": {"strategy": "canary", "steps": [10, 50, 100]},
    "chaos": {"drills": ["zone-outage", "region-outage"]},
}

_KUBERNETES: dict[str, Any] = {
    "apiVersion": "agentha.dev/v1",
    "kind": "HASpec",
    "metadata": {"name": "research"},
    "target": "kubernetes",
    "topology": {
        "pattern": "multi-zone",
        "regions": [{"name": "europe-west4", "zones": ["europe-west4-a", "europe-west4-b", "europe-west4-c"]}],
    },
    "agents": [
        {
            "name": "planner",
            "image": "registry.lab.example/planner:1",
            "port": 8000,
            "replicas": {"min": 2, "max": 6},
            "produces": ["tasks"],
            "uses": ["findings"],
        },
        {
            "name": "worker",
            "image": "registry.lab.example/worker:1",
            "replicas": {"min": 3, "max": 30},
            "consumes": ["tasks"],
            "uses": ["findings", "cache"],
            "max_step_duration": "10m",
        },
    ],
    "stores": [
        {"name": "findings", "engine": "postgres", "instances": 3, "storage": "50Gi"},
        {"name": "cache", "engine": "redis", "cache": True},
    ],
    "queues": [{"name": "tasks", "visibility_timeout": "15m"}],
    "observability": {"notify": {"email": ["ml-oncall@lab.example"]}},
}


def aws() -> dict[str, Any]:
    """A valid, warning-free active-passive spec on aws (a fresh copy to change)."""
    return copy.deepcopy(_AWS)


def kubernetes() -> dict[str, Any]:
    """A valid, warning-free multi-zone spec on kubernetes (a fresh copy to change)."""
    return copy.deepcopy(_KUBERNETES)


def dump(spec: dict[str, Any]) -> str:
    yaml = YAML()
    yaml.default_flow_style = None
    buffer = io.StringIO()
    yaml.dump(spec, buffer)
    return buffer.getvalue()


def run(spec: dict[str, Any], environment: str | None = None) -> list[Problem]:
    """Every problem (errors and warnings) the loader reports for `spec`."""
    try:
        return list(load_text(dump(spec), "spec.yaml", environment).warnings)
    except SpecError as err:
        return err.problems


def of_rule(spec: dict[str, Any], rule: str) -> list[Problem]:
    """Problems of one rule; asserts nothing else is wrong, so each case tests one thing."""
    problems = run(spec)
    others = [p for p in problems if p.rule != rule]
    assert others == [], f"unexpected problems besides {rule}: {others}"
    return [p for p in problems if p.rule == rule]


def only(spec: dict[str, Any], rule: str) -> Problem:
    """The single problem of `rule` that `spec` has."""
    found = of_rule(spec, rule)
    assert len(found) == 1, found
    return found[0]


def agent(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in spec["agents"] if a["name"] == name)


def store(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in spec["stores"] if s["name"] == name)


def queue(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(q for q in spec["queues"] if q["name"] == name)
