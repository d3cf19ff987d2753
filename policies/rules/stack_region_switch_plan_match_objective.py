"""A multi-region AWS stack has its ARC Region switch plan, and the plan's RTO is the objective's."""

from __future__ import annotations

import math
from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, violation

PLAN = "aws:arcregionswitch/plan:Plan"


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    plan = context.plan
    if plan is None or plan.target != "aws" or plan.pattern not in ("active-passive", "active-active"):
        return
    from blueprints.plan.region_switch import region_switch_plans

    wanted = {p.name: p for p in region_switch_plans(plan)}
    built = {get(r.props, "name"): r for r in args.resources if r.resource_type == PLAN}
    objective = next((e.objective for e in plan.estimates if e.kind == "rto" and e.disruption == "region"), None)
    for name, p in sorted(wanted.items()):
        r = built.get(name)
        if r is None:
            violation(
                report_violation,
                None,
                f"the stack has no ARC Region switch plan '{name}' for {' and '.join(p.regions)}: a region "
                "failover would leave scaling the standby and promoting its stores to a person",
                "build the stack from the blueprint's AwsTopology (components/aws/region_switch_plan.py)",
                spec_path="topology.failover",
            )
            continue
        rto = get(r.props, "recoveryTimeObjectiveMinutes")
        if objective is None:
            continue
        want = max(1, math.ceil(objective / 60))
        if not isinstance(rto, int | float) or int(rto) != want:
            violation(
                report_violation,
                Subject.of(r),
                f"has RecoveryTimeObjectiveMinutes {rto!r}, but the region RTO objective is {want} min: Region "
                "switch would report each run's recovery time against a different target than the plan checks",
                f"set recovery_time_objective_minutes={want} (objectives.disruptions.region.rto)",
                spec_path="objectives.disruptions.region.rto",
            )


RULE = StackRule(
    id="agentha-stack-region-switch-plan-match-objective",
    description="A multi-region AWS stack has its ARC Region switch plan, with the region RTO objective as its RTO.",
    severity="high",
    topics=("availability", "observability"),
    enforcement="advisory",
    advisory_reason="DNS failover, which moves users, works without the plan; what a missing or mismatched plan "
    "changes is who scales the standby and promotes the stores, which a team may still do by hand from the "
    "generated runbook (slower: the region RTO estimate then counts an operator, not the plan).",
    why="Without the plan, scaling the standby and promoting stores after a region loss is left to a person "
    "following docs; with another RTO, AWS measures each failover against a target the plan does not check.",
    fix="Deploy the Region switch plan the topology builds, with RecoveryTimeObjectiveMinutes from the objective.",
    validate=validate,
)
