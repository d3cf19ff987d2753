"""DynamoTable: keys, PITR, TTL, KMS, global-table replicas, strong consistency, lag alarms."""

from __future__ import annotations

from stacks.graph import CapturedResource
from tests.components.aws.helpers import EXAMPLES, graph, synth_case, tags


def table(case: str, store: str) -> CapturedResource:
    return next(r for r in graph(case).of_type("aws:dynamodb/table:Table") if tags(r)["agentha:part"] == store)


def test_dynamodb_table_keys_pitr_ttl_and_replicas() -> None:
    s = synth_case("support-agent")
    conversations = table("support-agent", "conversations")
    assert conversations.inputs["hashKey"] == "conversation_id" and conversations.inputs["rangeKey"] == "turn"
    assert conversations.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert conversations.inputs["pointInTimeRecovery"] == {"enabled": True, "recoveryPeriodInDays": 35}
    assert conversations.inputs["streamEnabled"] and conversations.inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
    (replica,) = conversations.inputs["replicas"]
    assert replica["regionName"] == "us-west-2" and replica["pointInTimeRecovery"] is True
    assert "consistencyMode" not in replica  # async: eventual consistency (the default)
    idempotency = table("support-agent", "idempotency")
    assert idempotency.inputs["ttl"] == {"attributeName": "expires_at", "enabled": True}
    assert s.plan.store("idempotency").backup_retention_days == 7
    assert idempotency.inputs["pointInTimeRecovery"]["recoveryPeriodInDays"] == 7


def test_sync_replication_is_multi_region_strong_consistency_over_three_regions() -> None:
    t = table("strong", "routing-state")
    replicas = t.inputs["replicas"]
    assert len(replicas) == 2 and all(r["consistencyMode"] == "STRONG" for r in replicas)
    alarms = [r.inputs["name"] for r in graph("strong").of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    assert not [n for n in alarms if "replication-latency" in n]  # synchronous: no lag to watch


def test_sync_replication_over_two_regions_adds_a_witness_in_a_third_region_of_their_set() -> None:
    s = synth_case("strong-witness")
    store = s.plan.store("routing-state")
    assert set(store.regions) | {store.witness_region} <= {"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"}
    assert store.witness_region not in store.regions
    t = table("strong-witness", "routing-state")
    (replica,) = t.inputs["replicas"]  # the provider takes exactly one replica beside a witness
    assert replica["consistencyMode"] == "STRONG"
    assert t.inputs["globalTableWitness"] == {"regionName": store.witness_region}
    assert "witness" not in str(table("strong", "routing-state").inputs)  # three regions: no witness


def test_single_region_table_has_no_replicas_or_streams() -> None:
    t = table("support-agent@dev", "conversations")
    assert "replicas" not in t.inputs and "streamEnabled" not in t.inputs


def test_replication_latency_alarms_point_at_the_table_and_the_receiving_region() -> None:
    g = graph("order-routing")
    alarms = [
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs.get("metricName") == "ReplicationLatency"
    ]
    assert len(alarms) == 4  # two tables, each region to the other
    for alarm in alarms:
        dims = alarm.inputs["dimensions"]
        assert dims["ReceivingRegion"] != alarm.inputs["region"]
        assert dims["TableName"].startswith("order-routing-")
        assert alarm.inputs["threshold"] == 10_000  # replication_lag 10s, in milliseconds


def test_a_throw_away_stack_can_switch_deletion_protection_off() -> None:
    from stacks.synth import synth

    g = synth(EXAMPLES / "support-agent" / "spec.yaml", "dev", config={"agentha:deletionProtection": "false"}).graph
    tables = g.of_type("aws:dynamodb/table:Table")
    assert tables and not any(t.protect or t.inputs["deletionProtectionEnabled"] for t in tables)
    assert all(t.protect for t in graph("support-agent@dev").of_type("aws:dynamodb/table:Table"))
