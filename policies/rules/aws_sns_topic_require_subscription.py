"""Each region's alert topic delivers to every address in observability.notify.email."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, names, violation

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    if plan is None or not plan.observability.emails:
        return
    endpoints: dict[str | None, set[str]] = defaultdict(set)
    topics: list[Subject] = []
    for r in args.resources:
        if r.resource_type == SUBSCRIPTION and get(r.props, "protocol") == "email":
            endpoint = get(r.props, "endpoint")
            if isinstance(endpoint, str):
                endpoints[Subject.of(r).region].add(endpoint)
        elif r.resource_type == TOPIC:
            s = Subject.of(r)
            if s.tag("agentha:role") == "alert-topic":
                topics.append(s)
    for topic in topics:
        missing = [e for e in plan.observability.emails if e not in endpoints[topic.region]]
        if missing:
            violation(
                report_violation,
                topic,
                f"has no email subscription for {names(missing)}: alarms in {topic.region} reach nobody there",
                "subscribe every address of observability.notify.email to the region's alert topic",
                spec_path="observability.notify.email",
            )


RULE = StackRule(
    id="agentha-aws-sns-topic-require-subscription",
    description="Each region's alert topic has a subscription for every address the spec notifies.",
    severity="high",
    topics=("observability",),
    enforcement="mandatory",
    why="An alarm wired to a topic nobody subscribes to is as silent as no alarm; after a region failover "
    "the standby region's topic is the one that must reach the on-call.",
    fix="One email subscription per spec address on every region's alert topic.",
    validate=validate,
)
