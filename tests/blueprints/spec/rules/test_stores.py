"""Rules of blueprints/spec/rules/stores.py: engines per target, multi-writer, sync, RPO 0, backups, fields."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import aws, kubernetes, of_rule, only, run, store


def active_active() -> dict:
    spec = aws()
    spec["topology"]["pattern"] = "active-active"
    del spec["topology"]["standby"]
    for region in spec["topology"]["regions"]:
        region["role"] = "active"
    return spec


def three_regions(spec: dict) -> dict:
    spec["topology"]["regions"].append(
        {"name": "us-east-2", "role": spec["topology"]["regions"][1]["role"], "zones": ["us-east-2a", "us-east-2b"]}
    )
    return spec


def test_engine_target_passes() -> None:
    assert of_rule(aws(), "engine-target") == []
    assert of_rule(kubernetes(), "engine-target") == []


@pytest.mark.parametrize(
    ("make", "engine", "allowed"), [(aws, "postgres", "dynamodb"), (kubernetes, "dynamodb", "postgres")]
)
def test_engine_target_fails_for_the_other_targets_engine(make, engine: str, allowed: str) -> None:
    spec = make()
    spec["stores"][1] = {"name": spec["stores"][1]["name"], "engine": engine}
    found = [p for p in run(spec) if p.rule == "engine-target"]
    assert [p.path for p in found] == ["stores[1].engine"]
    assert allowed in found[0].fix


def test_active_active_writes_passes_with_dynamodb() -> None:
    assert of_rule(active_active(), "active-active-writes") == []


def test_active_active_writes_fails_naming_the_single_writer_store() -> None:
    spec = active_active()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    p = only(spec, "active-active-writes")
    assert p.path == "stores[0].engine"
    assert "store 'conversations' (aurora-postgresql)" in p.message
    # Both ways to be active-active, in this target's engines, and the other pattern.
    assert "writes: primary-region" in p.fix and "aurora-dsql" in p.fix and "active-passive" in p.fix


def test_active_active_writes_passes_for_aurora_writing_through_the_primary_region() -> None:
    spec = active_active()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql", "writes": "primary-region"}
    assert of_rule(spec, "active-active-writes") == []


def test_active_active_writes_passes_for_dsql_without_saying_writes() -> None:
    spec = active_active()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql", "backup": {"point_in_time_recovery": False}}
    assert of_rule(spec, "active-active-writes") == []


def test_active_active_writes_fails_for_multi_region_writes_on_a_single_writer_engine() -> None:
    spec = active_active()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql", "writes": "multi-region"}
    p = only(spec, "active-active-writes")
    assert p.path == "stores[0].writes"
    assert "aurora-dsql" in p.fix


def test_active_active_writes_fails_for_primary_region_writes_on_a_multi_writer_engine() -> None:
    spec = active_active()
    store(spec, "conversations")["writes"] = "primary-region"
    p = only(spec, "active-active-writes")
    assert p.path == "stores[0].writes"
    assert "every region" in p.message


def _kubernetes_active_active() -> dict:
    spec = kubernetes()
    spec["topology"] = {
        "pattern": "active-active",
        "regions": [
            {"name": "europe-west4", "role": "active", "zones": ["europe-west4-a", "europe-west4-b", "europe-west4-c"]},
            {"name": "europe-west1", "role": "active", "zones": ["europe-west1-b", "europe-west1-c", "europe-west1-d"]},
        ],
    }
    spec["stores"] = [{"name": "findings", "engine": "postgres", "instances": 3, "storage": "50Gi"}]
    spec["agents"][1]["uses"] = ["findings"]
    return spec


def test_kubernetes_active_active_postgres_explains_choices_of_this_target_only() -> None:
    spec = _kubernetes_active_active()
    found = [p for p in run(spec) if p.severity == "error" and p.rule == "active-active-writes"]
    assert len(found) == 1
    assert "writes: primary-region` with engine postgres" in found[0].fix
    assert "cockroachdb" in found[0].fix and "active-passive" in found[0].fix
    # Never an engine of the other target.
    for engine in ("dynamodb", "aurora", "dsql"):
        assert engine not in found[0].fix and engine not in found[0].message


def _with_pod_cidrs(spec: dict) -> dict:
    for i, region in enumerate(spec["topology"]["regions"]):
        region["pod_cidrs"] = [f"10.{70 + i}.0.0/16"]
    return spec


def test_kubernetes_active_active_accepts_postgres_writing_in_the_primary_region() -> None:
    spec = _with_pod_cidrs(_kubernetes_active_active())
    spec["stores"][0]["writes"] = "primary-region"
    assert [p for p in run(spec) if p.severity == "error"] == []


def test_kubernetes_active_active_accepts_cockroachdb_over_three_regions() -> None:
    spec = _with_pod_cidrs(three_regions_kubernetes(_kubernetes_active_active()))
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    assert [p for p in run(spec) if p.severity == "error"] == []


def test_cockroachdb_over_two_regions_is_refused_for_its_quorum() -> None:
    spec = _with_pod_cidrs(_kubernetes_active_active())
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    p = only(spec, "cockroachdb-topology")
    assert p.path == "stores[0].engine" and "majority" in p.message and "3 regions" in p.message
    assert "postgres" in p.fix and "dynamodb" not in p.fix and "dsql" not in p.fix


def test_cockroachdb_is_refused_on_active_passive_and_below_three_nodes() -> None:
    spec = _kubernetes_active_active()
    spec["topology"].update(pattern="active-passive", standby="warm")
    spec["topology"]["regions"][0]["role"] = "primary"
    spec["topology"]["regions"][1]["role"] = "standby"
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "instances": 2}
    found = {p.path: p for p in run(spec) if p.rule == "cockroachdb-topology"}
    assert "no standby region" in found["stores[0].engine"].message
    assert "3 nodes or more" in found["stores[0].instances"].message


def test_cockroachdb_backups_are_a_warning_until_acknowledged() -> None:
    spec = kubernetes()
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb"}
    p = only(spec, "engine-fields")
    assert p.severity == "warning" and "SQL schedules" in p.message


@pytest.mark.parametrize("writes", ["multi-region", "primary-region"])
def test_cross_region_stores_need_every_regions_pod_cidrs(writes: str) -> None:
    spec = three_regions_kubernetes(_kubernetes_active_active())
    if writes == "multi-region":
        spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    else:
        spec["stores"][0]["writes"] = "primary-region"
    spec["topology"]["regions"][0]["pod_cidrs"] = ["10.70.0.0/16"]
    found = [p for p in run(spec) if p.rule == "cross-region-network"]
    assert [p.path for p in found] == ["topology.regions[1]", "topology.regions[2]"]
    assert "pod_cidrs" in found[0].fix


def test_pod_cidrs_on_aws_is_a_warning() -> None:
    spec = aws()
    spec["topology"]["regions"][0]["pod_cidrs"] = ["10.70.0.0/16"]
    p = only(spec, "cross-region-network")
    assert p.severity == "warning"


def three_regions_kubernetes(spec: dict) -> dict:
    spec["topology"]["regions"].append(
        {"name": "europe-north1", "role": "active", "zones": ["europe-north1-a", "europe-north1-b", "europe-north1-c"]}
    )
    return spec


def test_a_wrong_target_engine_in_active_active_gets_one_message_not_two() -> None:
    spec = _kubernetes_active_active()
    spec["stores"][0] = {"name": "findings", "engine": "dynamodb"}
    rules = [p.rule for p in run(spec) if p.severity == "error"]
    assert "engine-target" in rules and "active-active-writes" not in rules


def test_writes_outside_active_active_is_a_warning() -> None:
    spec = aws()
    store(spec, "conversations")["writes"] = "multi-region"
    p = only(spec, "active-active-writes")
    assert p.severity == "warning" and p.path == "stores[0].writes"


def test_dsql_regions_passes_for_two_regions_of_one_set() -> None:
    spec = active_active()
    spec["topology"]["regions"][1] = {"name": "us-east-2", "role": "active", "zones": ["us-east-2a", "us-east-2b"]}
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql", "backup": {"point_in_time_recovery": False}}
    assert of_rule(spec, "dsql-regions") == []


def test_dsql_regions_fails_across_sets_and_over_three_regions() -> None:
    spec = active_active()
    spec["topology"]["regions"][1] = {"name": "eu-west-1", "role": "active", "zones": ["eu-west-1a", "eu-west-1b"]}
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql", "backup": {"point_in_time_recovery": False}}
    p = only(spec, "dsql-regions")
    assert "one region set" in p.message and "us-east-1" in p.message
    spec = three_regions(active_active())
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql", "backup": {"point_in_time_recovery": False}}
    assert "found 3 regions" in only(spec, "dsql-regions").message


def test_sync_replication_on_kubernetes_names_no_engine_of_aws() -> None:
    spec = _kubernetes_active_active()
    spec["topology"]["pattern"] = "active-passive"
    spec["topology"]["standby"] = "warm"
    spec["topology"]["regions"][0]["role"] = "primary"
    spec["topology"]["regions"][1]["role"] = "standby"
    spec["stores"][0]["replication"] = "sync"
    p = only(spec, "sync-replication")
    assert "dynamodb" not in p.fix and "dsql" not in p.fix


def test_sync_replication_passes_for_dynamodb_over_three_regions() -> None:
    spec = three_regions(aws())
    store(spec, "conversations")["replication"] = "sync"
    assert of_rule(spec, "sync-replication") == []


def test_sync_replication_fails_for_an_async_only_engine() -> None:
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql", "replication": "sync"}
    p = only(spec, "sync-replication")
    assert p.path == "stores[0].replication"
    assert "asynchronously only" in p.message
    assert "replication: async" in p.fix


def test_sync_replication_passes_for_dynamodb_over_two_regions_with_a_witness() -> None:
    spec = aws()  # us-east-1 and us-west-2: one region set, the planner adds a witness
    store(spec, "conversations")["replication"] = "sync"
    assert of_rule(spec, "sync-replication") == []


def test_sync_replication_fails_for_dynamodb_over_four_regions() -> None:
    spec = three_regions(aws())
    spec["topology"]["regions"].append({"name": "eu-west-1", "role": "standby", "zones": ["eu-west-1a", "eu-west-1b"]})
    store(spec, "conversations")["replication"] = "sync"
    p = only(spec, "sync-replication")
    assert "found 4" in p.message and p.allowed == "2 or 3 regions"


def test_sync_replication_warns_on_a_single_region_pattern() -> None:
    spec = kubernetes()
    store(spec, "findings")["replication"] = "sync"
    p = only(spec, "sync-replication")
    assert p.severity == "warning"
    assert "no effect" in p.message


def test_region_rpo_replication_passes_with_a_nonzero_rpo() -> None:
    assert of_rule(aws(), "region-rpo-replication") == []


def test_region_rpo_replication_fails_for_async_stores_and_says_what_could_meet_it() -> None:
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    spec["objectives"]["disruptions"]["region"]["rpo"] = "0s"
    found = of_rule(spec, "region-rpo-replication")
    assert [p.path for p in found] == ["stores[0].replication", "stores[1].replication"]
    assert "aurora-postgresql cannot replicate across regions synchronously" in found[0].fix
    assert "set replication: sync (DynamoDB multi-region strong consistency: 3 regions, or 2 and a witness)" in (
        found[1].fix
    )
    assert all("relax the region RPO" in p.fix for p in found)


def test_region_rpo_replication_passes_with_sync_dynamodb_over_three_regions() -> None:
    spec = three_regions(aws())
    spec["objectives"]["disruptions"]["region"]["rpo"] = "0s"
    for s in spec["stores"]:
        s["replication"] = "sync"
        s.pop("ttl_attribute", None)  # strong consistency has no TTL (dynamodb-strong-consistency-ttl)
    assert of_rule(spec, "region-rpo-replication") == []


def test_backup_retention_passes_from_1d_to_35d() -> None:
    spec = aws()
    store(spec, "conversations")["backup"]["retention"] = "1d"
    assert of_rule(spec, "backup-retention") == []


@pytest.mark.parametrize("retention", ["12h", "36d", "1d12h"])
def test_backup_retention_fails_outside_whole_days_1_to_35(retention: str) -> None:
    spec = aws()
    store(spec, "conversations")["backup"]["retention"] = retention
    p = only(spec, "backup-retention")
    assert p.path == "stores[0].backup.retention"
    assert p.allowed == "1d-35d"


def test_backup_retention_does_not_apply_on_kubernetes() -> None:
    spec = kubernetes()
    store(spec, "findings")["backup"] = {"retention": "90d"}
    assert of_rule(spec, "backup-retention") == []


def test_engine_fields_passes() -> None:
    assert of_rule(aws(), "engine-fields") == []
    assert of_rule(kubernetes(), "engine-fields") == []


def test_engine_fields_fails_for_dynamodb_fields_on_another_engine() -> None:
    spec = kubernetes()
    store(spec, "findings")["ttl_attribute"] = "expires_at"
    p = only(spec, "engine-fields")
    assert p.severity == "error"
    assert p.path == "stores[0].ttl_attribute"
    assert p.fix == "remove `ttl_attribute`"


def test_engine_fields_warns_for_instance_fields_on_dynamodb() -> None:
    spec = aws()
    store(spec, "conversations")["instances"] = 3
    p = only(spec, "engine-fields")
    assert p.severity == "warning"
    assert p.path == "stores[0].instances"


def test_engine_fields_warns_that_redis_is_not_replicated() -> None:
    spec = kubernetes()
    store(spec, "cache")["replication"] = "async"
    p = only(spec, "engine-fields")
    assert p.severity == "warning" and p.path == "stores[1].replication"
    assert "not copied across regions" in p.message


def test_a_redis_store_is_planned_without_cross_region_replication() -> None:
    """One truth: the Stores table said `async` with a replica region while On loss said the standby
    starts empty (issue 18)."""
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_text
    from tests.blueprints.spec.rules.helpers import dump

    spec = kubernetes()
    spec["topology"] = {
        "pattern": "active-passive",
        "standby": "warm",
        "regions": [
            {"name": "europe-west4", "role": "primary", "zones": [f"europe-west4-{z}" for z in "abc"]},
            {"name": "europe-west1", "role": "standby", "zones": [f"europe-west1-{z}" for z in "bcd"]},
        ],
    }
    cache = plan(load_text(dump(spec), "spec.yaml").spec).store("cache")
    assert cache.replication == "none" and "starts with its own empty Redis" in cache.on_region_loss


def test_aurora_zones_fails_in_a_one_zone_region() -> None:
    spec = aws()
    spec["topology"] = {"pattern": "single-zone", "regions": [{"name": "us-east-1", "zones": ["us-east-1a"]}]}
    del spec["objectives"]["disruptions"]["region"]
    spec["chaos"]["drills"] = ["zone-outage"]
    spec["stores"].append({"name": "sessions", "engine": "aurora-postgresql"})
    spec["agents"][0]["uses"].append("sessions")
    problems = [p for p in run(spec) if p.rule == "aurora-zones"]
    assert len(problems) == 1 and problems[0].path == "stores[2].engine"
    assert "two zones" in problems[0].message


def test_aurora_zones_passes_with_two_zones() -> None:
    spec = aws()
    spec["stores"].append({"name": "sessions", "engine": "aurora-postgresql"})
    spec["agents"][0]["uses"].append("sessions")
    assert [p for p in run(spec) if p.rule == "aurora-zones"] == []


def test_dynamodb_strong_consistency_ttl_passes_without_ttl() -> None:
    spec = aws()
    spec["topology"]["regions"][1]["name"] = "us-east-2"
    spec["topology"]["regions"][1]["zones"] = ["us-east-2a", "us-east-2b", "us-east-2c"]
    spec["stores"][0]["replication"] = "sync"
    assert of_rule(spec, "dynamodb-strong-consistency-ttl") == []


def test_dynamodb_strong_consistency_ttl_fails_with_a_ttl_attribute() -> None:
    """AWS offers multi-region strong consistency without Time to Live."""
    spec = aws()
    spec["stores"][1]["replication"] = "sync"
    p = only(spec, "dynamodb-strong-consistency-ttl")
    assert p.path == "stores[1].ttl_attribute" and "Time to Live" in p.message and "async" in p.fix
    single = aws()
    single["topology"] = {"pattern": "multi-zone", "regions": [single["topology"]["regions"][0]]}
    del single["objectives"]["disruptions"]["region"]
    single["chaos"] = {"drills": ["zone-outage"]}
    single["stores"][1]["replication"] = "sync"  # one region: no strong consistency is built, TTL stays
    assert not [p for p in run(single) if p.rule == "dynamodb-strong-consistency-ttl"]


def test_engine_version_applies_to_aurora_only() -> None:
    spec = aws()
    spec["stores"][0]["engine_version"] = "17"
    p = only(spec, "engine-fields")
    assert p.path == "stores[0].engine_version"


def test_dsql_point_in_time_recovery_is_a_warning_that_nothing_backs_it_up() -> None:
    spec = active_active()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql"}
    spec["topology"]["regions"][1] = {"name": "us-east-2", "role": "active", "zones": ["us-east-2a", "us-east-2b"]}
    p = only(spec, "engine-fields")
    assert p.severity == "warning" and p.path == "stores[0].backup.point_in_time_recovery"
    spec["stores"][0]["backup"] = {"point_in_time_recovery": False}
    assert of_rule(spec, "engine-fields") == []


def test_current_primary_promotes_a_primary_region_store_in_kubernetes_active_active() -> None:
    spec = _with_pod_cidrs(_kubernetes_active_active())
    spec["stores"][0]["writes"] = "primary-region"
    spec["topology"]["failover"] = {"current_primary": "europe-west1"}
    assert [p for p in run(spec) if p.severity == "error"] == []
    spec["topology"]["failover"] = {"current_primary": "mars-1"}
    assert "not a region of the topology" in only(spec, "failover-primary").message
    # No single-writer store: nothing to promote (CockroachDB has no primary region).
    spec = _with_pod_cidrs(three_regions_kubernetes(_kubernetes_active_active()))
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    spec["topology"]["failover"] = {"current_primary": "europe-west1"}
    assert "active-passive" in only(spec, "failover-primary").message


def test_a_single_writer_engine_asked_to_write_everywhere_is_allowed_primary_region() -> None:
    spec = _kubernetes_active_active()
    spec["stores"][0]["writes"] = "multi-region"
    p = only(spec, "active-active-writes")
    assert p.path == "stores[0].writes" and p.allowed == "primary-region"
    assert "postgres has one writer region" in p.message and "cockroachdb" in p.fix


def test_cockroachdb_topology_passes_over_three_regions_and_in_one_region() -> None:
    spec = _with_pod_cidrs(three_regions_kubernetes(_kubernetes_active_active()))
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    assert of_rule(spec, "cockroachdb-topology") == []
    spec = kubernetes()
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    assert of_rule(spec, "cockroachdb-topology") == []


def test_cockroachdb_topology_fails_over_two_regions() -> None:
    spec = _with_pod_cidrs(_kubernetes_active_active())
    spec["stores"][0] = {"name": "findings", "engine": "cockroachdb", "backup": {"point_in_time_recovery": False}}
    assert only(spec, "cockroachdb-topology").allowed == "3 or more regions"


def test_cross_region_network_passes_with_every_regions_pod_cidrs() -> None:
    spec = _with_pod_cidrs(_kubernetes_active_active())
    spec["stores"][0]["writes"] = "primary-region"
    assert of_rule(spec, "cross-region-network") == []


def test_cross_region_network_fails_without_pod_cidrs() -> None:
    spec = _kubernetes_active_active()
    spec["stores"][0]["writes"] = "primary-region"
    assert [p.path for p in run(spec) if p.rule == "cross-region-network"] == [
        "topology.regions[0]",
        "topology.regions[1]",
    ]
