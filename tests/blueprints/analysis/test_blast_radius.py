"""Blast radius of the bundled examples, with expectations worked out by hand from each spec.

The arithmetic in each comment is done from the spec and the figures table (blueprints/data/
figures.yaml), not copied from the output: what each disruption breaks, what breaches, and why.
"""

from __future__ import annotations

from pathlib import Path

from blueprints.analysis.blast_radius import BlastRadius, analyse
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_spec
from tests.conftest import EXAMPLES, synthesized

SUPPORT = EXAMPLES / "support-agent" / "spec.yaml"
ORDERS = EXAMPLES / "order-routing" / "spec.yaml"
RESEARCH = EXAMPLES / "research-agent" / "spec.yaml"


def radius(path: Path, env: str | None = "prod", graph=None) -> BlastRadius:
    spec = load_spec(path, env).spec
    return analyse(spec, plan(spec, env), graph)


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / "spec.yaml"
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


# --- support-agent (aws, active-passive, warm standby, public ingress) ----------------------------


def test_support_agent_zone_loss_keeps_every_agent_at_min() -> None:
    br = radius(SUPPORT)
    # conversation: min 3 over three zones, planned 5 as 2+2+1 so that losing a 2-replica zone
    # leaves 3; action-executor: min 2 as 1+1+1 leaves 2. Both statically stable.
    zone = br.disruption("zone:us-east-1a")
    conversation = zone.effect("agent:conversation")
    assert conversation is not None and conversation.status == "ok"
    assert conversation.cell == "3/5 (min 3)"
    executor = zone.effect("agent:action-executor")
    assert executor is not None and executor.cell == "2/3 (min 2)"
    # DynamoDB is multi-zone: no writer to lose; SQS keeps the messages, in-flight ones come back
    # after the 5m visibility timeout.
    assert zone.effect("store:conversations").status == "ok"  # type: ignore[union-attr]
    assert zone.effect("queue:inbound").cell == "delayed ≤ 5m"  # type: ignore[union-attr]
    # Zone RTO: the load balancer's check (readiness 5s × 3) = 15s, inside the 2m objective.
    assert (zone.rto_s, zone.rpo_s) == (15.0, 0.0)
    assert zone.covered and not zone.breaches


def test_support_agent_region_loss_moves_users_to_the_standby_within_the_objective() -> None:
    br = radius(SUPPORT)
    region = br.disruption("region:us-east-1")
    # Public ingress: Route 53 HTTPS check 10s × 3 = 30s, then 60s propagation + the 60s alias TTL.
    assert region.rto_s == 150.0
    # Async global tables bounded by the lag alarm: 30s threshold + 3 × 60s evaluation = 3m30s.
    assert region.rpo_s == 210.0
    assert not region.breaches  # objectives 15m / 5m
    assert "us-west-2" in region.effect("routing").detail  # type: ignore[union-attr]
    # The standby region's loss touches no user.
    standby = br.disruption("region:us-west-2")
    assert (standby.rto_s, standby.rpo_s) == (0.0, 0.0)
    assert standby.effect("routing").status == "ok"  # type: ignore[union-attr]


def test_support_agent_broker_outage_fails_the_region_over_because_readiness_covers_the_queues() -> None:
    # conversation's /readyz covers inbound and actions: an SQS outage makes the region unready and
    # Route 53 moves users, as for a region loss (the reliability model's failover time).
    br = radius(SUPPORT)
    broker = br.disruption("broker:us-east-1")
    assert broker.rto_s == br.disruption("region:us-east-1").rto_s == 150.0
    assert not broker.covered  # the objectives name no broker outage


def test_support_agent_model_provider_outage_falls_back_and_the_fallback_alone_breaks_nothing() -> None:
    br = radius(SUPPORT)
    outage = br.disruption("dependency:model-api")
    effect = outage.effect("agent:conversation")
    assert effect is not None and effect.status == "degraded" and "model-api-backup" in effect.detail
    assert outage.effect("agent:action-executor").status == "ok"  # type: ignore[union-attr]
    # model-api-backup is only reached as model-api's fallback: its outage alone is not a disruption.
    assert "dependency:model-api-backup" not in {d.id for d in br.disruptions}


def test_the_provider_outage_lasts_the_gateways_switch_the_availability_estimate_counts() -> None:
    # One model of time: the gateway answers from the fallback after its attempts on model-api (support-agent:
    # gateway.retries 0, model-api's timeout 30 s: 1 × 30 s). The blast radius said "unbounded, the plan does
    # not time the switch" while the availability estimate counted 30 s per outage.
    from blueprints.figures import figures
    from blueprints.plan.reliability import build

    spec = load_spec(SUPPORT, "prod").spec
    planned = plan(spec, "prod")
    br = analyse(spec, planned, None)
    outage = br.disruption("dependency:model-api")
    (group,) = [g for g in build(spec, planned, figures()).groups if g.name == "model-api"]
    assert outage.rto_s == group.switch_s == 30.0 and outage.rpo_s == 0.0
    assert "1 attempt(s) × 30 s timeout" in outage.basis
    detail = outage.effect("agent:conversation").detail  # type: ignore[union-attr]
    assert "up to 30s" in detail and "for 5m at a time" in detail  # the gateway's cooldown, from the spec


def test_support_agent_dev_has_one_region_and_no_region_objective() -> None:
    br = radius(SUPPORT, "dev")
    region = br.disruption("region:us-east-1")
    assert region.rto_s is None and not region.covered  # unbounded, but dev sets region: null
    assert not br.breached


# --- order-routing (aws, active-active, private ingress) --------------------------------------------


def test_order_routing_region_loss_is_5m15s_against_6m() -> None:
    br = radius(ORDERS)
    for name in ("eu-west-1", "eu-central-1"):
        region = br.disruption(f"region:{name}")
        # Private ingress: LB check 5s × 3 + alarm 60s × 2 + 60s metric delay = 3m15s; switch
        # 60s propagation + 60s alias TTL: 5m15s. RPO: 10s lag alarm + 3 × 60s = 3m10s.
        assert (region.rto_s, region.rpo_s) == (315.0, 190.0)
        assert not region.breaches
    # Active-active: the other region already serves, with the router's 2+... replicas at min.
    effect = br.disruption("region:eu-west-1").effect("agent:router")
    assert effect is not None and effect.status == "ok"


def test_order_routing_as_first_written_breaches_its_5m_region_rto(tmp_path: Path) -> None:
    spec = edited(tmp_path, ORDERS, "region:      {rto: 6m,  rpo: 5m}", "region:      {rto: 5m,  rpo: 5m}")
    br = radius(spec)
    # 5m15s > 5m in both regions; zones, deploys and the broker are unaffected by the change.
    assert {d.id for d in br.breached} == {"region:eu-west-1", "region:eu-central-1"}
    assert br.disruption("region:eu-west-1").breaches == ("RTO 5m15s > 5m",)


# --- research-agent (kubernetes, one region, three zones) -------------------------------------------


def test_research_agent_store_primary_loss_is_the_slowest_zone_step() -> None:
    br = radius(RESEARCH)
    # findings: CloudNativePG failover 30s + the node grace 50s before Kubernetes calls the node
    # lost = 1m20s, which is also the zone RTO; synchronous standby, so nothing is lost.
    findings = br.disruption("store:findings")
    assert (findings.rto_s, findings.rpo_s) == (80.0, 0.0)
    assert br.disruption("zone:europe-west4-a").rto_s == 80.0
    # source-cache: Sentinel down-after 5s (as built) + election 10s = 15s; a cache: nothing to lose.
    cache = br.disruption("store:source-cache")
    assert (cache.rto_s, cache.rpo_s) == (15.0, 0.0)
    # Three RabbitMQ replicas over three zones: a zone loss leaves 2 of 3, a majority.
    queue = br.disruption("zone:europe-west4-b").effect("queue:research-tasks")
    assert queue is not None and queue.cell == "quorum 2/3"


def test_research_agent_region_and_broker_are_unbounded_but_not_objectives() -> None:
    br = radius(RESEARCH)
    region = br.disruption("region:europe-west4")
    assert region.rto_s is None and not region.covered
    assert region.effect("routing").status == "down"  # type: ignore[union-attr]
    broker = br.disruption("broker:europe-west4")
    assert broker.rto_s is None and not broker.covered
    assert not br.breached


def test_research_agent_one_minute_zone_rto_is_broken_by_the_database_not_the_cache(tmp_path: Path) -> None:
    spec = edited(tmp_path, RESEARCH, "zone:        {rto: 3m,  rpo: 0s}", "zone:        {rto: 1m,  rpo: 0s}")
    br = radius(spec)
    breached = {d.id for d in br.breached}
    # 1m20s > 1m for every zone and for the findings primary; the cache's 15s failover fits.
    assert "store:findings" in breached and "store:source-cache" not in breached
    assert {f"zone:europe-west4-{z}" for z in "abc"} <= breached


# --- resources from the graph -----------------------------------------------------------------------


def test_zone_and_region_list_the_resources_placed_there() -> None:
    spec = load_spec(SUPPORT, "prod").spec
    graph = synthesized("examples/support-agent/spec.yaml", "prod").graph
    br = analyse(spec, plan(spec, "prod"), graph)
    zone = br.disruption("zone:us-east-1a")
    names = {r.name for r in zone.resources}
    assert "support-agent-network-private-subnet-us-east-1a" in names
    assert all("us-east-1a" in n for n in names)
    region = br.disruption("region:us-east-1")
    types = {r.type for r in region.resources}
    assert "aws:ecs/service:Service" in types and "aws:dynamodb/table:Table" in types
    assert all(r.region == "us-east-1" for r in region.resources)
    # Route 53 and IAM have no region: losing us-east-1 does not make them unreachable.
    assert not any(t.startswith(("aws:route53/", "aws:iam/")) for t in types)
    deploy = br.disruption("deploy:conversation")
    assert {r.type for r in deploy.resources} >= {"aws:ecs/service:Service"}
    assert br.graph and not radius(SUPPORT).graph
