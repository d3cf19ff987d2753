"""The model providers' SLI alarms on AWS: the same SLIs as the Kubernetes rules, on the metrics the gateway's
collector publishes; they notify and are drawn, but are not region health."""

from __future__ import annotations

import json
from typing import Any

import yaml

from blueprints.plan import collector, gateway
from components.kubernetes.gateway_rules import FALLBACK_RATIO, LATENCY_SHARE, QUOTA_SHARE, THROTTLE_RATIO
from stacks.graph import CapturedResource
from tests.components.aws.helpers import doc, graph, spec_path, synth_case, tags

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def provider_alarms(case: str, region: str) -> dict[str, CapturedResource]:
    """The GatewayAlarms component's alarms, by SLI (`<provider>-<sli>`)."""
    return {
        tags(r)["agentha:role"].removeprefix("alarm-"): r
        for r in graph(case).of_type(ALARM)
        if "agentha:aws:GatewayAlarms" in r.urn
        and tags(r).get("agentha:part") == gateway.GATEWAY
        and tags(r).get("agentha:region") == region
        and tags(r).get("agentha:spec-path") == gateway.SPEC_PATH
    }


def queries(alarm: CapturedResource) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in alarm.inputs.get("metricQueries", [])}


def published(case: str, region: str) -> dict[str, list[list[str]]]:
    """metric name -> its dimension sets, as the gateway's collector publishes them in `region`."""
    task = next(
        t
        for t in graph(case).of_type("aws:ecs/taskDefinition:TaskDefinition")
        if tags(t)["agentha:part"] == gateway.GATEWAY and tags(t)["agentha:region"] == region
    )
    sidecar = next(c for c in doc(task, "containerDefinitions") if c["name"] == collector.CONTAINER)
    config = yaml.safe_load(next(e["value"] for e in sidecar["environment"] if e["name"] == "AOT_CONFIG_CONTENT"))
    return {
        d["metric_name_selectors"][0].strip("^$"): d["dimensions"]
        for d in config["exporters"]["awsemf"]["metric_declarations"]
    }


def metrics_read(alarm: CapturedResource) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions) of every metric the alarm reads."""
    if alarm.inputs.get("metricName"):
        return [(alarm.inputs["namespace"], alarm.inputs["metricName"], alarm.inputs["dimensions"])]
    return [
        (q["metric"]["namespace"], q["metric"]["metricName"], q["metric"]["dimensions"])
        for q in queries(alarm).values()
        if q.get("metric")
    ]


def test_each_provider_has_the_kubernetes_slis_as_alarms_in_every_gateway_region() -> None:
    s = synth_case("support-agent")
    assert s.plan.gateway is not None
    for region in ("us-east-1", "us-west-2"):
        primary = provider_alarms("support-agent", region)
        # the names the runbooks look for (blueprints/plan/gateway.py), and nothing else
        assert set(primary) == {
            f"{p}-{sli}" for p in ("model-api", "model-api-backup") for sli in gateway.PROVIDER_SLIS
        } - {"model-api-backup-near-quota"} | {gateway.METRICS_SILENT}
        # the backup has no rate limit in the spec: no quota alarm
        assert "model-api-backup-near-quota" not in primary and "model-api-backup-error-rate" in primary
        for sli, alarm in primary.items():
            assert alarm.inputs["alarmActions"] and alarm.inputs["okActions"]  # the region's alert topic
            if sli != "metrics-silent":
                assert alarm.inputs["treatMissingData"] == "notBreaching"  # no traffic, no datapoint


def test_the_alarms_read_only_metrics_and_dimensions_the_collector_publishes() -> None:
    region = "us-east-1"
    publishes = published("support-agent", region)
    for alarm in provider_alarms("support-agent", region).values():
        for namespace, metric, dimensions in metrics_read(alarm):
            assert namespace == "AgentHA/ModelGateway"
            assert metric in publishes, metric
            assert sorted(dimensions) in [sorted(d) for d in publishes[metric]], (metric, dimensions)
            assert dimensions["system"] == "support-agent"


def test_rates_are_metric_math_over_calls_with_the_shared_thresholds() -> None:
    alarms = provider_alarms("support-agent", "us-east-1")
    error = alarms["model-api-error-rate"]
    q = queries(error)
    assert q["part"]["metric"]["metricName"] == collector.FAILURES
    assert q["calls"]["metric"]["metricName"] == collector.REQUESTS
    assert q["errors"]["expression"] == "IF(FILL(calls, 0) > 0, FILL(part, 0) / calls, 0)"
    assert q["errors"]["returnData"] is True
    assert error.inputs["threshold"] == 0.01  # the spec's error_rate_percent: 1
    throttled = queries(alarms["model-api-throttled"])
    assert throttled["part"]["metric"]["dimensions"]["exception_status"] == "429"
    assert alarms["model-api-throttled"].inputs["threshold"] == THROTTLE_RATIO
    falling = queries(alarms["model-api-falling-back"])
    assert falling["part"]["metric"]["metricName"] == collector.FALLBACKS
    assert falling["part"]["metric"]["dimensions"]["requested_model"] == "model-api"
    assert alarms["model-api-falling-back"].inputs["threshold"] == FALLBACK_RATIO
    slow = alarms["model-api-slow"]
    assert slow.inputs["statistic"] == "Average"  # EMF carries count and sum, not buckets: the mean
    assert slow.inputs["threshold"] == LATENCY_SHARE * 30  # the dependency's 30 s timeout
    # 5-minute windows like the rules' rate(...[5m]); ten minutes where the rules wait ten
    assert error.inputs["evaluationPeriods"] == 1
    assert alarms["model-api-throttled"].inputs["evaluationPeriods"] == 2
    for alarm in alarms.values():
        periods = [x["metric"]["period"] for x in queries(alarm).values() if x.get("metric")]
        assert set(periods or [alarm.inputs.get("period")]) == {300}


def test_tokens_per_minute_are_held_against_the_regions_part_of_the_quota() -> None:
    s = synth_case("support-agent")
    assert s.plan.gateway is not None
    quota = dict((n, t) for n, _, t in s.plan.gateway.rate_limits)["model-api"]
    assert quota is not None
    alarm = provider_alarms("support-agent", "us-east-1")["model-api-near-quota"]
    q = queries(alarm)
    assert q["tpm"]["expression"] == "FILL(tokens, 0) / 5"
    assert alarm.inputs["threshold"] == QUOTA_SHARE * quota / s.plan.gateway.limit_regions


def test_provider_alarms_are_drawn_but_are_not_region_health() -> None:
    g = graph("support-agent")
    for region in ("us-east-1", "us-west-2"):
        names = {a.inputs["name"] for a in provider_alarms("support-agent", region).values()}
        composites = [
            r
            for r in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
            if tags(r).get("agentha:region") == region
        ]
        assert composites
        assert not any(n in c.inputs["alarmRule"] for c in composites for n in names)
        (dashboard,) = [
            r for r in g.of_type("aws:cloudwatch/dashboard:Dashboard") if r.inputs["dashboardName"].endswith(region)
        ]
        body = json.loads(dashboard.inputs["dashboardBody"])
        drawn = {a for w in body["widgets"] for a in w["properties"].get("annotations", {}).get("alarms", [])}
        arns = {a.outputs.get("arn") or a.inputs["name"] for a in provider_alarms("support-agent", region).values()}
        assert len(drawn) >= len(arns)
        assert all(any(n in a for a in drawn) for n in names), (names, drawn)


def test_a_silent_metrics_pipeline_is_an_alarm_not_six_blind_ones() -> None:
    # every SLI alarm treats missing data as OK: a stopped collector, an EMF delivery that fails or a LiteLLM
    # without its Prometheus callback would leave them all OK. The collector's own `up` (1 per successful
    # scrape) is published, and its absence breaches where gateway tasks run
    for region in ("us-east-1", "us-west-2"):  # warm standby: the gateway runs in both
        silent = provider_alarms("support-agent", region)["metrics-silent"]
        assert (silent.inputs["namespace"], silent.inputs["metricName"]) == ("AgentHA/ModelGateway", collector.UP)
        assert silent.inputs["dimensions"] == {"system": "support-agent"}
        assert silent.inputs["statistic"] == "Maximum"  # no task scraped: one healthy task keeps it OK
        assert (silent.inputs["comparisonOperator"], silent.inputs["threshold"]) == ("LessThanThreshold", 1)
        assert (silent.inputs["period"], silent.inputs["evaluationPeriods"]) == (300, 2)
        assert silent.inputs["treatMissingData"] == "breaching"
        assert silent.inputs["alarmActions"]
        assert published("support-agent", region)[collector.UP] == [["system"]]
    # the scrape's own `up` is not a scraped series: the keep filter need not (and does not) name it
    task = next(
        t
        for t in graph("support-agent").of_type("aws:ecs/taskDefinition:TaskDefinition")
        if tags(t)["agentha:part"] == gateway.GATEWAY
    )
    sidecar = next(c for c in doc(task, "containerDefinitions") if c["name"] == collector.CONTAINER)
    config = yaml.safe_load(next(e["value"] for e in sidecar["environment"] if e["name"] == "AOT_CONFIG_CONTENT"))
    (scrape,) = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    keep = scrape["metric_relabel_configs"][0]["regex"]
    assert "up" not in keep.split("|")


def test_silence_is_not_an_outage_where_no_gateway_task_is_meant_to_run() -> None:
    from stacks.synth import synth

    # pilot light: the standby runs no task until it is activated; the primary's silence still breaches
    staging = {
        tags(r)["agentha:region"]: r.inputs["treatMissingData"]
        for r in graph("support-agent@staging").of_type(ALARM)
        if tags(r).get("agentha:role") == "alarm-metrics-silent"
    }
    assert staging == {"us-east-1": "breaching", "us-west-2": "notBreaching"}
    # a first deploy with agentha:startAgents false runs no task anywhere
    held = synth(spec_path("support-agent"), None, config={"agentha:startAgents": "false"}).graph
    silent = [r for r in held.of_type(ALARM) if tags(r).get("agentha:role") == "alarm-metrics-silent"]
    assert len(silent) == 2 and {r.inputs["treatMissingData"] for r in silent} == {"notBreaching"}
