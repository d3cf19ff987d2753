"""Each region's tasks read secrets from that region's replica, so a failover never depends on the lost region."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, violation
from policies.rules._shared import container_definitions


def _arn_region(arn: Any) -> str | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    if subject.region is None:
        return
    for container in container_definitions(args.props):
        for ref in container.get("secrets") or []:
            if not isinstance(ref, dict):
                continue
            region = _arn_region(ref.get("valueFrom"))
            if region is not None and region != subject.region:
                violation(
                    report_violation,
                    subject,
                    f"container '{container.get('name')}' reads {ref.get('name')} from {region}: if {region} is "
                    f"down, tasks in {subject.region} cannot start",
                    f"reference the secret's replica in {subject.region}",
                )


RULE = ResourceRule(
    id="agentha-aws-ecs-task-definition-read-regional-secrets",
    description="Task definitions read secrets from their own region's replica.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="A standby whose tasks fetch secrets from the primary region fails exactly when the primary region "
    "does, which is when it is needed.",
    fix="Point valueFrom at the replica ARN in the task's region.",
    types=("aws:ecs/taskDefinition:TaskDefinition",),
    validate=validate,
)
