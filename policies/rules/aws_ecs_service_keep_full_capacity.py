"""ECS deployments never drop below the running capacity (minimum healthy percent ≥ 100)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation


def validate(args: Any, report_violation: Any) -> None:
    raw = get(args.props, "deploymentMinimumHealthyPercent")
    if raw is UNKNOWN or get(args.props, "deploymentController", "type") in ("CODE_DEPLOY", "EXTERNAL"):
        return
    value = number(raw)
    if value is None or value >= 100:
        return  # unset: ECS uses 100 % for the rolling (ECS) deployment controller
    violation(
        report_violation,
        Subject.of(args),
        f"lets a deployment stop tasks before their replacements are healthy (minimum healthy {value:g} %): "
        "a deploy during a zone loss leaves less than the planned capacity",
        "set deploymentMinimumHealthyPercent: 100 (and maximum percent 200)",
    )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-keep-full-capacity",
    description="ECS deployments keep 100 % of the desired tasks healthy while rolling.",
    severity="medium",
    topics=("availability",),
    # Mandatory (was advisory): the plan's zone-loss capacity is what its availability figures rest on,
    # and a deploy below 100 % removes it while a zone may be failing; nothing generated needs less.
    enforcement="mandatory",
    why="The zone-loss plan sizes each service to survive one zone; a deploy that first stops tasks eats "
    "into that margin exactly when a second failure hurts most.",
    fix="Set deploymentMinimumHealthyPercent to 100.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
