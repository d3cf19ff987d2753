"""State stores: DynamoDB global tables, Aurora global databases, Valkey global datastores."""

from __future__ import annotations

import pytest

from stacks.graph import CapturedResource
from tests.components.aws.helpers import EXAMPLES, dependencies, graph, synth_case, tags


def table(case: str, store: str) -> CapturedResource:
    return next(r for r in graph(case).of_type("aws:dynamodb/table:Table") if tags(r)["agentha:part"] == store)


# --- dynamodb ------------------------------------------------------------------------------------


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


# --- aurora --------------------------------------------------------------------------------------


def test_aurora_global_database_spans_the_planned_regions_and_zones() -> None:
    s = synth_case("stores")
    g = s.graph
    store = s.plan.store("sessions")
    (glob,) = g.of_type("aws:rds/globalCluster:GlobalCluster")
    assert glob.inputs["storageEncrypted"] and glob.inputs["engine"] == "aurora-postgresql"
    clusters = {r.inputs["region"]: r for r in g.of_type("aws:rds/cluster:Cluster")}
    primary, secondary = clusters["us-east-1"], clusters["us-west-2"]
    assert primary.inputs["masterUsername"] and primary.inputs["masterPasswordWo"] == "[secret]"
    assert "masterUsername" not in secondary.inputs and "masterPasswordWo" not in secondary.inputs
    assert secondary.ignore_changes == ("replicationSourceIdentifier",)
    assert any("instance" in u for u in secondary.dependencies)  # joins after the primary serves
    for cluster in clusters.values():
        assert cluster.inputs["iamDatabaseAuthenticationEnabled"] and cluster.inputs["backupRetentionPeriod"] == 14
        assert cluster.inputs["engineVersion"] == glob.inputs["engineVersion"]
    instances = g.of_type("aws:rds/clusterInstance:ClusterInstance")
    for region, cluster in clusters.items():
        mine = [i for i in instances if cluster.urn in dependencies(i, "clusterIdentifier")]
        zones = {i.inputs["availabilityZone"] for i in mine}
        assert len(mine) == store.instances_per_region >= 2 and len(zones) >= 2
        assert zones <= set(store.zones_in(region))
        assert all(i.inputs["publiclyAccessible"] is False for i in mine)
    params = g.of_type("aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert all({"name": "rds.force_ssl", "value": "1"} in p.inputs["parameters"] for p in params)


def test_a_one_region_aurora_keeps_its_password_in_secrets_manager() -> None:
    (cluster,) = graph("stores-one-region").of_type("aws:rds/cluster:Cluster")
    assert cluster.inputs["manageMasterUserPassword"] is True and cluster.inputs["masterUserSecretKmsKeyId"]
    assert "masterPasswordWo" not in cluster.inputs
    assert not graph("stores-one-region").of_type("aws:rds/globalCluster:GlobalCluster")


def test_aurora_global_without_a_password_stops_with_the_fix() -> None:
    """The program refuses to build a global Aurora without the stack's secret (synth stands in)."""
    from stacks import program
    from stacks.capture import synthesize
    from tests.components.aws.helpers import spec_path

    config = {"agentha:spec": str(spec_path("stores")), "agentha:environment": "base"}
    with pytest.raises(Exception, match=r"pulumi config set --secret agentha:auroraMasterPassword"):
        synthesize(program.main, project="agentha-blueprint", stack="base", config=config)
    assert EXAMPLES.exists()


def test_no_secret_value_reaches_the_captured_graph() -> None:
    assert "offline-test-only" not in graph("stores").dumps()


# --- valkey --------------------------------------------------------------------------------------


def test_valkey_is_multi_az_with_failover_encrypted_and_global() -> None:
    s = synth_case("stores")
    g = s.graph
    groups = {r.inputs["region"]: r for r in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup")}
    primary, secondary = groups["us-east-1"], groups["us-west-2"]
    for group in groups.values():
        assert group.inputs["multiAzEnabled"] and group.inputs["automaticFailoverEnabled"]
        assert group.inputs["numCacheClusters"] >= 2
        assert len(set(group.inputs["preferredCacheClusterAzs"])) >= 2
    assert primary.inputs["engine"] == "valkey" and primary.inputs["nodeType"]
    assert primary.inputs["transitEncryptionMode"] == "required" and primary.inputs["atRestEncryptionEnabled"]
    # ElastiCache takes these from the global datastore and rejects them on a secondary.
    for inherited in (
        "engine",
        "engineVersion",
        "nodeType",
        "parameterGroupName",
        "atRestEncryptionEnabled",
        "transitEncryptionEnabled",
        "transitEncryptionMode",
        "numNodeGroups",
    ):
        assert inherited not in secondary.inputs, inherited
    (datastore,) = g.of_type("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup")
    assert primary.urn in dependencies(datastore, "primaryReplicationGroupId")
    assert not primary.protect  # marked `cache`: losing it loses nothing
    (lag,) = [
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"].startswith("support-agent-hot-cache-global")
    ]
    assert lag.inputs["region"] == "us-west-2" and lag.inputs["metricName"] == "GlobalDatastoreReplicationLag"


def test_a_throw_away_stack_can_switch_deletion_protection_off() -> None:
    from stacks.synth import synth

    g = synth(EXAMPLES / "support-agent" / "spec.yaml", "dev", config={"agentha:deletionProtection": "false"}).graph
    tables = g.of_type("aws:dynamodb/table:Table")
    assert tables and not any(t.protect or t.inputs["deletionProtectionEnabled"] for t in tables)
    assert all(t.protect for t in graph("support-agent@dev").of_type("aws:dynamodb/table:Table"))
