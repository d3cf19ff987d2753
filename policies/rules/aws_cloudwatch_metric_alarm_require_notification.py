"""SLI alarms notify someone (an alarm action, and actions enabled)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import sli_of


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    if sli_of(subject) is None:
        return  # not an SLI alarm (e.g. a deployment gate or a health-check feed): it may stay silent
    actions = items(get(args.props, "alarmActions"))
    enabled = get(args.props, "actionsEnabled")
    if enabled is False:
        violation(
            report_violation,
            subject,
            "has its actions disabled: it changes state without telling anyone",
            "set actionsEnabled: true (the default)",
        )
    elif not actions:
        violation(
            report_violation,
            subject,
            "has no alarm action: it fires silently",
            "add the region's alert topic ARN to alarmActions (and okActions)",
            spec_path="observability.notify",
        )
    elif UNKNOWN not in actions and not any(isinstance(a, str) and ":sns:" in a for a in actions):
        violation(
            report_violation,
            subject,
            "notifies no SNS topic (its actions only scale or stop things): nobody is told",
            "add the region's alert topic ARN to alarmActions",
            spec_path="observability.notify",
        )


RULE = ResourceRule(
    id="agentha-aws-cloudwatch-metric-alarm-require-notification",
    description="SLI alarms send their state changes to a notification topic.",
    severity="high",
    topics=("observability",),
    enforcement="mandatory",
    why="An alarm nobody receives detects nothing; every RTO estimate starts with someone (or something) being told.",
    fix="Point alarmActions at the alert topic.",
    types=("aws:cloudwatch/metricAlarm:MetricAlarm",),
    validate=validate,
)
