"""Application load balancers drop HTTP headers whose names are not valid (instead of passing them on)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    if get(args.props, "loadBalancerType", default="application") != "application":
        return  # network and gateway load balancers do not parse HTTP
    drop = get(args.props, "dropInvalidHeaderFields")
    if drop is True or drop is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "routes requests with invalid header names to its targets (dropInvalidHeaderFields is not true): "
        "the agents' HTTP servers see headers the load balancer would have refused, the stuff of request "
        "smuggling and header injection",
        "set dropInvalidHeaderFields: true",
    )


RULE = ResourceRule(
    id="agentha-aws-lb-load-balancer-drop-invalid-headers",
    description="Application load balancers drop invalid HTTP header fields.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Headers that do not match RFC 7230 names are a known vector for desync and request smuggling "
    "between the load balancer and the application server; ALBs pass them on by default.",
    fix="dropInvalidHeaderFields: true on every application load balancer.",
    types=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    validate=validate,
)
