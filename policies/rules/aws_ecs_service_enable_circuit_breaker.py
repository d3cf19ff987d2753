"""ECS services roll back a failing deployment on their own (deployment circuit breaker with rollback)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    controller = get(args.props, "deploymentController", "type")
    if controller in ("CODE_DEPLOY", "EXTERNAL"):
        return  # the circuit breaker applies to the ECS deployment controller only
    enable = get(args.props, "deploymentCircuitBreaker", "enable")
    rollback = get(args.props, "deploymentCircuitBreaker", "rollback")
    if UNKNOWN in (enable, rollback) or (enable is True and rollback is True):
        return
    missing = "a deployment circuit breaker" if enable is not True else "rollback on its circuit breaker"
    violation(
        report_violation,
        Subject.of(args),
        f"has no {missing}: a deployment whose tasks crash-loop keeps trying instead of returning to the last "
        "working version",
        "set deploymentCircuitBreaker: {enable: true, rollback: true}",
    )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-enable-circuit-breaker",
    description="ECS services have the deployment circuit breaker on, with rollback.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="A bad deploy (the application disruption) is the most frequent outage; automatic rollback is what "
    "the application RTO estimate counts on.",
    fix="Set deploymentCircuitBreaker {enable: true, rollback: true}.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
