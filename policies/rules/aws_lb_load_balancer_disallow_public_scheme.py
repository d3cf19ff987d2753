"""Only the spec's public ingress agent gets an internet-facing load balancer."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    internal = get(args.props, "internal")
    if internal is True or internal is UNKNOWN:
        return
    subject = Subject.of(args)
    agent = current().agent(part_name(subject, "agents"))
    if agent is not None and agent.public:
        return
    violation(
        report_violation,
        subject,
        "is internet-facing (internal is not true) but the spec does not make this agent's ingress public",
        "set internal: true, or set ingress.public: true in the spec if this agent must face the internet",
    )


RULE = ResourceRule(
    id="agentha-aws-lb-load-balancer-disallow-public-scheme",
    description="Load balancers are internal unless the spec's ingress is public for that agent.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Private by default: an internet-facing load balancer the spec did not ask for exposes an agent "
    "(and its model budget) to the whole internet.",
    fix="Set internal: true, or declare the ingress public in the spec.",
    types=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    validate=validate,
)
