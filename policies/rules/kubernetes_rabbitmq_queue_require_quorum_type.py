"""RabbitMQ queues are quorum queues (replicated over the cluster's nodes), durable and never auto-deleted."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    spec = get(args.props, "spec")
    kind, durable, auto_delete = get(spec, "type"), get(spec, "durable"), get(spec, "autoDelete")
    problems = []
    if kind != "quorum":
        problems.append(f"type is {kind or 'classic (the default)'}: its messages live on one node only")
    if durable is not True:
        problems.append("it is not durable: a broker restart drops it")
    if auto_delete is True:
        problems.append("it is deleted when its last consumer leaves")
    if problems:
        violation(
            report_violation,
            Subject.of(args),
            f"queue {get(spec, 'name')}: " + "; ".join(problems),
            "declare it with type: quorum, durable: true, autoDelete: false",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-rabbitmq-queue-require-quorum-type",
    description="RabbitMQ queues are durable quorum queues.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="Quorum queues replicate every message to a majority of nodes spread over the zones, which is what "
    "the zone RPO of 0 for queues assumes; a classic queue is lost with its node.",
    fix="type: quorum, durable: true, autoDelete: false.",
    types=("kubernetes:rabbitmq.com/v1beta1:Queue",),
    validate=validate,
)
