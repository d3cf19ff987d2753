"""Internet-facing application load balancers write access logs (outside the `dev` environment).

An access log is the only record of each request a public endpoint served: the client address, the
path, the status, the latencies and the target. Without it an abuse, a scan or a failed request cannot
be reconstructed after the fact (the WAF logs only what it inspected, metrics only counts). Elastic Load
Balancing writes nothing unless `accessLogs.enabled` is true with a bucket.

Skipped in the environment named `dev` (where the blueprint leaves them off by default); a spec that turns
them off elsewhere (`observability.access_logs.enabled: false`) is flagged: lower this rule in
agentha-policy.yaml to accept that choice.
"""

from __future__ import annotations

from typing import Any

from blueprints.plan.models import DEV_ENVIRONMENT
from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    if get(args.props, "loadBalancerType", default="application") != "application":
        return  # network load balancers log TLS handshakes only
    if get(args.props, "internal") in (True, UNKNOWN):
        return
    if current().environment == DEV_ENVIRONMENT:
        return
    enabled = get(args.props, "accessLogs", "enabled")
    bucket = get(args.props, "accessLogs", "bucket")
    if enabled in (True, UNKNOWN) and bucket not in (None, ""):
        return
    violation(
        report_violation,
        Subject.of(args),
        "faces the internet but writes no access logs (accessLogs is not enabled with a bucket): no record "
        "is kept of who called the public endpoint, with which path and what it answered",
        "set accessLogs: {enabled: true, bucket: <an SSE-S3 bucket whose policy lets Elastic Load Balancing "
        "write>} (spec observability.access_logs)",
        spec_path="observability.access_logs",
    )


RULE = ResourceRule(
    id="agentha-aws-lb-load-balancer-enable-access-logs",
    description="Internet-facing application load balancers write access logs (outside dev).",
    severity="medium",
    topics=("security", "observability"),
    enforcement="mandatory",
    why="A public agent endpoint is the most abused part of the system; its access logs are the record an "
    "incident review or an auditor asks for first (CIS AWS, Security Hub ELB.5, checkov CKV_AWS_91).",
    fix="Turn on access logs to an S3 bucket in the load balancer's region (spec observability.access_logs).",
    types=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    validate=validate,
)
