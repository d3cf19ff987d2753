"""Every failover or latency DNS record is tied to a health check."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation


def validate(args: Any, report_violation: Any) -> None:
    failover = items(get(args.props, "failoverRoutingPolicies"))
    latency = items(get(args.props, "latencyRoutingPolicies"))
    if not failover and not latency:
        return
    check = get(args.props, "healthCheckId")
    if check or check is UNKNOWN:
        return
    kind = "failover" if failover else "latency"
    role = get(failover[0], "type") if failover else None
    violation(
        report_violation,
        Subject.of(args),
        f"is a {kind} record{f' ({role})' if role else ''} without a health check: Route 53 keeps answering with "
        "this region even when it is down, so failover never happens",
        "set healthCheckId to the region endpoint's Route 53 health check",
    )


RULE = ResourceRule(
    id="agentha-aws-route53-record-require-health-check",
    description="Failover and latency records have a Route 53 health check.",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="DNS failover is driven only by health checks; a routing record without one is treated as always "
    "healthy, which silently turns automatic failover into none.",
    fix="Attach the region's health check to every failover/latency record.",
    types=("aws:route53/record:Record",),
    validate=validate,
)
