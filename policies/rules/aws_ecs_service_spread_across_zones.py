"""An ECS service runs in every planned zone of its region, with at least one task per zone."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, number, violation
from policies.rules._shared import agent_placement, fewer_subnets_than_zones, part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    context = current()
    placement = agent_placement(context, part_name(subject, "agents"), subject.region)
    zones = context.zones(subject.region)
    subnets = items(get(args.props, "networkConfiguration", "subnets"))
    if fewer_subnets_than_zones(subnets, zones):
        violation(
            report_violation,
            subject,
            f"places tasks in {len(subnets)} subnet(s) but the plan spreads this agent over {len(zones)} zone(s) "
            f"({', '.join(zones) or 'at least 2'}): one zone's loss takes a larger share of capacity, or all of it",
            "list one private subnet per planned zone in networkConfiguration.subnets",
        )
    desired = number(get(args.props, "desiredCount"))
    if placement is None or placement.desired == 0 or get(args.props, "desiredCount") is UNKNOWN:
        return
    floor = max(placement.desired, len(zones))
    if desired is None or desired < floor:
        violation(
            report_violation,
            subject,
            f"asks for {int(desired or 0)} task(s) but the plan needs {floor} here "
            f"({list(placement.per_zone)} over {len(zones)} zones) so that losing any one zone still leaves "
            f"{placement.survivors_after_zone_loss} serving",
            f"set desiredCount to {placement.desired} (and the autoscaling minimum to match)",
        )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-spread-across-zones",
    description="ECS services span every planned zone with desired tasks ≥ the plan (≥ the zone count).",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="Static stability: with tasks in every zone and enough of them, losing a zone leaves the planned "
    "minimum serving with no scale-up needed, which is what the zone RTO estimate assumes.",
    fix="Give the service one private subnet per planned zone and the plan's desired count.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
