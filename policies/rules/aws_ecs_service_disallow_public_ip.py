"""ECS tasks get no public IP address (they sit in private subnets behind their load balancer)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    if get(args.props, "networkConfiguration", "assignPublicIp") is True:
        violation(
            report_violation,
            Subject.of(args),
            "gives its tasks public IP addresses: every task is reachable from the internet, bypassing the "
            "load balancer and its TLS",
            "set networkConfiguration.assignPublicIp: false and run the tasks in private subnets",
        )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-disallow-public-ip",
    description="ECS tasks have no public IP address.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Only the load balancer may face users; a public task IP exposes the agent's port directly.",
    fix="assignPublicIp: false; private subnets with NAT or VPC endpoints for egress.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
