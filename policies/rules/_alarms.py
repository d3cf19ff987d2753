"""Reading CloudWatch alarms across a stack: find one by name, expand composites, tell its kind.

Shared by the rules that judge which alarms a deployment rolls back on and which alarm stops a
chaos drill. Alarms are found by their physical names (`name` of a metric alarm, `alarmName` of a
composite), which is what ECS deployment alarms, composite rules and FIS stop conditions name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from policies.resources import UNKNOWN, Subject, as_json, get, items, mapping
from policies.rules._shared import ROLE_TAG

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
QUEUE = "aws:sqs/queue:Queue"
_CHILD = re.compile(r'ALARM\(\s*"?([^")]+?)"?\s*\)')

SYMPTOM_METRICS = {
    "UnHealthyHostCount": "unhealthy hosts",
    "HealthyHostCount": "healthy hosts",
    "RunningTaskCount": "running tasks",
}
"""Metrics a chaos drill moves on purpose (targets fail health checks, tasks stop)."""


class AlarmIndex:
    """The stack's alarms by physical name, and its dead-letter queues by name."""

    def __init__(self, resources: Iterable[Any]) -> None:
        self.by_name: dict[str, Any] = {}
        self.dead_letter_queues: set[str] = set()
        queues: list[Any] = []
        for r in resources:
            if r.resource_type == METRIC_ALARM:
                name = get(r.props, "name")
            elif r.resource_type == COMPOSITE_ALARM:
                name = get(r.props, "alarmName")
            elif r.resource_type == QUEUE:
                queues.append(r)
                continue
            else:
                continue
            if isinstance(name, str):
                self.by_name[name] = r
        for q in queues:
            s = Subject.of(q)
            name = get(q.props, "name")
            if s.tag(ROLE_TAG) == "dlq" and isinstance(name, str):
                self.dead_letter_queues.add(name)
            target = get(as_json(get(q.props, "redrivePolicy")), "deadLetterTargetArn")
            if isinstance(target, str):
                self.dead_letter_queues.add(target.rsplit(":", 1)[-1])

    def leaves(self, name: str, seen: frozenset[str] = frozenset()) -> list[tuple[str, Any | None]]:
        """The metric alarms an alarm is built from (itself for a metric alarm), as (name, resource);
        resource None for a name this stack does not define."""
        if name in seen:
            return []
        r = self.by_name.get(name)
        if r is None or r.resource_type == METRIC_ALARM:
            return [(name, r)]
        rule = get(r.props, "alarmRule")
        if not isinstance(rule, str):
            return []
        out: list[tuple[str, Any | None]] = []
        for child in _CHILD.findall(rule):
            out += self.leaves(child.strip(), seen | {name})
        return out

    def symptom(self, alarm: Any) -> str | None:
        """What a chaos drill trips in this metric alarm, if anything: unhealthy or missing targets,
        running tasks, or a dead-letter queue's messages."""
        for metric in _metrics(alarm):
            metric_name = metric.get("metricName")
            if metric_name in SYMPTOM_METRICS:
                return SYMPTOM_METRICS[metric_name]
            if metric.get("namespace") == "AWS/SQS" and mapping(metric.get("dimensions")).get("QueueName") in (
                self.dead_letter_queues
            ):
                return "dead letters"
        if Subject.of(alarm).tag(ROLE_TAG) == "alarm-dead-letters":
            return "dead letters"
        return None


def _metrics(alarm: Any) -> list[dict[str, Any]]:
    props = alarm.props
    single = {
        "metricName": get(props, "metricName"),
        "namespace": get(props, "namespace"),
        "dimensions": get(props, "dimensions"),
    }
    out = [single] if isinstance(single["metricName"], str) else []
    for q in items(get(props, "metricQueries")):
        metric = get(q, "metric")
        if isinstance(metric, dict) or (metric is not None and metric is not UNKNOWN):
            out.append(
                {
                    "metricName": get(metric, "metricName"),
                    "namespace": get(metric, "namespace"),
                    "dimensions": get(metric, "dimensions"),
                }
            )
    return out


def alarm_name_of_arn(arn: Any) -> str | None:
    """`arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` -> name."""
    if not isinstance(arn, str) or ":alarm:" not in arn:
        return None
    return arn.split(":alarm:", 1)[1]
