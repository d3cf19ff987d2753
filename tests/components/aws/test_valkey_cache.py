"""ValkeyCache: Multi-AZ replication groups, encryption, the global datastore."""

from __future__ import annotations

import pytest

from tests.components.aws.helpers import build_store, dependencies, synth_case


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
    # The datastore turns auto minor upgrades off on its members; asking for them would make every
    # later update try to turn them back on, which ElastiCache rejects for a global member.
    assert all("autoMinorVersionUpgrade" not in group.inputs for group in groups.values())
    (alone,) = synth_case("stores-one-region").graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert alone.inputs["autoMinorVersionUpgrade"] is True
    (datastore,) = g.of_type("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup")
    assert primary.urn in dependencies(datastore, "primaryReplicationGroupId")
    assert not primary.protect  # marked `cache`: losing it loses nothing
    (lag,) = [
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"].startswith("support-agent-hot-cache-global")
    ]
    assert lag.inputs["region"] == "us-west-2"
    # Whichever node is the secondary's primary reports the lag: the largest over every node, and no
    # datapoint at all (replication or the group stopped) is breaching, not OK.
    queries = {q["id"]: q for q in lag.inputs["metricQueries"]}
    nodes = int(groups["us-west-2"].inputs["numCacheClusters"])
    members = sorted(q["metric"]["dimensions"]["CacheClusterId"] for q in queries.values() if "metric" in q)
    # <group id>-001 ... -00n; the group id is the secondary group's id output (the mock's id here).
    assert [m[-4:] for m in members] == [f"-{i:03d}" for i in range(1, nodes + 1)]
    assert len({m[:-4] for m in members}) == 1 and members[0].startswith(groups["us-west-2"].name)
    assert {q["metric"]["metricName"] for q in queries.values() if "metric" in q} == {"GlobalDatastoreReplicationLag"}
    assert queries["lag"]["expression"] == f"MAX([{', '.join(f'node{i}' for i in range(1, nodes + 1))}])"
    assert lag.inputs["treatMissingData"] == "breaching"


def test_valkey_refuses_a_system_name_elasticache_cannot_start_a_group_id_with() -> None:
    """Replication group ids must begin with a letter; they begin with metadata.name."""
    from pulumi import RunError

    with pytest.raises(RunError, match=r"'2nd-line-support' does not begin with a letter \(ElastiCache requires one\)"):
        build_store("stores-one-region", "hot-cache", system="2nd-line-support")


def test_the_secondary_is_encrypted_with_its_own_regions_key_and_inherits_at_rest_encryption() -> None:
    """A KMS key is regional, so the secondary names its region's key; `at_rest_encryption_enabled`
    conflicts with `global_replication_group_id` in the provider's schema (the datastore decides it),
    and the "only with at_rest_encryption_enabled" note on kms_key_id is documentation, not a check."""
    g = synth_case("stores").graph
    secondary = next(
        r for r in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup") if r.inputs["region"] == "us-west-2"
    )
    west_key = next(k for k in g.of_type("aws:kms/key:Key") if k.inputs["region"] == "us-west-2")
    assert west_key.urn in dependencies(secondary, "kmsKeyId")
    assert "atRestEncryptionEnabled" not in secondary.inputs and secondary.inputs["globalReplicationGroupId"]
