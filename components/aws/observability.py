"""Observability: one region's composite health alarm and SLI dashboard.

The SLI alarms themselves are created next to what they watch (agent services, queues, stores) and
all notify the region's alert topic; this component rolls them up:

- a composite alarm per region, ALARM when any SLI alarm of the region is (CloudWatch allows 100
  children per composite and a rule of 10,240 characters, so larger regions get one composite per
  COMPOSITE_CHILDREN alarms and a top composite over those);
- a dashboard with the alarm status of the region and one graph per SLI alarm (graphs drawn from
  the alarms' own metric definitions, so the dashboard always shows what pages), the model providers'
  alarms among them (drawn, but not region health), and its console link, which the stack exports per
  region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import pulumi
from pulumi_aws import cloudwatch

from blueprints.plan import naming
from components.aws.alarms import NAME_LIMIT, alarm_name
from components.aws.tags import TagContext

TOKEN = "agentha:aws:Observability"
RULE_SEPARATOR = " OR "
RULE_LIMIT = 10240
"""CloudWatch's maximum composite alarm rule length (characters)."""
COMPOSITE_CHILDREN = min(
    100, (RULE_LIMIT + len(RULE_SEPARATOR)) // (len('ALARM("")') + NAME_LIMIT + len(RULE_SEPARATOR))
)
"""Children per composite: at most 100 (CloudWatch's limit), and few enough that the rule stays
within RULE_LIMIT whatever the names' length (up to NAME_LIMIT; they are Outputs here, so their
actual length is not known when the composites are laid out)."""
ALARM_WIDGET_LIMIT = 100


@dataclass(frozen=True)
class ObservabilityArgs:
    region: str
    tags: TagContext
    topic_arn: pulumi.Input[str]
    alarms: Sequence[cloudwatch.MetricAlarm]
    dashboard: bool = True
    watched: Sequence[cloudwatch.MetricAlarm] = ()
    """Alarms drawn on the dashboard that are not region health (the model providers' SLIs: the provider is
    outside the region, so they stay out of the composite that DNS failover reads)."""


def alarm_rule(names: Sequence[str]) -> str:
    return RULE_SEPARATOR.join(f'ALARM("{n}")' for n in names)


def console_url(region: str, dashboard: str) -> str:
    """The CloudWatch console page of a dashboard, opened in `region`.

    The commercial console is served per region (`<region>.console.aws.amazon.com`); China and
    GovCloud have one console host per partition.
    """
    if region.startswith("cn-"):
        host = "console.amazonaws.cn"
    elif region.startswith("us-gov-"):
        host = "console.amazonaws-us-gov.com"
    else:
        host = f"{region}.console.aws.amazon.com"
    return f"https://{host}/cloudwatch/home?region={region}#dashboards/dashboard/{quote(dashboard, safe='')}"


def dashboard_body(region: str, title: str, arns: Sequence[str]) -> str:
    import json

    widgets: list[dict[str, object]] = [
        {
            "type": "alarm",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 6,
            "properties": {"title": title, "alarms": list(arns[:ALARM_WIDGET_LIMIT])},
        }
    ]
    for i, arn in enumerate(arns):
        widgets.append(
            {
                "type": "metric",
                "x": (i % 2) * 12,
                "y": 6 + (i // 2) * 6,
                "width": 12,
                "height": 6,
                "properties": {"region": region, "annotations": {"alarms": [arn]}, "view": "timeSeries"},
            }
        )
    return json.dumps({"widgets": widgets}, sort_keys=True)


class Observability(pulumi.ComponentResource):
    """Composite health alarm and dashboard of one region."""

    composite_alarm_name: pulumi.Output[str] | None
    dashboard_name: pulumi.Output[str] | None
    dashboard_url: pulumi.Output[str] | None
    """The dashboard's CloudWatch console link (None without a dashboard)."""

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        region = args.region
        system = args.tags.system
        scope = args.tags.scope
        tags = args.tags.tags("observability", "composite-alarm", region=region, spec_path="observability.alarms")
        self.composite_alarm_name = None
        self.dashboard_name = None
        self.dashboard_url = None
        names: list[pulumi.Output[str]] = [a.name for a in args.alarms]
        if names:
            chunks = [names[i : i + COMPOSITE_CHILDREN] for i in range(0, len(names), COMPOSITE_CHILDREN)]
            parents: list[pulumi.Output[str]] = []
            if len(chunks) > 1:
                for n, chunk in enumerate(chunks):
                    part = cloudwatch.CompositeAlarm(
                        naming.resource(system, "region-health", f"part-{n + 1}", region),
                        cloudwatch.CompositeAlarmArgs(
                            alarm_name=alarm_name(scope, "region-health", f"part-{n + 1}", region),
                            alarm_description=f"{system} ({region}): SLI alarms {n * COMPOSITE_CHILDREN + 1}+",
                            alarm_rule=pulumi.Output.all(*chunk).apply(alarm_rule),
                            actions_enabled=False,  # the top composite notifies
                            region=region,
                            tags=tags,
                        ),
                        opts=pulumi.ResourceOptions(parent=self),
                    )
                    parents.append(part.alarm_name)
            else:
                parents = chunks[0]
            top = cloudwatch.CompositeAlarm(
                naming.resource(system, "region-health", "composite", region),
                cloudwatch.CompositeAlarmArgs(
                    alarm_name=alarm_name(scope, "region-health", "composite", region),
                    alarm_description=f"{system} ({region}): at least one SLI alarm of the region is firing",
                    alarm_rule=pulumi.Output.all(*parents).apply(alarm_rule),
                    actions_enabled=True,
                    alarm_actions=[args.topic_arn],
                    ok_actions=[args.topic_arn],
                    region=region,
                    tags=tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.composite_alarm_name = top.alarm_name
        if args.dashboard:
            dashboard = cloudwatch.Dashboard(
                naming.resource(system, "dashboard", None, region),
                cloudwatch.DashboardArgs(
                    dashboard_name=naming.fit(naming.join(scope, region), 255),
                    dashboard_body=pulumi.Output.all(*[a.arn for a in (*args.alarms, *args.watched)]).apply(
                        lambda arns: dashboard_body(region, f"{system} SLI alarms ({region})", arns)
                    ),
                    region=region,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.dashboard_name = dashboard.dashboard_name
            self.dashboard_url = dashboard.dashboard_name.apply(lambda n: console_url(region, n))
        self.register_outputs(
            {
                "composite_alarm_name": self.composite_alarm_name,
                "dashboard_name": self.dashboard_name,
                "dashboard_url": self.dashboard_url,
            }
        )
