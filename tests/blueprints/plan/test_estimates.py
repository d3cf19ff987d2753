"""Estimates against hand-computed values from blueprints/data/figures.yaml.

Figures used (seconds unless a percent): Compute 99.99, ELB multi-AZ 99.99, SQS 99.9, DynamoDB
99.99, KMS 99.999, Route 53 100; Route 53 propagation 60, Fargate task start 45, autoscaling
reaction 180, alarm detection 180, traffic shift back 10, Aurora global promotion 60, k8s node
grace 50, k8s pod start 30, CNPG failover 30, Redis failover 30, RabbitMQ leader election 30,
k8s zone and aws zone 99.99, k8s ingress 99.99; outage-* mean outage lengths, common-cause-region 2 %.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from blueprints.figures import figures
from blueprints.plan.estimates import _k_of_n
from blueprints.plan.models import Estimate
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.blueprints.plan.test_planner import single_region
from tests.blueprints.spec.rules.helpers import agent, aws, dump, kubernetes, store

A_REGION_AWS = 0.9999 * 0.9999 * 0.999 * 0.9999 * 0.99999  # compute, ELB, SQS, DynamoDB, KMS


def est(spec: dict[str, Any], kind: str, disruption: str | None = None) -> Estimate:
    result = plan(load_text(dump(spec), "spec.yaml").spec)
    return next(e for e in result.estimates if (e.kind, e.disruption) == (kind, disruption))


def test_figures_are_the_ones_this_module_computes_with() -> None:
    f = figures()
    assert [f.value(i) for i in ("aws-compute-region", "aws-elb-multi-az", "aws-sqs", "aws-dynamodb", "aws-kms")] == [
        99.99,
        99.99,
        99.9,
        99.99,
        99.999,
    ]
    assert f.value("aws-route53") == 100


# --- availability --------------------------------------------------------------------------------
# The closed form of the reliability model: each contribution computed here by hand from the figures
# (mean outage lengths and the 2 % common-cause share are assumption figures), then multiplied in series.

BETA = 0.02  # common-cause share of region failures (an assumption figure)
ZONE = 0.9999  # aws-zone / k8s-zone: an assumption (no provider publishes a zone's availability)
SERVICE_OUTAGE = figures().value("outage-service")  # mean outage lengths: assumption figures
ZONE_OUTAGE = figures().value("outage-zone")


def e_min(limit: float, mean: float = SERVICE_OUTAGE) -> float:
    """E[min(limit, L)] for an exponential outage L of mean `mean`."""
    return mean * (1 - math.exp(-limit / mean))


def zone_losses(cost: float, zones: int = 3) -> float:
    """Unavailability of the zone losses a region survives: rate × E[min(cost, L)] per zone."""
    return zones * (1 - ZONE) / ZONE_OUTAGE * e_min(cost, ZONE_OUTAGE)


def series(*unavailabilities: float) -> float:
    return math.prod(1 - u for u in unavailabilities)


def test_availability_series_in_one_region() -> None:
    e = est(single_region(aws()), "availability")
    beyond = 1 - _k_of_n(3, 1, ZONE)
    expected = A_REGION_AWS * series(zone_losses(15), beyond)  # ALB detection 5s × 3 per zone loss
    assert e.value == pytest.approx(expected * 100, abs=1e-6)
    assert e.formula.startswith("A = Π(1 − U_i)")
    assert {t.figure for t in e.terms} >= {
        "aws-compute-region",
        "aws-elb-multi-az",
        "aws-sqs",
        "aws-dynamodb",
        "aws-kms",
    }


def _failover_closed_form(failover: float, blind: float = 0.0, detected: tuple[float, ...] = (1e-4, 1e-4)) -> float:
    """aws(): Compute and ELB fail over; SQS, DynamoDB, KMS (not exercised by readiness) in series."""

    def per_failure(mean: float) -> float:
        quick = e_min(failover, mean)
        return quick + blind * (mean - quick)

    kofn = _k_of_n(3, 1, ZONE)
    beyond_u = 1 - kofn
    beyond_rate = 3 * (1 - ZONE) ** 2 * ZONE / (ZONE_OUTAGE / 2)  # two zones down until either returns
    region_u = 1 - math.prod(1 - u for u in detected) * kofn
    # The warm standby runs 1 + 1 + 1 replicas of an agent whose min is 3: it survives no zone loss.
    standby_u = 1 - math.prod(1 - u for u in detected) * ZONE**3
    return series(
        1e-3,  # SQS
        1e-4,  # DynamoDB
        1e-5,  # KMS
        zone_losses(15),
        *((1 - BETA) * u / SERVICE_OUTAGE * per_failure(SERVICE_OUTAGE) for u in detected),
        (1 - BETA) * beyond_rate * per_failure(beyond_u / beyond_rate),
        BETA * region_u,
        (1 - BETA) ** 2 * region_u * standby_u,
    )


def test_a_region_failure_costs_the_failover_time() -> None:
    # Audit item 1: a standby region is no perfect, instant parallel component. aws() has a private
    # ingress: detection 195 s (ALB 15 s + alarm 2 × 60 s + metric delay 60 s), switch 120 s; a region
    # failure that starts while CloudWatch is down (0.1 %) is never failed over.
    e = est(aws(), "availability")
    assert e.value == pytest.approx(_failover_closed_form(315, blind=1e-3) * 100, abs=1e-6)
    assert e.value < 99.9  # SQS alone, in series, costs 0.1 %
    failover = next(t for t in e.terms if t.label.startswith("failover:"))
    assert failover.value == 315 and failover.basis == "built"


def test_manual_failover_charges_the_operator_response() -> None:
    spec = aws()
    spec["topology"]["failover"]["mode"] = "manual"
    e = est(spec, "availability")
    # detection 195 s + operator 15 min + switch 120 s
    assert e.value == pytest.approx(_failover_closed_form(195 + 900 + 120, blind=1e-3) * 100, abs=1e-6)
    assert e.value < est(aws(), "availability").value  # type: ignore[operator]


def test_three_active_regions_never_read_100_percent() -> None:
    from blueprints.units import format_percent

    spec = aws()
    spec["topology"]["pattern"] = "active-active"
    spec["topology"].pop("standby")
    spec["topology"]["regions"] = [
        {"name": r, "role": "active", "zones": [f"{r}a", f"{r}b", f"{r}c"]}
        for r in ("us-east-1", "us-west-2", "us-east-2")
    ]
    for a in spec["agents"]:
        for key in ("consumes", "produces", "uses", "idempotency"):
            a.pop(key, None)
    spec["stores"], spec["queues"] = [], []
    spec["chaos"]["drills"] = ["zone-outage"]
    e = est(spec, "availability")
    # Was 1 − (1 − 0.9998)³ = 100.0000 %: failover time and common cause now count.
    assert e.value is not None and e.value < 99.9995
    assert format_percent(e.value) != "100.0000%"


def test_support_agent_prod_claims_no_more_than_the_published_multi_region_commitment() -> None:
    from blueprints.spec.loader import load_spec
    from tests.conftest import EXAMPLES

    loaded = load_spec(EXAMPLES / "support-agent" / "spec.yaml", "prod")
    e = next(x for x in plan(loaded.spec, "prod").estimates if x.kind == "availability")
    assert e.value is not None and e.value <= 99.999


def test_the_ceiling_is_the_published_multi_region_commitment() -> None:
    import dataclasses

    from blueprints.plan.estimates import closed_form_value
    from blueprints.plan.reliability import build

    spec = load_text(dump(aws()), "spec.yaml").spec
    p = plan(spec)
    model = build(spec, p, figures())
    assert model.cap == (pytest.approx(0.99999), "aws-dynamodb-global")
    # Everything detected and nothing dominating: the arithmetic alone would exceed 99.999 %.
    regions = tuple(
        dataclasses.replace(r, parts=tuple(dataclasses.replace(x, detected=True) for x in r.parts))
        for r in model.regions
    )
    free = dataclasses.replace(model, regions=regions, common_cause=0.0, failover_s=1.0, detection_path=None)
    value, _, capped = closed_form_value(free)
    assert capped and value == pytest.approx(0.99999)
    uncapped = dataclasses.replace(free, cap=None)
    assert closed_form_value(uncapped)[0] > 0.99999


def test_common_cause_lowers_availability() -> None:
    import dataclasses

    from blueprints.plan.estimates import closed_form_value
    from blueprints.plan.reliability import build

    spec = load_text(dump(aws()), "spec.yaml").spec
    model = build(spec, plan(spec), figures())
    assert model.common_cause == BETA
    independent = closed_form_value(dataclasses.replace(model, common_cause=0.0))[0]
    assert closed_form_value(model)[0] < independent
    e = est(aws(), "availability")
    assert any("common cause" in t.label for t in e.terms if t.label.startswith("U:"))


def test_readiness_that_exercises_nothing_leaves_stores_and_queues_in_series() -> None:
    # Audit item 3: SQS, DynamoDB and KMS outages do not move traffic unless readiness exercises them.
    e = est(aws(), "availability")
    labels = [t.label for t in e.terms if t.label.startswith("U:")]
    assert any(lbl.startswith("U: SQS: not exercised by readiness") for lbl in labels)
    assert any("readiness" in a and "covers" in a for a in e.assumptions)


def test_private_ingress_has_cloudwatch_on_its_detection_path() -> None:
    e = est(aws(), "availability")
    assert any(t.figure == "aws-cloudwatch" for t in e.terms)
    spec = aws()
    spec["ingress"]["public"] = True
    assert not any(t.figure == "aws-cloudwatch" for t in est(spec, "availability").terms)


def test_the_dominant_terms_are_named() -> None:
    e = est(aws(), "availability")
    dominant = next(a for a in e.assumptions if a.startswith("What dominates"))
    assert dominant.split(": ", 1)[1].startswith("SQS")
    assert any("credit thresholds" in a for a in e.assumptions)


def test_availability_single_zone_uses_single_az_figures() -> None:
    spec = single_region(aws(), zones=1, pattern="single-zone")
    spec["chaos"]["drills"] = []
    e = est(spec, "availability")
    # Compute single-AZ 99.5, ELB single-AZ 99.9, SQS, DynamoDB, KMS; no other zone to lose
    assert e.value == pytest.approx(0.995 * 0.999 * 0.999 * 0.9999 * 0.99999 * 100, abs=1e-6)


def test_availability_counts_each_service_once_per_region() -> None:
    spec = single_region(aws())
    before = est(spec, "availability").value
    spec["stores"].append({"name": "extra", "engine": "dynamodb"})
    agent(spec, "conversation")["uses"].append("extra")
    assert est(spec, "availability").value == pytest.approx(before, abs=1e-9)


def test_availability_aurora_and_valkey_add_their_slas() -> None:
    spec = single_region(aws())
    spec["stores"] = [
        {"name": "conversations", "engine": "aurora-postgresql"},
        {"name": "idempotency", "engine": "valkey"},
    ]
    agent(spec, "action-executor").pop("idempotency")
    region = 0.9999 * 0.9999 * 0.999 * 0.9999 * 0.9999 * 0.99999  # compute ELB SQS Aurora ElastiCache KMS
    expected = region * series(zone_losses(120), 1 - _k_of_n(3, 1, ZONE))  # Aurora's zone failover 120 s
    assert est(spec, "availability").value == pytest.approx(expected * 100, abs=1e-6)


def test_kubernetes_k_of_n() -> None:
    a = 0.995
    three = a**3 + 3 * (1 - a) * a**2  # at most one of three zones down
    assert _k_of_n(3, 1, a) == pytest.approx(three)
    assert _k_of_n(3, 0, a) == pytest.approx(a**3)
    assert _k_of_n(2, 1, a) == pytest.approx(1 - (1 - a) ** 2)


def test_kubernetes_zone_losses_cost_their_failover() -> None:
    # Audit item 7: each zone loss the region survives costs node grace + the store's failover
    # (CloudNativePG 30 s + node grace 50 s = 80 s, the slowest step); k8s-zone is no longer the
    # single-instance 99.5 % (≈ 11 one-hour zone losses a month).
    assert figures().value("k8s-zone") == ZONE * 100
    spec = kubernetes()
    spec["ingress"] = {"agent": "planner", "domain": "r.lab.example", "hosted_zone": "lab.example"}
    e = est(spec, "availability")
    expected = series(1e-4, zone_losses(80), 1 - _k_of_n(3, 1, ZONE))  # ingress LB 99.99
    assert e.value == pytest.approx(expected * 100, abs=1e-6)
    cost = next(t for t in e.terms if t.label.startswith("zone failover"))
    assert cost.value == 80


def test_kubernetes_two_zones_with_quorum_queues_tolerate_no_zone_loss() -> None:
    # 3 RabbitMQ members over 2 zones spread 2+1: losing the fuller zone loses the majority.
    spec = kubernetes()
    spec["topology"]["regions"][0]["zones"] = ["europe-west4-a", "europe-west4-b"]
    e = est(spec, "availability")
    assert e.value == pytest.approx(ZONE**2 * 100, abs=1e-6)
    result = plan(load_text(dump(spec), "spec.yaml").spec)
    assert "quorum-zone-loss" in {f.code for f in result.findings}


# --- RTO -----------------------------------------------------------------------------------------


def test_rto_zone_aws_is_the_load_balancer_detection() -> None:
    e = est(aws(), "rto", "zone")
    assert e.value == 5 * 3  # readiness every 5s, 3 failures (ALB bounds keep both)


def test_rto_zone_without_static_stability_waits_for_new_tasks() -> None:
    spec = aws()
    agent(spec, "conversation")["replicas"]["static_stability"] = False
    assert est(spec, "rto", "zone").value == 15 + 45 + 2 * 5  # detect, task start, two healthy checks


def test_rto_zone_kubernetes_slowest_step() -> None:
    e = est(kubernetes(), "rto", "zone")
    # node grace 50; postgres: failover 30 + node grace 50 = 80; redis 30; RabbitMQ 30
    assert e.value == 80
    assert "store findings 1m20s" in e.formula


def test_rto_zone_single_zone_is_unbounded() -> None:
    spec = single_region(aws(), zones=1, pattern="single-zone")
    spec["chaos"]["drills"] = []
    e = est(spec, "rto", "zone")
    assert e.value is None and e.met is False


@pytest.mark.parametrize(
    ("standby", "ttl", "expected"),
    [
        # Private ingress: detection = load balancer check 5s × 3 + alarm 60s × 2 + metric delay 60s = 195s;
        # switch = propagation 60s + the alias records' fixed 60s TTL (failover.dns_ttl changes nothing).
        ("warm", "60s", 195 + 60 + 60),
        ("hot", "30s", 195 + 60 + 60),
        # pilot light: activation alarm 60s × 1 + metric delay 60s + task start 45s + 2 checks of 5s
        ("pilot-light", "60s", 195 + 60 + 60 + 45 + 10),  # scale-out from zero outlasts the DNS switch
    ],
)
def test_rto_region(standby: str, ttl: str, expected: float) -> None:
    spec = aws()
    spec["topology"]["standby"] = standby
    spec["topology"]["failover"]["dns_ttl"] = ttl
    assert est(spec, "rto", "region").value == expected


def test_rto_region_manual_adds_the_operator() -> None:
    spec = aws()
    spec["topology"]["failover"]["mode"] = "manual"
    assert est(spec, "rto", "region").value == 195 + 900 + 120


def test_rto_region_aurora_promotion_is_an_explicit_action() -> None:
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql"}
    e = est(spec, "rto", "region")
    # detection + max(DNS 120, the Region switch plan: trigger 300 + scale-out 45 + 2 checks 10 + Aurora 300);
    # before the plan (issue 15) the promotion waited for an operator (900 s)
    assert e.value == 195 + 300 + 55 + 300
    assert any("Region switch plan" in a for a in e.assumptions)


def test_rto_region_single_region_is_unbounded() -> None:
    e = est(single_region(aws()), "rto", "region")
    assert e.value is None and e.objective is None and e.met is None


@pytest.mark.parametrize(
    ("strategy", "auto", "expected"),
    [("canary", True, 180 + 10), ("rolling", True, 180 + 45), ("rolling", False, 180 + 45 + 900)],
)
def test_rto_application_aws(strategy: str, auto: bool, expected: float) -> None:
    spec = aws()
    spec["rollout"] = {
        "strategy": strategy,
        "steps": [10, 100] if strategy == "canary" else [100],
        "auto_rollback": auto,
    }
    assert est(spec, "rto", "application").value == expected


def test_rto_application_kubernetes() -> None:
    spec = kubernetes()
    assert est(spec, "rto", "application").value == 180 + 30 + 900  # no automatic undo for a Deployment
    spec["rollout"] = {"strategy": "canary", "steps": [20, 100]}
    e = est(spec, "rto", "application")
    assert e.value == 180 + 10 and any(t.figure == "argo-analysis" for t in e.terms)


# --- RPO -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "zone"),
    [("dynamodb", None), ("aurora-postgresql", None), ("valkey", "elasticache-replica-lag")],
)
def test_rpo_per_engine_on_aws(engine: str, zone: str | None) -> None:
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": engine, "replication": "async"}
    assert est(spec, "rpo", "zone").value == (figures().value(zone) if zone else 0)
    # Audit item 6: the region RPO is the lag the replication-lag alarm lets build up (threshold 30 s,
    # then 3 one-minute periods above it), not the typical lag (1 s).
    region = est(spec, "rpo", "region")
    assert region.value == 30 + 180
    typical = next(t for t in region.terms if t.figure and t.figure.endswith("global-lag"))
    assert "typical, not a bound" in typical.label
    assert any("not the typical lag" in a for a in region.assumptions)


def test_rpo_region_is_at_least_the_alarm_threshold() -> None:
    spec = aws()
    spec["observability"]["alarms"] = {"replication_lag": "10s"}
    e = est(spec, "rpo", "region")
    threshold = next(t for t in e.terms if t.label.startswith("replication-lag alarm threshold"))
    assert threshold.value == 10 and e.value is not None and e.value >= 10 + 180


def test_rpo_region_without_a_lag_alarm_defends_no_bound() -> None:
    spec = aws()
    spec["observability"]["alarms"] = {"replication_lag": None}
    e = est(spec, "rpo", "region")
    assert e.value is None and e.met is False
    assert any("replication_lag is off" in a for a in e.assumptions)


def test_rpo_region_says_what_happens_to_each_queue() -> None:
    e = est(aws(), "rpo", "region")
    for queue, kept in (("inbound", "4d"), ("actions", "4d")):
        note = next(a for a in e.assumptions if a.startswith(f"queue {queue}:"))
        assert "delayed" in note and f"kept {kept}" in note and "lost if the region is lost" in note


def test_rpo_region_sync_dynamodb_over_three_regions_is_zero() -> None:
    spec = aws()
    spec["topology"]["regions"].append({"name": "us-east-2", "role": "standby", "zones": ["us-east-2a", "us-east-2b"]})
    for s in spec["stores"]:
        s["replication"] = "sync"
        s.pop("ttl_attribute", None)  # strong consistency comes without Time to Live
    assert est(spec, "rpo", "region").value == 0


def test_rpo_kubernetes_engines() -> None:
    spec = kubernetes()
    assert est(spec, "rpo", "zone").value == 1  # postgres async standby without a 0s zone RPO
    spec["objectives"] = {"disruptions": {"zone": {"rto": "5m", "rpo": "0s"}}}
    assert est(spec, "rpo", "zone").value == 0  # synchronous standby; redis is a cache, left out
    store(spec, "cache")["cache"] = False
    assert est(spec, "rpo", "zone").value == 1  # redis replica lag counts now


def test_rpo_region_single_region_is_unbounded() -> None:
    e = est(single_region(aws()), "rpo", "region")
    assert e.value is None
    assert "unbounded" in e.formula


def test_rpo_without_state_is_zero() -> None:
    spec = single_region(aws())
    for a in spec["agents"]:
        for key in ("consumes", "produces", "uses", "idempotency"):
            a.pop(key, None)
    spec["stores"], spec["queues"] = [], []
    e = est(spec, "rpo", "zone")
    assert e.value == 0 and "no stores or queues" in e.formula


# --- objectives, overrides ----------------------------------------------------------------------


def test_met_and_margin() -> None:
    e = est(aws(), "rto", "region")
    assert e.objective == 900 and e.met is True and e.margin == 900 - 315
    a = est(aws(), "availability")
    assert a.margin == pytest.approx(a.value - 99.95)  # type: ignore[operator]


def test_assumptions_override_figures() -> None:
    spec = single_region(aws())
    before = est(spec, "availability").value
    spec["assumptions"] = {"slas": {"aws-sqs": 99.99}}
    e = est(spec, "availability")
    assert e.value == pytest.approx(before / 0.999 * 0.9999, abs=1e-6)  # type: ignore[operator]
    sqs = next(t for t in e.terms if t.figure == "aws-sqs")
    assert sqs.basis == "assumption" and sqs.source == "spec: assumptions"
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    spec["assumptions"] = {"timings": {"fargate-task-start": "90s", "route53-dns-propagation": "30s"}}
    assert est(spec, "rto", "region").value == 195 + 60 + 60 + 90 + 10


def test_assumed_figures_are_named_in_the_assumptions() -> None:
    e = est(aws(), "availability")
    assert any("'aws-cloudwatch'" in a and "assumption" in a for a in e.assumptions)


def test_every_estimate_shows_its_formula_and_terms_with_sources() -> None:
    result = plan(load_text(dump(aws()), "spec.yaml").spec)
    assert len(result.estimates) == 7
    for e in result.estimates:
        assert e.formula
        for t in e.terms:
            if t.figure:  # a figure of the data table: its source and basis travel with it
                assert t.source and t.source.startswith("http")
                assert t.basis in ("published", "secondary", "assumption")
            elif t.basis == "built":  # a setting the components build, read from the plan
                assert t.source == "plan (as built)"
            elif t.basis == "assumption":  # a modelling default the spec did not state (outages, common cause)
                assert t.source == "assumption"
            elif t.basis is not None:  # a value from the spec
                assert (t.basis, t.source) == ("spec", "spec")
            else:  # derived from the terms above (A_region, zones that may fail, each unavailability)
                assert t.label.startswith(("A_region", "us-east-1", "us-west-2", "U: "))


def test_availability_is_a_probability() -> None:
    for spec in (aws(), kubernetes(), single_region(aws())):
        value = est(spec, "availability").value
        assert value is not None and 0 < value <= 100 and not math.isnan(value)


def test_stated_outage_lengths_and_common_cause_show_as_spec_terms() -> None:
    spec = aws()
    spec["assumptions"] = {"outages": {"service": "10m"}, "common_cause": 5}
    e = est(spec, "availability")
    service = next(t for t in e.terms if "assumptions.outages.service" in t.label)
    assert (service.value, service.basis) == (600, "spec")
    share = next(t for t in e.terms if t.label.startswith("common-cause share"))
    assert (share.value, share.basis) == (pytest.approx(5), "spec")
    assert not any(t.figure in ("outage-service", "common-cause-region", "outage-dependency") for t in e.terms)
