"""AuroraCluster: global database, instances over zones, TLS, IAM auth, the master password."""

from __future__ import annotations

import pytest

from tests.components.aws.helpers import EXAMPLES, build_store, dependencies, graph, synth_case


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
    assert secondary.ignore_changes == ("engineVersion", "replicationSourceIdentifier")
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


def test_aws_owns_the_minor_version_after_creation() -> None:
    """Instances upgrade minors automatically; RDS refuses the downgrade a pinned version would ask
    for on the next `pulumi up`, so clusters and instances (one region or global) ignore it."""
    for case in ("stores", "stores-one-region"):
        g = graph(case)
        resources = [*g.of_type("aws:rds/cluster:Cluster"), *g.of_type("aws:rds/clusterInstance:ClusterInstance")]
        assert resources
        for r in resources:
            assert "engineVersion" in r.ignore_changes, r.urn
            if r.type == "aws:rds/clusterInstance:ClusterInstance":
                assert r.inputs["autoMinorVersionUpgrade"] is True


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


def test_aurora_in_a_one_zone_region_stops_before_rds_rejects_the_subnet_group() -> None:
    """RDS refuses a DB subnet group covering one zone (DBSubnetGroupDoesNotCoverEnoughAZs). The
    aurora-zones spec rule says so first; the component still refuses if a plan gets past it."""
    from pulumi import RunError

    assert len(build_store("stores-one-region", "sessions").of_type("aws:rds/subnetGroup:SubnetGroup")) == 1
    with pytest.raises(RunError, match=r"store 'sessions'.*at least 2 availability zones.*us-east-1a"):
        build_store("stores-one-region", "sessions", zones=(("us-east-1", ("us-east-1a",)),))


def test_aurora_refuses_a_system_name_rds_cannot_start_an_identifier_with() -> None:
    """DB cluster and instance identifiers must begin with a letter; they begin with metadata.name."""
    from pulumi import RunError

    with pytest.raises(RunError, match=r"'2nd-line-support' does not begin with a letter \(RDS requires one\)"):
        build_store("stores-one-region", "sessions", system="2nd-line-support")


def test_global_stores_refuse_burstable_classes() -> None:
    """Aurora global databases need memory-optimized instances; global datastores no cache.t nodes."""
    from pulumi import RunError

    with pytest.raises(RunError, match=r"store 'sessions'.*needs memory-optimized instances, not db.t4g"):
        build_store("stores", "sessions", instance_class="db.t4g.medium")
    with pytest.raises(RunError, match=r"store 'hot-cache'.*does not run on burstable nodes \(cache.t4g"):
        build_store("stores", "hot-cache", instance_class="cache.t4g.medium")
    # one region: burstable classes are the user's call
    assert build_store("stores-one-region", "sessions", instance_class="db.t4g.medium").of_type(
        "aws:rds/clusterInstance:ClusterInstance"
    )


def test_the_global_lag_alarm_fails_closed() -> None:
    """A secondary that stops reporting its lag has stopped replicating: ALARM, not OK."""
    g = graph("stores")
    (lag,) = [
        a
        for a in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs.get("metricName") == "AuroraGlobalDBReplicationLag"
    ]
    assert lag.inputs["region"] == "us-west-2" and lag.inputs["namespace"] == "AWS/RDS"
    assert lag.inputs["treatMissingData"] == "breaching"


def test_the_engine_version_comes_from_the_plan_not_a_pinned_minor() -> None:
    """A major alone (the default, 17) is resolved at deploy time to AWS's default minor of it (under
    mocks the lookup echoes its arguments: version 17); a major.minor is used as written. The
    parameter group family follows the major; RDS owns the version after creation everywhere."""
    s = synth_case("stores")
    assert s.plan.store("sessions").engine_version == "17"
    g = s.graph
    (glob,) = g.of_type("aws:rds/globalCluster:GlobalCluster")
    assert glob.inputs["engineVersion"] == "17" and glob.ignore_changes == ("engineVersion",)
    assert all(c.inputs["engineVersion"] == "17" for c in g.of_type("aws:rds/cluster:Cluster"))
    params = g.of_type("aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert {p.inputs["family"] for p in params} == {"aurora-postgresql17"}
    pinned = build_store("stores", "sessions", engine_version="16.10")
    assert {c.inputs["engineVersion"] for c in pinned.of_type("aws:rds/cluster:Cluster")} == {"16.10"}
    assert {p.inputs["family"] for p in pinned.of_type("aws:rds/clusterParameterGroup:ClusterParameterGroup")} == {
        "aurora-postgresql16"
    }


def test_active_active_single_writer_secondaries_forward_writes_and_the_primary_does_not() -> None:
    from tests.components.aws.helpers import graph as _graph

    clusters = {c.region: c for c in _graph("claims-aws").of_type("aws:rds/cluster:Cluster")}
    assert clusters["us-east-2"].inputs.get("enableGlobalWriteForwarding") is True
    assert "enableGlobalWriteForwarding" not in clusters["us-east-1"].inputs
    # Global, not local, write forwarding (local forwards readers to the writer inside one cluster).
    assert not any("enableLocalWriteForwarding" in c.inputs for c in clusters.values())


def test_every_instance_records_performance_insights_on_its_regions_key_for_the_free_week() -> None:
    """checkov CKV_AWS_353 on claims-aws: Performance Insights on, 7 days (the free tier), the region's CMK."""
    g = graph("stores")
    keys = {k.inputs["region"]: k.urn for k in g.of_type("aws:kms/key:Key")}
    instances = g.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert instances
    for i in instances:
        assert i.inputs["performanceInsightsEnabled"] is True
        assert i.inputs["performanceInsightsRetentionPeriod"] == 7
        assert keys[i.inputs["region"]] in dependencies(i, "performanceInsightsKmsKeyId")
