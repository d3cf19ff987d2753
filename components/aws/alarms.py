"""CloudWatch alarm builders the components share (not a component).

Every SLI alarm notifies the region's alert topic (ALARM and OK), carries an explicit name (so ECS
deployment alarms, composite alarm rules and Route 53 health checks can name it) and the standard
tags. Names are `<system>[-<env>]-<part>-<sli>-<region>`, fitted to CloudWatch's 255 characters.

The load balancer's error ratio (`error_ratio_queries`) is defined here once: the 5xx-rate alarm
and the SLO burn alarms (slo_burn.py) read the same metric math, so what rolls a deployment back
and what aborts a chaos drill measure one thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch

from blueprints.plan import naming
from components.aws.tags import TagContext

NAME_LIMIT = 255

ERROR_RATIO_EXPRESSION = "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb503, 0))"
"""Percent of requests answered 5xx, counting the ones the load balancer answered itself.

ALB's `RequestCount` counts only requests for which the load balancer could choose a target and is
reported only while targets are registered (AWS, "CloudWatch metrics for your Application Load
Balancer"): when no target is left (a deploy that takes every task down, a total outage) the
requests are answered 503 by the load balancer and never reach `RequestCount`. A ratio over
`RequestCount` alone then has no data, and the alarm stays OK during exactly that outage. So the
denominator adds `HTTPCode_ELB_503_Count` (the requests rejected for want of a target); 502 and
504 are answered after a target was chosen and are already in `RequestCount`. A total outage
reads 100 %."""


@dataclass(frozen=True)
class AlarmTarget:
    """Where an alarm lives and whom it tells."""

    region: str
    tags: TagContext
    scope: str
    topic_arn: pulumi.Input[str]


def alarm_name(scope: str, part: str, sli: str, region: str) -> str:
    return naming.fit(naming.join(scope, part, sli, region), NAME_LIMIT)


def metric_alarm(
    target: AlarmTarget,
    *,
    part: str,
    sli: str,
    spec_path: str,
    description: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    threshold: float,
    comparison: str,
    statistic: str | None = "Maximum",
    extended_statistic: str | None = None,
    period: int = 60,
    evaluation_periods: int = 3,
    datapoints: int | None = None,
    missing: str = "notBreaching",
    notify: bool = True,
    extra_actions: Sequence[pulumi.Input[str]] = (),
    parent: pulumi.Resource,
) -> cloudwatch.MetricAlarm:
    """A single-metric alarm (the only kind Route 53 health checks accept)."""
    name = alarm_name(target.scope, part, sli, target.region)
    actions: list[pulumi.Input[str]] = [target.topic_arn] if notify else []
    actions += list(extra_actions)
    return cloudwatch.MetricAlarm(
        naming.resource(target.tags.system, part, f"{sli}-alarm", target.region),
        cloudwatch.MetricAlarmArgs(
            name=name,
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dict(dimensions),
            statistic=None if extended_statistic else statistic,
            extended_statistic=extended_statistic,
            period=period,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints or evaluation_periods,
            threshold=threshold,
            comparison_operator=comparison,
            treat_missing_data=missing,
            alarm_actions=actions,
            ok_actions=[target.topic_arn] if notify else [],
            region=target.region,
            tags=target.tags.tags(part, f"alarm-{sli}", region=target.region, spec_path=spec_path),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def expression_alarm(
    target: AlarmTarget,
    *,
    part: str,
    sli: str,
    spec_path: str,
    description: str,
    queries: Sequence[cloudwatch.MetricAlarmMetricQueryArgs],
    threshold: float,
    comparison: str,
    evaluation_periods: int = 3,
    datapoints: int | None = None,
    missing: str = "notBreaching",
    extra_actions: Sequence[pulumi.Input[str]] = (),
    parent: pulumi.Resource,
) -> cloudwatch.MetricAlarm:
    """An alarm on a metric math expression (the query marked return_data)."""
    name = alarm_name(target.scope, part, sli, target.region)
    actions: list[pulumi.Input[str]] = [target.topic_arn, *extra_actions]
    return cloudwatch.MetricAlarm(
        naming.resource(target.tags.system, part, f"{sli}-alarm", target.region),
        cloudwatch.MetricAlarmArgs(
            name=name,
            alarm_description=description,
            metric_queries=list(queries),
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints or evaluation_periods,
            threshold=threshold,
            comparison_operator=comparison,
            treat_missing_data=missing,
            alarm_actions=actions,
            ok_actions=[target.topic_arn],
            region=target.region,
            tags=target.tags.tags(part, f"alarm-{sli}", region=target.region, spec_path=spec_path),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def metric_query(
    query_id: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    stat: str = "Sum",
    period: int = 60,
) -> cloudwatch.MetricAlarmMetricQueryArgs:
    return cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        return_data=False,
        metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=namespace, metric_name=metric, dimensions=dict(dimensions), stat=stat, period=period
        ),
    )


def error_ratio_queries(
    namespace: str, dimensions: Mapping[str, pulumi.Input[str]], period: int = 60
) -> list[cloudwatch.MetricAlarmMetricQueryArgs]:
    """The load balancer's 5xx ratio in percent (ERROR_RATIO_EXPRESSION), the query `rate` returned."""
    return [
        metric_query("target5xx", namespace, "HTTPCode_Target_5XX_Count", dimensions, period=period),
        metric_query("elb5xx", namespace, "HTTPCode_ELB_5XX_Count", dimensions, period=period),
        metric_query("elb503", namespace, "HTTPCode_ELB_503_Count", dimensions, period=period),
        metric_query("requests", namespace, "RequestCount", dimensions, period=period),
        cloudwatch.MetricAlarmMetricQueryArgs(
            id="rate", expression=ERROR_RATIO_EXPRESSION, label="5xx rate (%)", return_data=True
        ),
    ]
