"""ValkeyCache: Multi-AZ replication groups, encryption, the global datastore."""

from __future__ import annotations

import json

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


def test_every_group_requires_iam_users_of_its_own_region_one_per_agent() -> None:
    """RBAC with IAM authentication, the same on the primary and the secondary: each region's group
    names its region's user group, which holds only IAM users (name = id, as ElastiCache requires) of
    the agents that use the store; the open `default` user is not among them."""
    g = synth_case("stores").graph
    users = g.of_type("aws:elasticache/user:User")
    user_groups = {r.inputs["region"]: r for r in g.of_type("aws:elasticache/userGroup:UserGroup")}
    assert sorted(user_groups) == ["us-east-1", "us-west-2"]
    for group in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        region = group.inputs["region"]
        user_group = user_groups[region]
        assert user_group.urn in dependencies(group, "userGroupIds")
        assert user_group.inputs["engine"] == "valkey"
        members = [u for u in users if u.inputs["region"] == region]
        assert [u.inputs["userName"] for u in members] == ["support-agent-hot-cache-conversation"]
        for u in members:
            assert u.inputs["authenticationMode"] == {"type": "iam"}
            assert u.inputs["userName"] == u.inputs["userId"] and u.inputs["userName"] != "default"
            assert "passwords" not in u.inputs and not u.inputs.get("noPasswordRequired")
            assert u.inputs["accessString"].startswith("on ") and "-@dangerous" in u.inputs["accessString"]
            assert u.urn in dependencies(user_group, "userIds")
        # A user group ids its users, letters, digits and hyphens, within ElastiCache's 40 characters.
        assert len(user_group.inputs["userGroupId"]) <= 40


def test_an_agent_connects_as_its_own_user_with_connect_on_its_regions_group_and_user_only() -> None:
    g = synth_case("stores").graph
    for region in ("us-east-1", "us-west-2"):
        (task,) = [
            r
            for r in g.of_type("aws:ecs/taskDefinition:TaskDefinition")
            if r.name == f"support-agent-conversation-task-{region}"
        ]
        env = {e["name"]: e["value"] for e in json.loads(task.inputs["containerDefinitions"])[0]["environment"]}
        assert env["AGENTHA_STORE_HOT_CACHE_AUTH"] == "iam"
        assert env["AGENTHA_STORE_HOT_CACHE_USER"] == "support-agent-hot-cache-conversation"
        assert env["AGENTHA_STORE_HOT_CACHE_CACHE_NAME"].startswith("support-agent-hot-cache-")
        policy = next(
            r
            for r in g.of_type("aws:iam/rolePolicy:RolePolicy")
            if r.name == f"support-agent-conversation-task-policy-{region}"
        )
        (connect,) = [
            s for s in json.loads(policy.inputs["policy"])["Statement"] if "elasticache:Connect" in s["Action"]
        ]
        assert connect["Action"] == ["elasticache:Connect"]
        resources = connect["Resource"]
        assert len(resources) == 2 and all(f":{region}:" in r for r in resources), resources
        assert not any("*" in r for r in resources)
    # An agent that does not use the store gets neither the settings nor the permission.
    (executor,) = [
        r
        for r in g.of_type("aws:ecs/taskDefinition:TaskDefinition")
        if r.name == "support-agent-action-executor-task-us-east-1"
    ]
    env = {e["name"] for e in json.loads(executor.inputs["containerDefinitions"])[0]["environment"]}
    assert not any(n.startswith("AGENTHA_STORE_HOT_CACHE") for n in env)
