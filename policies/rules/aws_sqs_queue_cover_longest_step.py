"""An SQS queue's visibility timeout exceeds the longest step of every agent that consumes it."""

from __future__ import annotations

from typing import Any

from blueprints.units import format_duration
from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation
from policies.rules._shared import consumers_slower_than, is_dead_letter_queue, part_name

SQS_DEFAULT_VISIBILITY_S = 30.0


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    context = current()
    if is_dead_letter_queue(subject, context):
        return
    planned = context.queue(part_name(subject, "queues"))
    if planned is None:
        return
    raw = get(args.props, "visibilityTimeoutSeconds")
    if raw is UNKNOWN:
        return
    visibility = number(raw)
    if visibility is None:
        visibility = SQS_DEFAULT_VISIBILITY_S
    for consumer, agent in consumers_slower_than(context, planned, visibility):
        violation(
            report_violation,
            subject,
            f"hides a received message for {format_duration(visibility)}, no longer than the longest step of its "
            f"consumer '{consumer}' ({format_duration(agent.max_step_s)}): the message reappears while still being "
            "processed and is handled twice",
            f"set visibilityTimeoutSeconds above {agent.max_step_s:g} (the spec's visibility_timeout is "
            f"{format_duration(planned.visibility_timeout_s)})",
        )


RULE = ResourceRule(
    id="agentha-aws-sqs-queue-cover-longest-step",
    description="Queue visibility timeout exceeds the longest step of every consuming agent.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="A message becomes visible again when its visibility timeout ends; if an agent step can take longer, "
    "another replica picks the same message up mid-flight and the work (an LLM call, an action) runs twice.",
    fix="Set the queue's visibility timeout above every consumer's max_step_duration.",
    types=("aws:sqs/queue:Queue",),
    validate=validate,
)
