"""ECS containers run with a read-only root filesystem (scratch space on a mounted volume)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, violation
from policies.rules._shared import container_definitions


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    for container in container_definitions(args.props):
        if container.get("readonlyRootFilesystem") is True:
            continue
        violation(
            report_violation,
            subject,
            f"container '{container.get('name')}' can write to its root filesystem: a process the agent is "
            "tricked into running can replace the image's binaries and libraries for the rest of the task's life",
            "set readonlyRootFilesystem: true and mount a task volume (no host path on Fargate) at /tmp "
            "for scratch files",
        )


RULE = ResourceRule(
    id="agentha-aws-ecs-task-definition-require-readonly-root",
    description="ECS containers run with a read-only root filesystem.",
    severity="medium",
    topics=("security",),
    # Mandatory (was advisory): every generated container already runs read-only (an image that
    # writes outside /tmp fails on deploy either way), so a writable root is drift, not a choice.
    enforcement="mandatory",
    why="An agent runs tools on behalf of model output; a writable root lets injected code persist in the "
    "image's own paths, while a read-only root confines writes to the scratch volume that dies with the task.",
    fix="readonlyRootFilesystem: true, with a task volume mounted at /tmp (Fargate ephemeral storage).",
    types=("aws:ecs/taskDefinition:TaskDefinition",),
    validate=validate,
)
