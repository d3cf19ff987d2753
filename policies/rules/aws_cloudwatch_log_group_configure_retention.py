"""CloudWatch log groups keep logs for a set time (never forever, never unset)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation


def validate(args: Any, report_violation: Any) -> None:
    raw = get(args.props, "retentionInDays")
    if raw is UNKNOWN:
        return
    days = number(raw)
    if days is not None and days > 0:
        return
    violation(
        report_violation,
        Subject.of(args),
        "keeps logs forever (no retentionInDays): cost grows without bound and old data is never deleted",
        "set retentionInDays (e.g. 30, or what your incident reviews and compliance need)",
    )


RULE = ResourceRule(
    id="agentha-aws-cloudwatch-log-group-configure-retention",
    description="Log groups have a retention period.",
    severity="low",
    topics=("observability",),
    enforcement="advisory",
    advisory_reason="Keeping logs forever loses no data and costs no availability: it is a cost and privacy "
    "choice, and some audit trails must be kept indefinitely. Every generated log group sets a retention.",
    why="Logs are the evidence of an incident; an explicit retention keeps them long enough to investigate "
    "and deletes them after, instead of keeping personal data and cost forever.",
    fix="Set retentionInDays on the log group.",
    types=("aws:cloudwatch/logGroup:LogGroup",),
    validate=validate,
)
