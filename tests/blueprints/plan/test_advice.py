"""Advice: for each missed objective, the cheapest single change that meets it (or the closest one)."""

from __future__ import annotations

from typing import Any

from blueprints.plan.models import Estimate
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import agent, aws, dump, kubernetes, store


def estimate(spec: dict[str, Any], kind: str, disruption: str | None, env: str | None = None) -> Estimate:
    result = plan(load_text(dump(spec), "spec.yaml", env).spec, env)
    return next(e for e in result.estimates if (e.kind, e.disruption) == (kind, disruption))


def test_met_objectives_carry_no_suggestion() -> None:
    spec = aws()
    # Objectives aws() meets: SQS, DynamoDB and KMS sit in series (readiness exercises none of them),
    # and the region RPO is the replication-lag alarm's bound (30 s + 3 min).
    spec["objectives"]["availability"] = 99.8
    spec["objectives"]["disruptions"]["region"]["rpo"] = "5m"
    result = plan(load_text(dump(spec), "spec.yaml").spec)
    assert result.objectives_met
    assert all(e.suggestion is None for e in result.estimates)


def test_region_rto_first_candidate_that_meets_it_wins() -> None:
    # Public ingress: Route 53 HTTPS check 10s × 3 + propagation 60s + alias TTL 60s = 150s;
    # failing after 2 checks gives 140s. (The spec's dns_ttl is no candidate: aliases keep 60s.)
    spec = aws()
    spec["ingress"]["public"] = True
    spec["objectives"]["disruptions"]["region"]["rto"] = "2m20s"
    est = estimate(spec, "rto", "region")
    assert est.value == 150 and est.met is False
    assert est.suggestion == (
        "cheapest change that meets it: health_check interval 10s, failure_threshold 2 (gives 2m20s)"
    )


def test_no_region_rto_advice_that_the_deployed_system_ignores() -> None:
    # Private ingress on AWS: the region fails over on the CloudWatch alarm and alias records keep
    # their 60s TTL, so neither dns_ttl nor failover.health_check may be offered (they change nothing).
    spec = aws()
    spec["topology"]["failover"]["dns_ttl"] = "5m"
    spec["objectives"]["disruptions"]["region"]["rto"] = "2m"
    est = estimate(spec, "rto", "region")
    assert est.value == 315 and est.met is False
    assert est.suggestion is not None
    assert "dns_ttl" not in est.suggestion and "health_check" not in est.suggestion


def test_pilot_light_to_warm() -> None:
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    spec["objectives"]["disruptions"]["region"]["rto"] = "5m20s"
    est = estimate(spec, "rto", "region")
    assert est.value == 370 and est.met is False
    assert est.suggestion == "cheapest change that meets it: standby: warm (gives 5m15s)"


def test_manual_failover_to_automatic() -> None:
    spec = aws()
    spec["topology"]["failover"]["mode"] = "manual"
    spec["objectives"]["disruptions"]["region"]["rto"] = "5m30s"
    est = estimate(spec, "rto", "region")
    assert est.suggestion == "cheapest change that meets it: failover.mode: automatic (gives 5m15s)"


def test_single_region_availability_gets_a_standby_region() -> None:
    spec = aws()
    spec["topology"] = {
        "pattern": "multi-zone",
        "regions": [{"name": "us-east-1", "zones": ["us-east-1a", "us-east-1b", "us-east-1c"]}],
    }
    del spec["objectives"]["disruptions"]["region"]
    spec["chaos"]["drills"] = ["zone-outage"]
    # One region: 99.868 %; a warm standby takes over Compute and ELB outages (SQS, DynamoDB and KMS stay
    # in series): 99.887 %.
    spec["objectives"]["availability"] = 99.88
    est = estimate(spec, "availability", None)
    assert est.met is False
    assert est.suggestion is not None
    assert est.suggestion.startswith("cheapest change that meets it: add a warm standby region")


def test_zone_rto_readiness_probes() -> None:
    spec = aws()
    spec["objectives"]["disruptions"]["zone"]["rto"] = "10s"
    est = estimate(spec, "rto", "zone")
    assert est.value == 15
    assert est.suggestion == "cheapest change that meets it: readiness probes every 5s, failing after 2 (gives 10s)"


def test_a_change_the_spec_already_has_is_never_suggested() -> None:
    # The spec already rolls out canary with auto_rollback; suggesting it again helped nobody.
    spec = aws()
    spec["objectives"]["disruptions"]["application"]["rto"] = "2m"
    est = estimate(spec, "rto", "application")
    assert est.met is False
    assert est.suggestion is not None
    assert "canary" not in est.suggestion
    assert est.suggestion.startswith("no single change meets it")


def without_ttl(spec: dict) -> dict:
    """Multi-region strong consistency has no Time to Live, so the idempotency keys must not expire by TTL."""
    for st in spec["stores"]:
        st.pop("ttl_attribute", None)
    return spec


def test_region_rpo_below_the_lag_in_two_regions_of_one_set_suggests_sync_with_a_witness() -> None:
    spec = without_ttl(aws())  # us-east-1 and us-west-2
    spec["objectives"]["disruptions"]["region"]["rpo"] = "500ms"
    est = estimate(spec, "rpo", "region")
    assert est.value == 30 + 180 and est.met is False  # the replication-lag alarm's bound
    assert est.suggestion == (
        "cheapest change that meets it: replication: sync on every dynamodb store "
        "(multi-region strong consistency) (gives 0s)"
    )


def test_region_rpo_below_the_lag_across_region_sets_does_not_ask_for_a_second_region() -> None:
    spec = aws()
    spec["topology"]["regions"][1] = {"name": "eu-west-1", "role": "standby", "zones": ["eu-west-1a", "eu-west-1b"]}
    spec["objectives"]["disruptions"]["region"]["rpo"] = "500ms"
    est = estimate(spec, "rpo", "region")
    assert est.value == 30 + 180 and est.met is False  # the replication-lag alarm's bound
    assert est.suggestion is not None
    assert "second region" not in est.suggestion
    assert "relax the region RPO" in est.suggestion


def test_region_rpo_with_three_dynamodb_regions_suggests_sync() -> None:
    spec = without_ttl(aws())
    spec["topology"]["regions"].append(
        {"name": "us-east-2", "role": "standby", "zones": ["us-east-2a", "us-east-2b", "us-east-2c"]}
    )
    spec["objectives"]["disruptions"]["region"]["rpo"] = "500ms"
    est = estimate(spec, "rpo", "region")
    assert (
        est.suggestion
        == "cheapest change that meets it: replication: sync on every dynamodb store (multi-region strong "
        "consistency) (gives 0s)"
    )


# --- advice is valid for the target and re-planned under the same model (issue 10, item 9) ------


def test_sync_replication_is_not_offered_where_the_spec_rules_would_refuse_it() -> None:
    # The idempotency store expires keys by TTL, which DynamoDB multi-region strong consistency lacks:
    # the old advice offered `replication: sync` anyway, a spec `validate` then rejects.
    spec = aws()
    spec["objectives"]["disruptions"]["region"]["rpo"] = "500ms"
    est = estimate(spec, "rpo", "region")
    assert est.suggestion is not None and not est.suggestion.startswith("cheapest change")
    assert "replication: sync on every dynamodb store (multi-region strong consistency) (gives" not in est.suggestion


def test_kubernetes_never_gets_dynamodb_advice() -> None:
    spec = kubernetes()
    spec["topology"]["pattern"] = "active-passive"
    spec["topology"]["regions"].append(
        {"name": "us-central1", "role": "standby", "zones": ["us-central1-a", "us-central1-b", "us-central1-c"]}
    )
    spec["objectives"] = {"disruptions": {"region": {"rto": "1h", "rpo": "1s"}}}
    est = estimate(spec, "rpo", "region")
    assert est.met is False and est.suggestion is not None
    assert "dynamodb" not in est.suggestion.split(";")[0]


def test_kubernetes_may_be_advised_a_third_zone() -> None:
    spec = kubernetes()
    region = spec["topology"]["regions"][0]
    region["zones"] = region["zones"][:2]
    spec["objectives"] = {"availability": 99.99}
    est = estimate(spec, "availability", None)
    plan_now = plan(load_text(dump(spec), "spec.yaml").spec)
    assert est.met is False and est.suggestion is not None
    assert est.suggestion.startswith("cheapest change that meets it: three zones per region") or (
        "three zones per region" in est.suggestion
    ), est.suggestion
    assert plan_now.region(region["name"]).zones == tuple(region["zones"])


def test_more_zones_follows_the_regions_zone_naming() -> None:
    from blueprints.plan.advice import _more_zones

    spec = kubernetes()
    spec["topology"]["regions"][0]["zones"] = ["europe-west4-a", "europe-west4-b"]
    changed = _more_zones(load_text(dump(spec), "spec.yaml").spec)
    assert changed is not None and changed.topology.regions[0].zones == [
        "europe-west4-a",
        "europe-west4-b",
        "europe-west4-c",
    ]
    spec = aws()
    for region in spec["topology"]["regions"]:
        region["zones"] = region["zones"][:2]
    changed = _more_zones(load_text(dump(spec), "spec.yaml").spec)
    assert changed is not None and changed.topology.regions[0].zones[-1] == "us-east-1c"


def test_zone_rpo_advises_marking_a_cache_as_a_cache() -> None:
    spec = kubernetes()
    store(spec, "cache")["cache"] = False  # redis with asynchronous replicas now counts toward RPO
    spec["objectives"] = {"disruptions": {"zone": {"rto": "5m", "rpo": "0s"}}}
    est = estimate(spec, "rpo", "zone")
    assert est.met is False
    assert est.suggestion is not None and est.suggestion.startswith("cheapest change that meets it: cache: true")
    assert "cannot be rebuilt" in est.suggestion


def test_every_suggested_value_is_what_the_full_plan_gives() -> None:
    # Advice re-plans under the same model: the value a suggestion quotes is the plan of the changed spec.
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    spec["objectives"]["disruptions"]["region"]["rto"] = "5m20s"
    est = estimate(spec, "rto", "region")
    assert est.suggestion == "cheapest change that meets it: standby: warm (gives 5m15s)"
    spec["topology"]["standby"] = "warm"
    assert estimate(spec, "rto", "region").value == 315


def test_unstated_readiness_coverage_is_advised_with_the_condition_it_rests_on() -> None:
    # Readiness that covers nothing leaves SQS and DynamoDB in series: the cheapest honest change is to
    # make /readyz check them and say so, and the value quoted is the re-planned one.
    spec = aws()
    est = estimate(spec, "availability", None)
    assert est.met is False and est.suggestion is not None
    assert est.suggestion.startswith(
        "cheapest change that meets it: make the ingress agent's /readyz check its stores, queues and dependencies"
    )
    probes = agent(spec, "conversation").setdefault("probes", {})
    probes.setdefault("readiness", {"path": "/readyz", "period": "5s"})
    probes["readiness"]["covers"] = ["conversations", "idempotency", "inbound", "actions"]
    covered = estimate(spec, "availability", None)
    assert covered.met is True and covered.value is not None and covered.value > (est.value or 0)
    assert est.suggestion.endswith(f"(gives {covered.value:.4f}%)")


def test_automatic_failover_promotes_aurora_through_the_region_switch_plan() -> None:
    # A pilot light with an Aurora store. Before the ARC Region switch plan (issue 15) the store was
    # promoted by hand in either mode, so automatic failover bought nothing. The plan's trigger now
    # promotes it (trigger, scale-out, Aurora block), so automatic failover is a real gain, and the
    # advice names it with its re-planned value.
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    spec["topology"]["standby"] = "pilot-light"
    spec["topology"]["failover"]["mode"] = "manual"
    probes = agent(spec, "conversation").setdefault("probes", {})
    probes.setdefault("readiness", {"path": "/readyz", "period": "5s"})
    probes["readiness"]["covers"] = ["conversations", "idempotency", "inbound", "actions"]
    spec["objectives"]["availability"] = 99.99
    manual = estimate(spec, "availability", None)
    spec["topology"]["failover"]["mode"] = "automatic"
    automatic = estimate(spec, "availability", None)
    assert automatic.value is not None and manual.value is not None and automatic.value > manual.value
    assert manual.met is False and manual.suggestion is not None
    assert f"failover.mode: automatic (gives {automatic.value:.4f}%)" in manual.suggestion
