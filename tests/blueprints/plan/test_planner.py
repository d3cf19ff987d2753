"""The planner against hand-computed placements, networks, stores, queues, secrets and routing."""

from __future__ import annotations

import ipaddress
import itertools
import json
from typing import Any

import pytest

from blueprints.plan.models import ProbePlan, TopologyPlan
from blueprints.plan.planner import lb_health_check, plan
from blueprints.spec.loader import load_spec, load_text
from tests.blueprints.spec.rules.helpers import agent, aws, dump, kubernetes, store
from tests.conftest import example_specs


def planned(spec: dict[str, Any], env: str | None = None) -> TopologyPlan:
    return plan(load_text(dump(spec), "spec.yaml", env).spec, env)


def single_region(spec: dict[str, Any], zones: int = 3, pattern: str = "multi-zone") -> dict[str, Any]:
    spec["topology"] = {
        "pattern": pattern,
        "regions": [{"name": "us-east-1", "zones": [f"us-east-1{c}" for c in "abc"[:zones]]}],
    }
    del spec["objectives"]["disruptions"]["region"]
    spec["chaos"]["drills"] = ["zone-outage"]
    return spec


# --- replicas: static stability --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "zones", "per_zone"),
    [
        (3, 3, (2, 2, 1)),  # 5, not the naive 6: losing the fullest zone leaves 3
        (2, 2, (2, 2)),  # 4
        (2, 3, (1, 1, 1)),  # 3
        (4, 3, (2, 2, 2)),  # 6
        (5, 3, (3, 3, 2)),  # 8
        (1, 2, (1, 1)),  # 2
    ],
)
def test_static_stability_replicas_per_zone(minimum: int, zones: int, per_zone: tuple[int, ...]) -> None:
    spec = single_region(aws(), zones)
    agent(spec, "conversation")["replicas"] = {"min": minimum, "max": 20}
    placement = planned(spec).agent("conversation").placements[0]
    assert placement.per_zone == per_zone
    assert placement.desired == sum(per_zone)
    assert placement.survivors_after_zone_loss >= minimum
    assert placement.survivors_after_zone_loss == sum(per_zone) - max(per_zone)


def test_without_static_stability_the_minimum_is_only_spread() -> None:
    spec = single_region(aws())
    agent(spec, "conversation")["replicas"] = {"min": 3, "max": 12, "static_stability": False}
    p = planned(spec).agent("conversation").placements[0]
    assert p.per_zone == (1, 1, 1) and p.survivors_after_zone_loss == 2


def test_max_is_raised_to_the_zone_loss_floor_with_a_finding() -> None:
    spec = single_region(aws())
    agent(spec, "conversation")["replicas"] = {"min": 3, "max": 4}
    result = planned(spec)
    assert result.agent("conversation").placements[0].max == 5
    codes = {f.code for f in result.findings}
    assert "max-raised" in codes and "static-stability" in codes


@pytest.mark.parametrize(
    ("standby", "compute", "standby_per_zone"),
    [("pilot-light", "none", (0, 0, 0)), ("warm", "reduced", (1, 1, 1)), ("hot", "full", (2, 2, 1))],
)
def test_standby_placements(standby: str, compute: str, standby_per_zone: tuple[int, ...]) -> None:
    spec = aws()
    spec["topology"]["standby"] = standby
    result = planned(spec)
    west = result.region("us-west-2")
    assert (west.role, west.serving, west.compute) == ("standby", False, compute)
    conversation = result.agent("conversation")  # min 3
    assert conversation.placement("us-east-1").per_zone == (2, 2, 1)
    assert conversation.placement("us-west-2").per_zone == standby_per_zone
    assert result.standby == standby


def test_active_passive_without_standby_plans_warm() -> None:
    spec = aws()
    del spec["topology"]["standby"]
    assert planned(spec).standby == "warm"


def test_primary_region_comes_first_whatever_the_order_written() -> None:
    spec = aws()
    spec["topology"]["regions"].reverse()
    result = planned(spec)
    assert [r.name for r in result.regions] == ["us-east-1", "us-west-2"]
    assert result.primary_region.name == "us-east-1"


# --- networks ------------------------------------------------------------------------------------


def test_subnet_layout_per_region() -> None:
    result = planned(aws())
    east, west = result.regions
    assert east.network.cidr == "10.20.0.0/16" and west.network.cidr == "10.21.0.0/16"
    private = [(s.zone, s.cidr) for s in east.network.subnets if not s.public]
    public = [(s.zone, s.cidr) for s in east.network.subnets if s.public]
    assert private == [("us-east-1a", "10.20.0.0/20"), ("us-east-1b", "10.20.16.0/20"), ("us-east-1c", "10.20.32.0/20")]
    assert public == [
        ("us-east-1a", "10.20.128.0/20"),
        ("us-east-1b", "10.20.144.0/20"),
        ("us-east-1c", "10.20.160.0/20"),
    ]
    assert east.network.nat == "per-zone" and not east.network.is_existing


def test_no_two_subnets_or_vpcs_overlap() -> None:
    spec = aws()
    spec["topology"]["regions"].append({"name": "eu-west-1", "role": "standby", "zones": ["eu-west-1a", "eu-west-1b"]})
    result = planned(spec)
    vpcs = [ipaddress.ip_network(r.network.cidr) for r in result.regions if r.network.cidr]
    subnets = [ipaddress.ip_network(s.cidr) for r in result.regions for s in r.network.subnets]
    assert len(vpcs) == 3 and len(subnets) == 2 * (3 + 3 + 2)
    for a, b in itertools.combinations(vpcs, 2):
        assert not a.overlaps(b)
    for a, b in itertools.combinations(subnets, 2):
        assert not a.overlaps(b)
    for region in result.regions:
        vpc = ipaddress.ip_network(region.network.cidr)
        assert all(ipaddress.ip_network(s.cidr).subnet_of(vpc) for s in region.network.subnets)


def test_existing_network_is_passed_through() -> None:
    spec = aws()
    spec["network"]["existing"] = {
        "us-west-2": {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1", "subnet-2", "subnet-3"]}
    }
    west = planned(spec).region("us-west-2").network
    assert west.is_existing and west.existing_vpc_id == "vpc-0abc"
    assert west.existing_private_subnet_ids == ("subnet-1", "subnet-2", "subnet-3")
    assert west.subnets == () and west.cidr is None


def test_kubernetes_has_no_vpc() -> None:
    region = planned(kubernetes()).regions[0]
    assert region.network.cidr is None and region.network.subnets == ()


# --- stores, queues, secrets ---------------------------------------------------------------------


def test_store_placement_active_passive() -> None:
    store = planned(aws()).store("conversations")
    assert store.primary_region == "us-east-1"
    assert store.regions == ("us-east-1", "us-west-2") and store.replica_regions == ("us-west-2",)
    assert store.replication == "async" and not store.multi_writer
    assert store.instances_per_region == 0  # serverless
    assert store.zones_in("us-west-2") == ("us-west-2a", "us-west-2b", "us-west-2c")
    assert "asynchronous" in store.on_region_loss
    assert store.users == ("conversation",)


def test_store_placement_single_region_has_no_replication() -> None:
    store = planned(single_region(aws())).store("conversations")
    assert store.regions == ("us-east-1",) and store.replication == "none"
    assert "no copy elsewhere" in store.on_region_loss


def test_store_instances_one_per_zone_up_to_three() -> None:
    spec = single_region(aws(), zones=2)
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    assert planned(spec).store("conversations").instances_per_region == 2
    spec = single_region(aws(), zones=3)
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    result = planned(spec).store("conversations")
    assert result.instances_per_region == 3 and result.instance_class == "db.r6g.large"


def test_active_active_dynamodb_is_multi_writer() -> None:
    spec = aws()
    spec["topology"]["pattern"] = "active-active"
    del spec["topology"]["standby"]
    for r in spec["topology"]["regions"]:
        r["role"] = "active"
    result = planned(spec)
    assert all(s.multi_writer for s in result.stores)
    assert all(r.serving and r.compute == "full" for r in result.regions)


def test_postgres_with_a_zero_zone_rpo_uses_a_synchronous_standby() -> None:
    spec = kubernetes()
    spec["objectives"] = {"disruptions": {"zone": {"rto": "5m", "rpo": "0s"}}}
    store = planned(spec).store("findings")
    assert store.synchronous_in_region and "nothing lost" in store.on_zone_loss
    spec["objectives"] = {"disruptions": {"zone": {"rto": "5m", "rpo": "5s"}}}
    assert not planned(spec).store("findings").synchronous_in_region


def test_strong_consistency_over_two_regions_gets_a_witness_and_says_so_on_region_loss() -> None:
    spec = aws()  # us-east-1 (primary) and us-west-2 (standby)
    store(spec, "conversations")["replication"] = "sync"
    result = planned(spec)
    strong = result.store("conversations")
    assert strong.witness_region == "us-east-2"
    assert "witness in us-east-2: nothing lost" in strong.on_region_loss
    assert result.store("idempotency").witness_region is None  # async: no quorum, no witness
    assert planned(single_region(spec)).store("conversations").witness_region is None  # one region


def test_a_redis_store_on_kubernetes_is_not_flagged_any_more_its_traffic_is_tls() -> None:
    # Every Redis connection on Kubernetes is TLS (components/kubernetes/state_store.py,
    # tests/components/kubernetes/test_state_store.py): the plan no longer warns.
    spec = kubernetes()
    assert any(s["engine"] == "redis" for s in spec["stores"])
    assert not [f for f in planned(spec).findings if "tls" in f.code or "encrypt" in f.message]


def test_idempotency_store_is_added_to_the_agents_uses() -> None:
    spec = aws()
    agent(spec, "action-executor")["uses"] = []
    result = planned(spec)
    assert result.agent("action-executor").uses == ("idempotency",)
    assert result.store("idempotency").users == ("action-executor",)


def test_queue_placement_and_dead_letters() -> None:
    result = planned(aws())
    inbound = result.queue("inbound")
    assert inbound.regions == ("us-east-1", "us-west-2")
    assert inbound.fifo and inbound.physical_name == "support-agent-inbound.fifo"
    assert inbound.dead_letter_physical_name == "support-agent-inbound-dlq.fifo"
    assert inbound.dead_letter_resource == "support-agent-inbound-dlq"
    assert (inbound.visibility_timeout_s, inbound.retention_s, inbound.dead_letter_retention_s) == (
        300,
        4 * 86400,
        14 * 86400,
    )
    assert inbound.consumers == ("conversation",) and inbound.producers == ()
    actions = result.queue("actions")
    assert not actions.fifo and actions.producers == ("conversation",) and actions.consumers == ("action-executor",)
    assert planned(single_region(aws())).queue("inbound").regions == ("us-east-1",)


def test_queue_physical_names_carry_the_environment() -> None:
    """dev and prod of one system must be able to share an account and region without clashing."""
    spec = aws()
    spec["environments"] = {"dev": {}, "prod": {}}
    names = {env: planned(spec, env).queue("inbound") for env in ("dev", "prod")}
    assert names["dev"].physical_name == "support-agent-dev-inbound.fifo"
    assert names["prod"].dead_letter_physical_name == "support-agent-prod-inbound-dlq.fifo"


def test_secret_placement() -> None:
    secret = planned(aws()).secrets[0]
    assert (secret.primary_region, secret.replica_regions, secret.users) == (
        "us-east-1",
        ("us-west-2",),
        ("conversation",),
    )
    assert planned(single_region(aws())).secrets[0].replica_regions == ()


# --- routing -------------------------------------------------------------------------------------


def test_routing_failover_records() -> None:
    routing = planned(aws()).routing
    assert routing is not None
    assert routing.mode == "failover" and routing.automatic
    assert [(r.region, r.failover_role, r.set_identifier) for r in routing.records] == [
        ("us-east-1", "PRIMARY", "us-east-1-primary"),
        ("us-west-2", "SECONDARY", "us-west-2-secondary"),
    ]
    assert (routing.interval_s, routing.failure_threshold, routing.ttl_s) == (10, 3, 60)
    assert routing.health_path == "/readyz" and routing.domain == "support.acme.example"


def test_routing_latency_records_for_active_active() -> None:
    spec = aws()
    spec["topology"]["pattern"] = "active-active"
    del spec["topology"]["standby"]
    for r in spec["topology"]["regions"]:
        r["role"] = "active"
    routing = planned(spec).routing
    assert routing is not None and routing.mode == "latency"
    assert [(r.region, r.failover_role) for r in routing.records] == [("us-east-1", None), ("us-west-2", None)]


def test_routing_single_region_and_no_ingress() -> None:
    routing = planned(single_region(aws())).routing
    assert routing is not None and routing.mode == "single" and len(routing.records) == 1
    spec = kubernetes()
    assert planned(spec).routing is None


def test_hosted_zone_trailing_dot_is_dropped() -> None:
    spec = aws()
    spec["ingress"]["hosted_zone"] = "acme.example."
    routing = planned(spec).routing
    assert routing is not None and routing.hosted_zone == "acme.example"


def test_load_balancer_health_check_is_fitted_to_alb_bounds() -> None:
    assert lb_health_check(ProbePlan("/r", 1, 1, 0.5)) == ProbePlan("/r", 5, 2, 2)
    assert lb_health_check(ProbePlan("/r", 500, 50, 400)) == ProbePlan("/r", 300, 10, 120)
    assert lb_health_check(ProbePlan("/r", 5, 3, 10)) == ProbePlan("/r", 5, 3, 4)  # timeout below interval
    assert lb_health_check(None) is None


def test_agent_env_carries_resilience_settings() -> None:
    spec = aws()
    agent(spec, "conversation")["env"] = {"EXTRA": "1"}
    env = dict(planned(spec).agent("conversation").env)
    assert env["AGENTHA_RETRY_MAX_ATTEMPTS"] == "3"
    assert env["AGENTHA_CIRCUIT_BREAKER_ENABLED"] == "true"
    assert env["OTEL_SERVICE_NAME"] == "support-agent-conversation"
    assert env["EXTRA"] == "1"
    assert list(env) == sorted(env)


def test_workers_without_a_port_have_no_probes() -> None:
    worker = planned(kubernetes()).agent("worker")
    assert worker.port is None and worker.liveness is None and worker.readiness is None
    assert worker.lb_health_check is None


def test_drills_carry_the_expected_recovery() -> None:
    result = planned(aws())
    zone, region = result.chaos.drills
    assert (zone.name, zone.disruption, zone.expected_rto_s, zone.expected_rpo_s) == ("zone-outage", "zone", 15, 0)
    assert (region.name, region.expected_rto_s, region.expected_rpo_s) == ("region-outage", 315, 30 + 180)
    assert region.target == "region us-east-1" and len(region.runbook) >= 3


# --- determinism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.parent.name)
def test_plan_is_deterministic_and_serialisable(path) -> None:
    first = plan(load_spec(path).spec)
    second = plan(load_spec(path).spec)
    assert first == second
    text = json.dumps(first.to_json(), sort_keys=True)
    assert text == json.dumps(second.to_json(), sort_keys=True)
    data = json.loads(text)
    assert data["system"] == first.system
    assert all("met" in e and "margin" in e for e in data["estimates"])


def test_plan_does_not_depend_on_dict_order_of_tags() -> None:
    a, b = aws(), aws()
    a["metadata"]["tags"] = {"x": "1", "y": "2"}
    b["metadata"]["tags"] = {"y": "2", "x": "1"}
    assert planned(a).to_json() == planned(b).to_json()


def test_read_only_root_is_the_default_and_follows_the_spec() -> None:
    spec = aws()
    assert planned(spec).agent("conversation").read_only_root is True
    agent(spec, "conversation")["read_only_root"] = False
    result = planned(spec)
    assert result.agent("conversation").read_only_root is False
    assert result.agent("action-executor").read_only_root is True


def test_single_zone_stores_say_they_go_down_with_the_zone() -> None:
    spec = kubernetes()
    spec["topology"] = {"pattern": "single-zone", "regions": [{"name": "europe-west4", "zones": ["europe-west4-a"]}]}
    spec.get("objectives", {}).get("disruptions", {}).pop("region", None)
    if "chaos" in spec:
        spec["chaos"]["drills"] = [d for d in spec["chaos"].get("drills", []) if d != "region-outage"]
    result = planned(spec)
    assert result.stores and all("only zone" in s.on_zone_loss for s in result.stores)


def test_active_active_stores_say_how_regions_write_them() -> None:
    from blueprints.spec.loader import load_spec
    from tests.conftest import EXAMPLES

    p = plan(load_spec(EXAMPLES / "claims-aws" / "spec.yaml").spec)
    claims, ledger = p.store("claims"), p.store("policy-ledger")
    assert claims is not None and ledger is not None
    assert (claims.writes, claims.multi_writer, claims.replication) == ("multi-region", True, "sync")
    assert claims.witness_region == "us-west-2" and claims.instances_per_region == 0
    assert "writes continue in the other region's peered cluster" in claims.on_region_loss
    assert (ledger.writes, ledger.multi_writer, ledger.primary_region) == ("primary-region", False, "us-east-1")
    assert "stops writes in every region until a secondary (us-east-2) is promoted" in ledger.on_region_loss


def test_kubernetes_active_active_plans_cockroachdb_and_a_primary_region_postgres() -> None:
    from blueprints.figures import for_spec
    from blueprints.plan.reliability import build
    from tests.conftest import EXAMPLES

    spec = load_spec(EXAMPLES / "claims-kubernetes" / "spec.yaml").spec
    p = plan(spec)
    claims, ledger = p.store("claims"), p.store("policy-ledger")
    assert claims is not None and ledger is not None
    assert (claims.engine, claims.writes, claims.multi_writer, claims.replication) == (
        "cockroachdb",
        "multi-region",
        True,
        "sync",
    )
    assert claims.regions == ("us-east-1", "us-east-2", "us-west-2") and claims.instances_per_region == 3
    assert "writes continue in every other region" in claims.on_region_loss
    assert "3 different regions" in claims.on_region_loss
    assert (ledger.writes, ledger.primary_region) == ("primary-region", "us-east-1")
    assert "stops writes in every region until a secondary (us-east-2, us-west-2) is promoted" in ledger.on_region_loss
    assert p.region("us-east-2").pod_cidrs == ("10.62.0.0/16",)
    # The network path and the round trip are stated, with the figure they rest on.
    paths = {f.path: f.message for f in p.findings if f.code == "cross-region-writes"}
    assert "over the cross-region pod network" in paths["stores.policy-ledger"]
    assert "70 ms, figure cross-region-rtt" in paths["stores.policy-ledger"]
    assert "at least one round trip" in paths["stores.claims"]
    # CockroachDB loses nothing with a region; only the single-writer ledger stops writes on us-east-1's loss.
    model = build(spec, p, for_spec(spec.assumptions))
    assert model.writer_region == "us-east-1" and model.write_failover_s > model.failover_s
    rpo = next(e for e in p.estimates if e.kind == "rpo" and e.disruption == "region")
    assert any("CockroachDB acknowledges a write once a majority" in a for a in rpo.assumptions)


def test_cockroachdb_zone_failover_is_its_lease_expiry() -> None:
    from tests.conftest import EXAMPLES

    p = plan(load_spec(EXAMPLES / "claims-kubernetes" / "spec.yaml").spec)
    assert p.timing is not None
    (step,) = [s for s in p.timing.zone_recovery if s.part == "store:claims"]
    assert step.seconds == 15 and step.mechanism == "cockroachdb-failover"


def test_current_primary_moves_the_single_writer_of_kubernetes_active_active() -> None:
    from blueprints.figures import for_spec
    from blueprints.plan.reliability import build
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "claims-kubernetes" / "spec.yaml").read_text(encoding="utf-8")
    text = text.replace("    mode: automatic\n", "    mode: automatic\n    current_primary: us-east-2\n")
    spec = load_text(text).spec
    p = plan(spec)
    assert p.store("policy-ledger").primary_region == "us-east-2"
    assert p.store("claims").primary_region == "us-east-1"  # one cluster: no primary to move
    assert build(spec, p, for_spec(spec.assumptions)).writer_region == "us-east-2"
