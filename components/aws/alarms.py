"""CloudWatch alarm builders the components share (not a component).

Every SLI alarm notifies the region's alert topic (ALARM and OK), carries an explicit name (so ECS
deployment alarms, composite alarm rules and Route 53 health checks can name it) and the standard
tags. Names are `<system>[-<env>]-<part>-<sli>-<region>`, fitted to CloudWatch's 255 characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch

from blueprints.plan import naming
from components.aws.tags import TagContext

NAME_LIMIT = 255


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
