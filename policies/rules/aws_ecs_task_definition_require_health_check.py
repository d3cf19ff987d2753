"""Agent containers with a liveness probe in the spec carry it as an ECS container health check."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, violation
from policies.rules._shared import container_definitions, part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    agent = current().agent(part_name(subject, "agents"))
    if agent is None or agent.liveness is None:
        return
    containers = container_definitions(args.props)
    main = next((c for c in containers if c.get("name") == agent.name), containers[0] if containers else None)
    if main is None or main.get("healthCheck"):
        return
    violation(
        report_violation,
        subject,
        f"container '{main.get('name')}' has no health check although the spec gives a liveness probe "
        f"({agent.liveness.path}): a hung task is never replaced",
        f"add healthCheck with a command probing {agent.liveness.path} every {agent.liveness.period_s:g}s",
    )


RULE = ResourceRule(
    id="agentha-aws-ecs-task-definition-require-health-check",
    description="Agent containers carry the spec's liveness probe as a container health check.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="ECS replaces a task only when it exits or fails its container health check; a deadlocked agent "
    "that still holds its port would otherwise serve errors indefinitely.",
    fix="Add healthCheck from the liveness probe to the agent container.",
    types=("aws:ecs/taskDefinition:TaskDefinition",),
    validate=validate,
)
