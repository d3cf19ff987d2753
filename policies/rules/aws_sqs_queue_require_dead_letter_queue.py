"""Every SQS queue sends poison messages to a dead-letter queue of the same kind, after a delivery limit."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, as_json, get, number, violation
from policies.rules._shared import is_dead_letter_queue, part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    context = current()
    if is_dead_letter_queue(subject, context):
        return
    planned = context.queue(part_name(subject, "queues"))
    limit = planned.max_receive_count if planned else None
    redrive = as_json(get(args.props, "redrivePolicy"))
    if redrive is UNKNOWN:
        return
    if not isinstance(redrive, dict) or not redrive.get("deadLetterTargetArn"):
        violation(
            report_violation,
            subject,
            "has no dead-letter queue (no redrivePolicy with a deadLetterTargetArn): a message that always fails "
            "is retried until it expires and blocks or starves the consumers",
            f"set redrivePolicy to the queue's dead-letter queue with maxReceiveCount {limit or 'from the spec'}",
        )
        return
    count = number(redrive.get("maxReceiveCount"))
    if count is None or count < 1:
        violation(
            report_violation,
            subject,
            "has a dead-letter queue but no delivery limit (maxReceiveCount)",
            f"set maxReceiveCount in redrivePolicy to {limit or 'the spec max_receive_count'}",
        )
    elif limit is not None and int(count) != limit:
        violation(
            report_violation,
            subject,
            f"moves messages to its dead-letter queue after {int(count)} deliveries, but the spec says {limit}",
            f"set maxReceiveCount to {limit}, or change max_receive_count in the spec",
        )
    target = redrive.get("deadLetterTargetArn")
    if isinstance(target, str) and target is not UNKNOWN:
        fifo = get(args.props, "fifoQueue") is True or str(get(args.props, "name", default="")).endswith(".fifo")
        if fifo != target.endswith(".fifo"):
            kind, other = ("FIFO", "standard") if fifo else ("standard", "FIFO")
            violation(
                report_violation,
                subject,
                f"is a {kind} queue whose dead-letter queue is a {other} queue; SQS requires both to be of the same "
                "kind, so the redrive would be rejected",
                f"point deadLetterTargetArn at a {kind} dead-letter queue",
            )


RULE = ResourceRule(
    id="agentha-aws-sqs-queue-require-dead-letter-queue",
    description="Every SQS queue has a dead-letter queue of the same kind and the spec's delivery limit.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="Without a dead-letter queue a poison message is redelivered until it expires, burning consumer "
    "capacity and hiding the failure; with one it is parked for inspection after a bounded number of tries.",
    fix="Give the queue a redrivePolicy pointing at a dead-letter queue of the same kind (FIFO or standard) "
    "with maxReceiveCount from the spec.",
    types=("aws:sqs/queue:Queue",),
    validate=validate,
)
