"""A dead-letter queue keeps messages at least as long as its source queue."""

from __future__ import annotations

from typing import Any

from blueprints.units import format_duration
from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, number, violation
from policies.rules._shared import PART_TAG, is_dead_letter_queue

QUEUE = "aws:sqs/queue:Queue"
SQS_DEFAULT_RETENTION_S = 345600.0


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    sources: dict[tuple[str | None, str | None], float] = {}
    dead: list[tuple[Subject, float]] = []
    for r in args.resources:
        if r.resource_type != QUEUE:
            continue
        s = Subject.of(r)
        raw = get(r.props, "messageRetentionSeconds")
        retention = number(raw)
        if raw is not None and retention is None:
            continue  # unknown during preview
        retention = retention if retention is not None else SQS_DEFAULT_RETENTION_S
        if is_dead_letter_queue(s, context):
            dead.append((s, retention))
        else:
            sources[(s.tag(PART_TAG), s.region)] = retention
    for dlq, retention in dead:
        source = sources.get((dlq.tag(PART_TAG), dlq.region))
        if source is None or retention >= source:
            continue
        violation(
            report_violation,
            dlq,
            f"keeps dead letters for {format_duration(retention)}, less than its queue keeps messages "
            f"({format_duration(source)}): SQS keeps a message's original enqueue time when it moves, so old "
            "messages expire from the dead-letter queue before anyone can look at them",
            f"set messageRetentionSeconds to at least {source:g} (the spec's dead_letter.retention)",
        )


RULE = StackRule(
    id="agentha-aws-sqs-queue-keep-dead-letters-longer",
    description="Dead-letter queues keep messages at least as long as their source queues.",
    severity="medium",
    topics=("durability",),
    enforcement="mandatory",
    why="For standard queues the expiry of a dead-lettered message counts from its original enqueue time; a "
    "shorter dead-letter retention silently deletes the very messages it was meant to keep.",
    fix="Dead-letter retention ≥ queue retention (14 days is the SQS maximum and a good default).",
    validate=validate,
)
