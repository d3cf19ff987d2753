"""Every failover or latency DNS record is tied to a health check."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation


def _pilot_light_secondary(failover: list[Any]) -> bool:
    """A SECONDARY record whose region runs no compute until traffic arrives (plan: standby pilot-light).

    Its target cannot pass a health check before it has served a request, and Route 53 answers with the
    primary when both records are unhealthy, so a health check here would keep failover from ever
    reaching it. Route 53 treats a record without a health check as healthy: that is the design.
    """
    plan = current().plan
    if plan is None or not failover or get(failover[0], "type") != "SECONDARY":
        return False
    return any(r.role == "standby" and r.compute == "none" for r in plan.regions)


def validate(args: Any, report_violation: Any) -> None:
    failover = items(get(args.props, "failoverRoutingPolicies"))
    latency = items(get(args.props, "latencyRoutingPolicies"))
    if not failover and not latency:
        return
    check = get(args.props, "healthCheckId")
    if check or check is UNKNOWN or _pilot_light_secondary(failover):
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
    description="Failover and latency records have a Route 53 health check (a pilot-light secondary excepted).",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="DNS failover is driven only by health checks; a routing record without one is treated as always "
    "healthy, which silently turns automatic failover into none.",
    fix="Attach the region's health check to every failover/latency record.",
    types=("aws:route53/record:Record",),
    validate=validate,
)
