"""Route 53 health checks probe the spec's health path at the spec's interval and threshold."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    routing = plan.routing if plan is not None else None
    if routing is None:
        return
    subject = Subject.of(args)
    kind = str(get(args.props, "type", default=""))
    if kind not in ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"):
        return
    path = get(args.props, "resourcePath")
    if path is not UNKNOWN and path != routing.health_path:
        violation(
            report_violation,
            subject,
            f"probes {path or '/'} instead of the spec's failover health path {routing.health_path}",
            f"set resourcePath: {routing.health_path}",
            spec_path="topology.failover.health_check.path",
        )
    checks = (
        ("requestInterval", routing.interval_s, "interval"),
        ("failureThreshold", float(routing.failure_threshold), "failure_threshold"),
    )
    for key, wanted, field in checks:
        raw = get(args.props, key)
        if raw is UNKNOWN:
            continue
        value = number(raw)
        if value is not None and value > wanted:
            violation(
                report_violation,
                subject,
                f"has {key} {value:g}, slower than the spec's {field} {wanted:g} the region RTO estimate assumes",
                f"set {key}: {wanted:g}",
                spec_path=f"topology.failover.health_check.{field}",
            )


RULE = ResourceRule(
    id="agentha-aws-route53-health-check-match-failover-spec",
    description="Route 53 health checks use the spec's path, interval and failure threshold.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="Detection time (interval × threshold) is the first term of the region RTO; a slower or different "
    "check makes the estimate, and the failover, wrong.",
    fix="Set resourcePath, requestInterval and failureThreshold from topology.failover.health_check.",
    types=("aws:route53/healthCheck:HealthCheck",),
    validate=validate,
)
