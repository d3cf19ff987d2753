"""Every RabbitMQ work queue has a policy with a dead-letter exchange and the spec's delivery limit."""

from __future__ import annotations

import re
from typing import Any

from policies.context import PolicyContext, current
from policies.model import StackRule
from policies.resources import Subject, get, mapping, number, violation

QUEUE = "kubernetes:rabbitmq.com/v1beta1:Queue"
POLICY = "kubernetes:rabbitmq.com/v1beta1:Policy"


def _is_dead_letter_queue(name: str) -> bool:
    return name.endswith(".dlq")


def _applies(policy: Any, queue_name: str, vhost: Any) -> bool:
    pattern = get(policy.props, "spec", "pattern")
    if not isinstance(pattern, str) or get(policy.props, "spec", "vhost", default="/") != (vhost or "/"):
        return False
    if get(policy.props, "spec", "applyTo", default="all") not in ("all", "queues", "quorum_queues"):
        return False
    try:
        return re.search(pattern, queue_name) is not None
    except re.error:
        return False


def effective_definition(policies: list[Any], queue: Any, region: str | None) -> dict[str, Any]:
    """RabbitMQ applies the single highest-priority matching policy to a queue."""
    name = str(get(queue.props, "spec", "name", default=""))
    vhost = get(queue.props, "spec", "vhost")
    matching = [p for p in policies if Subject.of(p).region == region and _applies(p, name, vhost)]
    if not matching:
        return {}
    best = max(matching, key=lambda p: number(get(p.props, "spec", "priority")) or 0)
    return mapping(get(best.props, "spec", "definition"))


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    policies = [r for r in args.resources if r.resource_type == POLICY]
    for r in args.resources:
        if r.resource_type != QUEUE:
            continue
        name = str(get(r.props, "spec", "name", default=""))
        if _is_dead_letter_queue(name):
            continue
        s = Subject.of(r)
        part = PolicyContext.part(s.spec_path)
        planned = context.queue(part[1]) if part and part[0] == "queues" else None
        definition = effective_definition(policies, r, s.region)
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
