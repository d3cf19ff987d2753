"""No resource (nor replica) sits in a region the plan does not name."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, items, names, violation

REPLICA_REGIONS = {
    "aws:dynamodb/table:Table": ("replicas", "regionName"),
    "aws:secretsmanager/secret:Secret": ("replicas", "region"),
}


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    planned = set(context.region_names)
    if not planned:
        return
    for r in args.resources:
        if r.resource_type.startswith("pulumi:providers:") or not r.resource_type.startswith(("aws:", "kubernetes:")):
            continue
        s = Subject.of(r)
        outside: list[str] = []
        if s.region and s.region not in planned:
            outside.append(s.region)
        where = REPLICA_REGIONS.get(r.resource_type)
        if where is not None:
            for replica in items(get(r.props, where[0])):
                region = get(replica, where[1])
                if isinstance(region, str) and region not in planned:
                    outside.append(region)
        if outside:
            violation(
                report_violation,
                s,
                f"is placed in {names(sorted(set(outside)))}, a region the plan does not name "
                f"(planned: {names(context.region_names)})",
                "place it in a planned region, or add the region to topology.regions in the spec",
                spec_path=s.spec_path or "topology.regions",
            )


RULE = StackRule(
    id="agentha-stack-region-disallow-unplanned",
    description="No resource or replica sits in a region the plan does not name.",
    severity="high",
    topics=("availability", "security"),
    enforcement="mandatory",
    why="A resource in an unplanned region is outside every estimate, alarm and runbook (and may put data "
    "where it must not live); it usually means a missing explicit region and a provider default.",
    fix="Give every resource its planned region explicitly.",
    validate=validate,
)
