"""ReplicationHeartbeat: replication that stops is an ALARM, not silence."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest

from components.aws.replication_heartbeat import (
    CHECKER_CODE,
    KEY_PREFIX,
    METRIC,
    NAMESPACE,
    age_threshold_s,
    heartbeat_key,
    watched,
)
from tests.components.aws.helpers import dependencies, doc, graph, synth_case, tags

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCHEDULE = "aws:scheduler/schedule:Schedule"


def _named(g: Any, type_token: str, name: str) -> Any:
    (r,) = [r for r in g.of_type(type_token) if r.name == name]
    return r


def test_only_asynchronous_dynamodb_tables_with_a_lag_objective_are_watched() -> None:
    plan = synth_case("support-agent").plan
    lag = plan.observability.alarms.replication_lag_s
    tables = [s for s in plan.stores if s.engine == "dynamodb"]
    assert tables and all(watched(s, lag) for s in tables)
    strong = synth_case("strong").plan
    assert not [s for s in strong.stores if watched(s, strong.observability.alarms.replication_lag_s)]
    assert not watched(tables[0], None)
    assert age_threshold_s(10) == 130  # the lag, plus one write period and one check period


def test_every_region_pair_has_a_heartbeat_alarm_that_reads_missing_data_as_breaching() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    lag = plan.observability.alarms.replication_lag_s
    assert lag is not None
    for store in (s for s in plan.stores if s.engine == "dynamodb"):
        for receiving in store.regions:
            for source in (r for r in store.regions if r != receiving):
                alarm = _named(g, ALARM, f"{store.resource}-replication-heartbeat-from-{source}-alarm-{receiving}")
                i = alarm.inputs
                assert (i["namespace"], i["metricName"]) == (NAMESPACE, METRIC)
                assert i["dimensions"]["SourceRegion"] == source and i["region"] == receiving
                assert i["treatMissingData"] == "breaching"  # a custom namespace honours it (AWS/DynamoDB would not)
                assert i["threshold"] == age_threshold_s(lag) and i["comparisonOperator"] == "GreaterThanThreshold"
                assert i["alarmActions"] and i["okActions"]
                # ... and it is part of the region's health, like every SLI alarm.
                (health,) = [
                    c
                    for c in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
                    if c.inputs["region"] == receiving and "-region-health-" in c.inputs["alarmName"]
                ]
                assert f'ALARM("{i["name"]}")' in health.inputs["alarmRule"]


def test_the_writer_puts_a_changing_item_through_the_universal_target() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    store = next(s for s in plan.stores if s.engine == "dynamodb")
    for region in store.regions:
        writer = _named(g, SCHEDULE, f"{store.resource}-heartbeat-writer-{region}")
        assert writer.inputs["scheduleExpression"] == "rate(1 minute)" and writer.inputs["region"] == region
        assert writer.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
        target = writer.inputs["target"]
        assert target["arn"] == "arn:aws:scheduler:::aws-sdk:dynamodb:putItem"
        body = json.loads(target["input"])
        assert body["TableName"].startswith(f"{store.resource}-")  # the table's name output
        key = {store.partition_key, *([store.sort_key] if store.sort_key else [])}
        assert {k: v for k, v in body["Item"].items() if k in key} == {k: {"S": heartbeat_key(region)} for k in key}
        # An unchanged item writes no stream record, so nothing would replicate: stamp each write.
        assert body["Item"]["written_at"] == {"S": "<aws.scheduler.scheduled-time>"}
        role = _named(g, "aws:iam/role:Role", f"{store.resource}-heartbeat-schedule-role-{region}")
        assert role.urn in dependencies(writer, "target")
        assert doc(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}


def test_roles_are_least_privilege() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    store = next(s for s in plan.stores if s.engine == "dynamodb")
    region = store.regions[1]
    table_arn = f"arn:aws:dynamodb:{region}:123456789012:table/"
    sched = doc(
        _named(g, "aws:iam/rolePolicy:RolePolicy", f"{store.resource}-heartbeat-schedule-policy-{region}"), "policy"
    )
    by_sid = {s["Sid"]: s for s in sched["Statement"]}
    put = by_sid["WriteOwnHeartbeat"]
    assert put["Action"] == ["dynamodb:PutItem"] and put["Resource"][0].startswith(table_arn)
    assert put["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [heartbeat_key(region)]}}
    assert by_sid["RunChecker"]["Action"] == ["lambda:InvokeFunction"]
    assert by_sid["EncryptThroughDynamoDB"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}
    }
    check = doc(
        _named(g, "aws:iam/rolePolicy:RolePolicy", f"{store.resource}-heartbeat-checker-policy-{region}"), "policy"
    )
    by_sid = {s["Sid"]: s for s in check["Statement"]}
    assert by_sid["ReadHeartbeats"]["Action"] == ["dynamodb:GetItem"]
    assert by_sid["PublishHeartbeatAge"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": NAMESPACE}}
    for policy in (sched, check):
        assert not [a for s in policy["Statement"] for a in s["Action"] if "*" in a]
        star = [s for s in policy["Statement"] if "*" in s["Resource"]]
        assert all(s["Action"] == ["cloudwatch:PutMetricData"] for s in star)  # takes no resource ARN


def test_the_checker_runs_the_shipped_code_with_encrypted_logs() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    store = next(s for s in plan.stores if s.engine == "dynamodb")
    for region in store.regions:
        fn = _named(g, "aws:lambda/function:Function", f"{store.resource}-heartbeat-checker-{region}")
        assert fn.inputs["runtime"] == "python3.12" and fn.inputs["handler"] == "index.handler"
        assert fn.inputs["region"] == region and tags(fn)["agentha:region"] == region
        logs = _named(g, "aws:cloudwatch/logGroup:LogGroup", f"{store.resource}-heartbeat-logs-{region}")
        assert logs.inputs["name"] == f"/aws/lambda/{fn.inputs['name']}"
        assert logs.inputs["kmsKeyId"] and logs.inputs["retentionInDays"] == 30
        assert fn.inputs["loggingConfig"]["logGroup"] == logs.inputs["name"]
        check = _named(g, SCHEDULE, f"{store.resource}-heartbeat-check-{region}")
        event = json.loads(check.inputs["target"]["input"])
        assert event["sources"] == [r for r in store.regions if r != region]
        assert (event["prefix"], event["namespace"], event["metric"]) == (KEY_PREFIX, NAMESPACE, METRIC)
    ast.parse(CHECKER_CODE)  # the shipped source is valid Python


def test_the_checker_publishes_age_and_nothing_for_a_missing_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the checker's code against fakes: a missing item publishes no datapoint (-> breaching)."""
    import sys
    import types

    published: list[dict[str, Any]] = []

    class FakeDynamo:
        def get_item(self, TableName: str, Key: dict[str, Any], ConsistentRead: bool) -> dict[str, Any]:
            assert ConsistentRead
            source = next(iter(Key.values()))["S"].removeprefix(KEY_PREFIX)
            if source == "us-east-1":
                return {"Item": {"written_at": {"S": "2026-12-03T10:00:00Z"}}}
            return {}

    class FakeCloudWatch:
        def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:
            published.append({"Namespace": Namespace, "MetricData": MetricData})

    fake = types.ModuleType("boto3")
    fake.client = lambda name: FakeDynamo() if name == "dynamodb" else FakeCloudWatch()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "boto3", fake)
    scope: dict[str, Any] = {}
    exec(compile(CHECKER_CODE, "index.py", "exec"), scope)
    out = scope["handler"](
        {
            "table": "t",
            "keys": ["pk"],
            "prefix": KEY_PREFIX,
            "sources": ["us-east-1", "eu-west-1"],
            "namespace": NAMESPACE,
            "metric": METRIC,
        },
        None,
    )
    assert out == {"published": 1}
    (call,) = published
    (datum,) = call["MetricData"]
    assert call["Namespace"] == NAMESPACE and datum["MetricName"] == METRIC
    assert {d["Name"]: d["Value"] for d in datum["Dimensions"]} == {"TableName": "t", "SourceRegion": "us-east-1"}
    assert datum["Value"] > 0 and datum["Unit"] == "Seconds"
