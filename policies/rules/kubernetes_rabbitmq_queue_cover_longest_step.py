"""A RabbitMQ queue's consumer timeout exceeds the longest step of every agent that consumes it."""

from __future__ import annotations

from typing import Any

from blueprints.units import format_duration
from policies.context import current
from policies.model import StackRule
from policies.resources import number, violation
from policies.rules._rabbitmq import work_queues
from policies.rules._shared import consumers_slower_than, part_name

RABBITMQ_DEFAULT_CONSUMER_TIMEOUT_S = 1800.0


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    for s, name, definition in work_queues(args):
        planned = context.queue(part_name(s, "queues"))
        if planned is None:
            continue
        raw = number(definition.get("consumer-timeout"))
        timeout = raw / 1000 if raw is not None else RABBITMQ_DEFAULT_CONSUMER_TIMEOUT_S
        for consumer, agent in consumers_slower_than(context, planned, timeout):
            violation(
                report_violation,
                s,
                f"queue {name} closes a consumer's channel after {format_duration(timeout)} without an ack, no "
                f"longer than the longest step of its consumer '{consumer}' ({format_duration(agent.max_step_s)}): "
                "the message is requeued while still being processed and handled twice",
                f"set consumer-timeout above {agent.max_step_s * 1000:g} ms in the queue's policy",
            )


RULE = StackRule(
    id="agentha-kubernetes-rabbitmq-queue-cover-longest-step",
    description="RabbitMQ consumer timeout exceeds the longest step of every consuming agent.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="RabbitMQ's consumer timeout is the visibility timeout of a quorum queue: past it the channel is "
    "closed and the unacknowledged message goes to another consumer mid-flight.",
    fix="Set consumer-timeout (ms) in the queue's policy above every consumer's max_step_duration.",
    validate=validate,
)
