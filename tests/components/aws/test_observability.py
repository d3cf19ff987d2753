"""Observability: composite alarms and dashboards per region."""

from __future__ import annotations

import json

from components.aws.observability import alarm_rule, console_url, dashboard_body
from tests.components.aws.helpers import graph


def test_a_composite_alarm_and_a_dashboard_per_region() -> None:
    g = graph("support-agent")
    alarms = g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    for region in ("us-east-1", "us-west-2"):
        (composite,) = [
            c
            for c in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
            if c.inputs["region"] == region and "-region-health-" in c.inputs["alarmName"]
        ]
        # WAF block alarms notify but stay out of region health: blocking attackers is not an outage.
        waf = [a for a in alarms if a.inputs["region"] == region and "-waf-" in a.name]
        assert waf and all(a.inputs["alarmActions"] for a in waf)
        # The model providers' alarms neither: the provider is outside the region (they are drawn, though).
        providers = [a for a in alarms if a.inputs["region"] == region and "agentha:aws:GatewayAlarms" in a.urn]
        assert providers and all(a.inputs["alarmActions"] for a in providers)
        sli = [
            a
            for a in alarms
            if a.inputs["region"] == region and a.inputs["alarmActions"] and a not in waf and a not in providers
        ]
        for alarm in (*waf, *providers):
            assert f'"{alarm.inputs["name"]}"' not in composite.inputs["alarmRule"]
        assert composite.inputs["alarmRule"].count("ALARM(") == len(sli)
        for alarm in sli:
            assert f'ALARM("{alarm.inputs["name"]}")' in composite.inputs["alarmRule"]
        (dashboard,) = [d for d in g.of_type("aws:cloudwatch/dashboard:Dashboard") if d.inputs["region"] == region]
        body = json.loads(dashboard.inputs["dashboardBody"])
        assert len(body["widgets"]) == len(sli) + len(providers) + 1 and body["widgets"][0]["type"] == "alarm"


def test_console_url_opens_the_dashboard_in_its_region_and_partition() -> None:
    assert (
        console_url("eu-west-1", "shop-prod-eu-west-1")
        == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/shop-prod-eu-west-1"
    )
    assert console_url("cn-north-1", "d").startswith("https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#")
    assert console_url("us-gov-west-1", "d").startswith(
        "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#"
    )
    # Dashboard names are letters, digits, - and _; anything else would be escaped, not break the link.
    assert console_url("us-east-1", "a b#c").endswith("#dashboards/dashboard/a%20b%23c")


def test_alarm_rule_and_dashboard_body() -> None:
    assert alarm_rule(["a", "b"]) == 'ALARM("a") OR ALARM("b")'
    body = json.loads(dashboard_body("eu-west-1", "t", [f"arn:{i}" for i in range(150)]))
    assert len(body["widgets"][0]["properties"]["alarms"]) == 100  # CloudWatch's alarm widget limit
    assert body["widgets"][1]["properties"]["annotations"] == {"alarms": ["arn:0"]}


def test_regions_with_many_alarms_nest_composites_within_cloudwatch_rule_limits() -> None:
    """At most 100 children per composite and a rule of at most 10,240 characters: 150 alarms with
    long names (CloudWatch allows 255 characters) would make one 100-child rule of ~21,000."""
    from pulumi_aws import cloudwatch

    from components.aws.observability import Observability, ObservabilityArgs
    from components.aws.tags import TagContext
    from stacks.capture import synthesize

    def program() -> None:
        alarms = [
            cloudwatch.MetricAlarm(
                f"a{i}",
                cloudwatch.MetricAlarmArgs(
                    name=f"a{i:03d}-" + "x" * 250,
                    namespace="N",
                    metric_name="M",
                    comparison_operator="GreaterThanThreshold",
                    threshold=1,
                    evaluation_periods=1,
                    period=60,
                    statistic="Maximum",
                    region="eu-west-1",
                ),
            )
            for i in range(150)
        ]
        Observability(
            "o",
            ObservabilityArgs(
                region="eu-west-1", tags=TagContext("sys"), topic_arn="arn:t", alarms=alarms, dashboard=False
            ),
        )

    g = synthesize(program, project="p", stack="s")
    composites = {c.inputs["alarmName"]: c.inputs for c in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")}
    top = composites.pop("sys-region-health-composite-eu-west-1")
    assert len(composites) == 4  # 38 children each (the worst-case name length fits 38 in one rule)
    assert top["alarmRule"] == alarm_rule([f"sys-region-health-part-{n}-eu-west-1" for n in range(1, 5)])
    assert sum(c["alarmRule"].count("ALARM(") for c in composites.values()) == 150
    for rule in [top["alarmRule"], *(c["alarmRule"] for c in composites.values())]:
        assert len(rule) <= 10240 and rule.count("ALARM(") <= 100
    assert top["alarmActions"] == ["arn:t"]
