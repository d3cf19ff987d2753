"""Target groups health-check the agent's readiness path from the spec."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    enabled = get(args.props, "healthCheck", "enabled")
    if enabled is False:
        violation(
            report_violation,
            subject,
            "has health checks turned off: the load balancer keeps sending traffic to broken tasks",
            "set healthCheck.enabled: true with the readiness path",
        )
        return
    agent = current().agent(part_name(subject, "agents"))
    expected = agent.lb_health_check if agent else None
    protocol = str(get(args.props, "healthCheck", "protocol", default=get(args.props, "protocol", default="HTTP")))
    if expected is None or protocol.upper() not in ("HTTP", "HTTPS"):
        return
    path = get(args.props, "healthCheck", "path")
    if path is UNKNOWN or path == expected.path:
        return
    violation(
        report_violation,
        subject,
        f"checks {path or '/ (the default)'} instead of the agent's readiness probe {expected.path}: a task that "
        "is up but not ready (model not loaded, dependencies down) still gets traffic",
        f"set healthCheck.path: {expected.path}",
    )


RULE = ResourceRule(
    id="agentha-aws-lb-target-group-require-health-check",
    description="Target groups health-check the agent's readiness probe path.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="The load balancer's health check is what takes a failing task or zone out of rotation; checking the "
    "wrong path keeps sending users to replicas that cannot answer.",
    fix="Enable the health check on the spec's readiness path.",
    types=("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"),
    validate=validate,
)
