"""RabbitMQ topology objects: the policy that applies to a queue, and the work queues (for the RabbitMQ rules)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from policies.resources import Subject, get, mapping, number

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


def work_queues(args: Any) -> Iterator[tuple[Subject, str, dict[str, Any]]]:
    """Every queue of the stack but the dead-letter ones: its subject, name and effective policy definition."""
    policies = [r for r in args.resources if r.resource_type == POLICY]
    for r in args.resources:
        if r.resource_type != QUEUE:
            continue
        name = str(get(r.props, "spec", "name", default=""))
        if _is_dead_letter_queue(name):
            continue
        s = Subject.of(r)
        yield s, name, effective_definition(policies, r, s.region)
