"""DurableQueue: a spec queue as RabbitMQ topology in one region (Messaging Topology Operator).

- a quorum `Queue` (replicated on the broker's three nodes, one per zone), with single active
  consumer when the spec asks for FIFO ordering;
- an `Exchange` producers publish to (direct, bound to the queue), so a producer's permission names
  exactly the queues it may feed;
- a dead-letter exchange and a quorum dead-letter queue bound to it;
- a `Policy` on the queue: `delivery-limit` (deliveries before dead-lettering, from
  `max_receive_count`), dead-lettering at-least-once (a dead-lettered message is not lost on its way
  to the dead-letter queue; this needs `overflow: reject-publish`), retention as `message-ttl`
  (expired messages are dead-lettered, not dropped) and the visibility timeout as
  `consumer-timeout`; and a second `Policy` giving the dead-letter queue its own retention.

Queues and exchanges are retained when their objects are deleted: messages outlive a mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints.plan.models import QueuePlan
from components.kubernetes.meta import STATEFUL_ANNOTATIONS, RegionScope, custom_resource, object_name, regex_escape


@dataclass(frozen=True)
class QueueNames:
    """RabbitMQ names inside the system's vhost (short: the vhost already scopes them)."""

    queue: str
    exchange: str
    routing_key: str
    dead_letter_exchange: str
    dead_letter_queue: str


def queue_names(queue: QueuePlan) -> QueueNames:
    return QueueNames(
        queue=queue.name,
        exchange=queue.name,
        routing_key=queue.name,
        dead_letter_exchange=f"{queue.name}.dlx",
        dead_letter_queue=f"{queue.name}.dlq",
    )


def delivery_limit(queue: QueuePlan) -> int:
    """RabbitMQ dead-letters a message once it was *redelivered* more often than the limit, so
    `max_receive_count` deliveries in all (as in the spec and on SQS) is a limit one lower."""
    return max(0, queue.max_receive_count - 1)


def milliseconds(seconds: float) -> int:
    return math.ceil(seconds * 1000)


@dataclass(frozen=True)
class DurableQueueArgs:
    scope: RegionScope
    queue: QueuePlan
    broker: str
    """Name of the RabbitmqCluster in this region."""
    vhost: str


class DurableQueue(pulumi.ComponentResource):
    """A quorum queue with its exchange, dead-letter route and policies (see the module docstring)."""

    names: QueueNames

    def __init__(self, name: str, args: DurableQueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:DurableQueue", name, None, opts)
        scope, queue = args.scope, args.queue
        names = queue_names(queue)
        self.names = names
        base = object_name(scope.system, queue.name)
        labels = scope.labels(name=queue.name, instance=base, component="queue")
        spec_path = f"queues.{queue.name}"
        ref = {"name": args.broker}

        def make(role: str, kind: str, obj: str, spec: dict[str, Any], stateful: bool = False) -> None:
            custom_resource(
                scope.resource_name(queue.name, role),
                api_version="rabbitmq.com/v1beta1",
                kind=kind,
                metadata=scope.metadata(
                    obj,
                    labels=labels,
                    spec_path=spec_path,
                    annotations=STATEFUL_ANNOTATIONS if stateful else None,
                ),
                spec={**spec, "vhost": args.vhost, "rabbitmqClusterReference": ref},
                opts=scope.opts(self),
            )

        arguments: dict[str, Any] = {}
        if queue.fifo:
            # One consumer at a time receives, in order; others stand by and take over on failure.
            arguments["x-single-active-consumer"] = True
        quorum = {"type": "quorum", "durable": True, "autoDelete": False, "deletionPolicy": "retain"}
        make(
            "queue", "Queue", object_name(base, "queue"), {"name": names.queue, **quorum, "arguments": arguments}, True
        )
        make(
            "dlq",
            "Queue",
            object_name(base, "dlq"),
            {"name": names.dead_letter_queue, **quorum, "arguments": {}},
            True,
        )
        direct = {"type": "direct", "durable": True, "autoDelete": False}
        make("exchange", "Exchange", object_name(base, "exchange"), {"name": names.exchange, **direct})
        make("dlx", "Exchange", object_name(base, "dlx"), {"name": names.dead_letter_exchange, **direct})
        make(
            "binding",
            "Binding",
            object_name(base, "binding"),
            {
                "source": names.exchange,
                "destination": names.queue,
                "destinationType": "queue",
                "routingKey": names.routing_key,
            },
        )
        make(
            "dlq-binding",
            "Binding",
            object_name(base, "dlq-binding"),
            {
                "source": names.dead_letter_exchange,
                "destination": names.dead_letter_queue,
                "destinationType": "queue",
                "routingKey": names.routing_key,
            },
        )
        make(
            "policy",
            "Policy",
            object_name(base, "policy"),
            {
                "name": names.queue,
                "pattern": f"^{regex_escape(names.queue)}$",
                "applyTo": "quorum_queues",
                "priority": 10,
                "definition": {
                    "delivery-limit": delivery_limit(queue),
                    "dead-letter-exchange": names.dead_letter_exchange,
                    "dead-letter-routing-key": names.routing_key,
                    "dead-letter-strategy": "at-least-once",
                    "overflow": "reject-publish",
                    "message-ttl": milliseconds(queue.retention_s),
                    "consumer-timeout": milliseconds(queue.visibility_timeout_s),
                },
            },
        )
        make(
            "dlq-policy",
            "Policy",
            object_name(base, "dlq-policy"),
            {
                "name": names.dead_letter_queue,
                "pattern": f"^{regex_escape(names.dead_letter_queue)}$",
                "applyTo": "quorum_queues",
                "priority": 10,
                "definition": {"message-ttl": milliseconds(queue.dead_letter_retention_s)},
            },
        )
        self.register_outputs({"queue": names.queue, "deadLetterQueue": names.dead_letter_queue})
