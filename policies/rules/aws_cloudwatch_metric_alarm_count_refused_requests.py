"""A load balancer's 5xx ratio counts the requests the load balancer refused itself."""

from __future__ import annotations

import re
from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation

REFUSED = ("HTTPCode_ELB_503_Count", "HTTPCode_ELB_5XX_Count")


def validate(args: Any, report_violation: Any) -> None:
    queries = items(get(args.props, "metricQueries"))
    metrics: dict[str, str] = {}
    returned: str | None = None
    for q in queries:
        qid = get(q, "id")
        name = get(q, "metric", "metricName")
        if get(q, "metric", "namespace") == "AWS/ApplicationELB" and isinstance(qid, str) and isinstance(name, str):
            metrics[qid] = name
        expression = get(q, "expression")
        if get(q, "returnData") is True and isinstance(expression, str):
            returned = expression
        if UNKNOWN in (qid, name, expression):
            return
    requests = {i for i, m in metrics.items() if m == "RequestCount"}
    if returned is None or not requests or "/" not in returned:
        return
    denominator = returned.rsplit("/", 1)[1]
    used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", denominator))
    if not used & requests:
        return
    if used & {i for i, m in metrics.items() if m in REFUSED}:
        return
    violation(
        report_violation,
        Subject.of(args),
        f"divides by RequestCount alone ({returned}): ALB counts only requests for which it could choose a "
        "target, so when no target is left the ratio has no data and the alarm stays OK through the outage",
        "add the load balancer's own 503s to the denominator, e.g. (FILL(requests, 0) + FILL(elb503, 0)) with "
        "elb503 = HTTPCode_ELB_503_Count",
    )


RULE = ResourceRule(
    id="agentha-aws-cloudwatch-metric-alarm-count-refused-requests",
    description="ALB error-ratio alarms count the load balancer's own 503s in the denominator.",
    severity="high",
    topics=("observability", "availability"),
    enforcement="mandatory",
    why="RequestCount is reported only for requests that reached a target; a deploy or outage that leaves "
    "no target makes a ratio over it vanish, exactly when the alarm must fire and roll the deploy back.",
    fix="Denominator RequestCount + HTTPCode_ELB_503_Count (both FILL(..., 0)).",
    types=("aws:cloudwatch/metricAlarm:MetricAlarm",),
    validate=validate,
)
