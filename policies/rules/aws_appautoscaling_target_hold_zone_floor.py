"""Autoscaling never scales an agent below the plan's zone-loss floor."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation
from policies.rules._shared import agent_placement, part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    placement = agent_placement(current(), part_name(subject, "agents"), subject.region)
    if placement is None or placement.min == 0:
        return
    low, high = get(args.props, "minCapacity"), get(args.props, "maxCapacity")
    if UNKNOWN in (low, high):
        return
    minimum, maximum = number(low) or 0, number(high) or 0
    if minimum < placement.min:
        violation(
            report_violation,
            subject,
            f"may scale the agent down to {int(minimum)} task(s), below the plan's {placement.min} "
            f"({list(placement.per_zone)} over its zones) that keep it serving through one zone's loss",
            f"set minCapacity to {placement.min}",
        )
    if maximum < max(minimum, placement.min):
        violation(
            report_violation,
            subject,
            f"caps the agent at {int(maximum)} task(s), below its minimum",
            f"set maxCapacity to at least {placement.max}",
        )


RULE = ResourceRule(
    id="agentha-aws-appautoscaling-target-hold-zone-floor",
    description="Autoscaling minimum capacity is at least the plan's per-region minimum (zone-loss floor).",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="Autoscaling that scales in below the zone-loss floor undoes static stability at quiet hours; the "
    "next zone loss then needs a scale-up before the agent serves again.",
    fix="Set minCapacity to the plan's minimum and maxCapacity at or above it.",
    types=("aws:appautoscaling/target:Target",),
    validate=validate,
)
