"""Resource names: `<system>-<name>-<role>[-<zone|region>]`, shortened deterministically to fit.

Names are a public contract (they appear in URNs and in AWS), so they come from this one module.
When a provider limits a name's length, the name keeps its readable start and ends in a short hash
of the full name, so two long names never collide and the same input always gives the same name.
"""

from __future__ import annotations

import hashlib
import re

# Physical-name limits that bite (characters).
LIMITS: dict[str, int] = {
    "alb": 32,  # ELBv2 load balancer name
    "target-group": 32,  # ELBv2 target group name
    "sqs": 80,  # SQS queue name, ".fifo" included
    "elasticache": 40,  # replication group id
    "aurora": 63,  # DB cluster identifier
    "iam-role": 64,
    "k8s-label": 63,  # Kubernetes label values and Service names (DNS-1123 label)
    "k8s-name": 253,  # Kubernetes object names (DNS-1123 subdomain)
    "dynamodb": 255,
    "secret": 512,
    "backup": 50,  # AWS Backup vault, plan and selection names
}

KUBERNETES_RESERVED = ("rabbitmq",)
"""Names the Kubernetes target gives its own objects (the shared RabbitMQ cluster) in every namespace."""

KUBERNETES_STORE_SERVICE_SUFFIXES = ("rw", "ro", "r", "headless", "additional", "sentinel")
"""Services the operators create beside a store's own (`<store>-rw` by CloudNativePG, `<store>-headless`
by the Redis operator, ...): an agent named like one would clash with it in the namespace."""

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def join(*parts: str | None) -> str:
    """Join non-empty parts with '-', lowercased and DNS-safe."""
    text = "-".join(p for p in parts if p)
    text = _UNSAFE.sub("-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", text)


def fit(name: str, limit: int, suffix: str = "") -> str:
    """`name` + `suffix` within `limit` characters; over the limit, cut and end in a 6-hex hash."""
    if len(name) + len(suffix) <= limit:
        return name + suffix
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    keep = limit - len(suffix) - len(digest) - 1
    if keep < 1:
        raise ValueError(f"limit {limit} leaves no room for {name!r}")
    return f"{name[:keep].rstrip('-')}-{digest}{suffix}"


def resource(system: str, name: str, role: str | None = None, place: str | None = None) -> str:
    """Logical name of a resource: `<system>-<name>-<role>[-<zone|region>]`."""
    return join(system, name, role, place)


def physical(system: str, name: str, role: str | None, kind: str, place: str | None = None, suffix: str = "") -> str:
    """Physical (provider) name fitted to the provider's limit for `kind`."""
    return fit(join(system, name, role, place), LIMITS[kind], suffix)


def zone_suffix(zone: str, region: str) -> str:
    """Short zone tag: the letter after the region code (`us-east-1a` -> `a`), else the whole zone."""
    return zone[len(region) :] if zone.startswith(region) and len(zone) > len(region) else zone


def region_code(region: str) -> str:
    """Compact region code for tight names: `us-east-1` -> `use1`, `ap-southeast-2` -> `apse2`."""
    parts = region.split("-")
    if len(parts) >= 3 and parts[-1].isdigit():
        direction = "".join(w[0] for w in re.findall(r"north|south|east|west|central|[a-z]+", parts[-2]))
        return f"{parts[0]}{direction}{parts[-1]}"
    return join(region)
