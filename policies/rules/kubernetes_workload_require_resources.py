"""Every container declares CPU and memory requests and limits."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation
from policies.rules._kubernetes import WORKLOADS, containers


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    for container in containers(args.props):
        missing = [
            f"{kind}.{res}"
            for kind in ("requests", "limits")
            for res in ("cpu", "memory")
            if get(container, "resources", kind, res) is None
        ]
        if missing:
            violation(
                report_violation,
                subject,
                f"container '{get(container, 'name')}' sets no {', '.join(missing)}: the scheduler cannot reserve "
                "room for it and one greedy pod can starve its neighbours",
                "set resources.requests and resources.limits for cpu and memory (from the spec's cpu and memory)",
            )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-require-resources",
    description="Containers declare CPU and memory requests and limits.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="Without requests the scheduler places replicas where they do not fit and evicts them first under "
    "pressure; without limits a leak takes the node's other pods down with it.",
    fix="Set requests and limits for cpu and memory on every container.",
    types=WORKLOADS,
    validate=validate,
)
