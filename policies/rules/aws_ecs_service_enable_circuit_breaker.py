"""ECS services roll back a failing deployment on their own (deployment circuit breaker with rollback)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    controller = get(args.props, "deploymentController", "type")
    if controller in ("CODE_DEPLOY", "EXTERNAL"):
        return  # rollback then belongs to CodeDeploy or the external controller
    strategy = get(args.props, "deploymentConfiguration", "strategy")
    if strategy is UNKNOWN:
        return
    if strategy in (None, "ROLLING"):
        enable = get(args.props, "deploymentCircuitBreaker", "enable")
        rollback = get(args.props, "deploymentCircuitBreaker", "rollback")
        if UNKNOWN in (enable, rollback) or (enable is True and rollback is True):
            return
        missing = "a deployment circuit breaker" if enable is not True else "rollback on its circuit breaker"
        violation(
            report_violation,
            Subject.of(args),
            f"rolls out without {missing}: a deployment whose tasks crash-loop keeps trying instead of returning "
            "to the last working version",
            "set deploymentCircuitBreaker: {enable: true, rollback: true}",
        )
        return
    # Traffic-shifting strategies (BLUE_GREEN, CANARY, LINEAR) roll back on deployment alarms.
    enable, rollback = get(args.props, "alarms", "enable"), get(args.props, "alarms", "rollback")
    names = get(args.props, "alarms", "alarmNames")
    if UNKNOWN in (enable, rollback, names) or (enable is True and rollback is True and names):
        return
    violation(
        report_violation,
        Subject.of(args),
        f"shifts traffic with the {strategy} strategy but rolls back on no deployment alarm: a bad version "
        "keeps its share of traffic until someone notices",
        "set alarms: {alarmNames: [<the agent's SLO alarms>], enable: true, rollback: true}",
    )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-enable-circuit-breaker",
    description="ECS deployments roll back by themselves: circuit breaker (rolling) or alarm rollback (shifting).",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="A bad deploy (the application disruption) is the most frequent outage; automatic rollback is what "
    "the application RTO estimate counts on.",
    fix="Rolling: deploymentCircuitBreaker {enable: true, rollback: true}; blue/green, canary, linear: deployment "
    "alarms with rollback.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
