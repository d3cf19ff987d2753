"""Every RabbitMQ work queue has a policy with a dead-letter exchange and the spec's delivery limit."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import number, violation
from policies.rules._rabbitmq import work_queues
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    for s, name, definition in work_queues(args):
        planned = context.queue(part_name(s, "queues"))
        if not definition.get("dead-letter-exchange"):
            violation(
                report_violation,
                s,
                f"queue {name} has no policy with a dead-letter-exchange: a message that always fails is "
                "requeued forever",
                "apply a Policy to the queue with dead-letter-exchange and delivery-limit",
            )
            continue
        limit = number(definition.get("delivery-limit"))
        wanted = planned.max_receive_count - 1 if planned else None  # redeliveries after the first delivery
        if limit is None or (wanted is not None and int(limit) != wanted):
            violation(
                report_violation,
                s,
                f"queue {name} has delivery-limit {definition.get('delivery-limit', 'unset')}, but the spec's "
                f"max_receive_count {planned.max_receive_count if planned else '?'} means {wanted} redeliveries",
                f"set delivery-limit: {wanted} in the queue's policy",
            )


RULE = StackRule(
    id="agentha-kubernetes-rabbitmq-queue-require-dead-letter",
    description="RabbitMQ work queues dead-letter after the spec's delivery limit (policy on the queue).",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="Without a delivery limit and a dead-letter exchange a poison message cycles through the consumers "
    "forever (quorum queues requeue it at the head), blocking ordered work and burning model budget.",
    fix="A Policy matching the queue with dead-letter-exchange and delivery-limit = max_receive_count - 1.",
    validate=validate,
)
