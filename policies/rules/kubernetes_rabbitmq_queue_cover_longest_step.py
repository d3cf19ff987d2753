"""A RabbitMQ queue's consumer timeout exceeds the longest step of every agent that consumes it."""

from __future__ import annotations

from typing import Any

from blueprints.units import format_duration
from policies.context import PolicyContext, current
from policies.model import StackRule
from policies.resources import Subject, get, number, violation
from policies.rules.kubernetes_rabbitmq_queue_require_dead_letter import POLICY, QUEUE, effective_definition

RABBITMQ_DEFAULT_CONSUMER_TIMEOUT_S = 1800.0


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    policies = [r for r in args.resources if r.resource_type == POLICY]
    for r in args.resources:
        if r.resource_type != QUEUE:
            continue
        s = Subject.of(r)
        part = PolicyContext.part(s.spec_path)
        planned = context.queue(part[1]) if part and part[0] == "queues" else None
        name = str(get(r.props, "spec", "name", default=""))
        if planned is None or name.endswith(".dlq"):
            continue
        raw = number(effective_definition(policies, r, s.region).get("consumer-timeout"))
        timeout = raw / 1000 if raw is not None else RABBITMQ_DEFAULT_CONSUMER_TIMEOUT_S
        for consumer in planned.consumers:
            agent = context.agent(consumer)
            if agent is None or timeout > agent.max_step_s:
                continue
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
