"""Estimates against hand-computed values from blueprints/data/figures.yaml.

Figures used (seconds unless a percent): Compute 99.99, ELB multi-AZ 99.99, SQS 99.9, DynamoDB
99.99, KMS 99.999, Route 53 100; Route 53 propagation 60, Fargate task start 45, autoscaling
reaction 180, alarm detection 180, traffic shift back 10, Aurora global promotion 60, k8s node
grace 50, k8s pod start 30, CNPG failover 30, Redis failover 30, RabbitMQ leader election 30,
k8s zone 99.5, k8s ingress 99.99.
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


def test_availability_series_in_one_region() -> None:
    e = est(single_region(aws()), "availability")
    assert e.value == pytest.approx(A_REGION_AWS * 100, abs=1e-6)
    assert e.formula == "A = DNS × A_region; A_region = Compute × ELB × SQS × DynamoDB × KMS"
    assert {t.figure for t in e.terms} >= {
        "aws-compute-region",
        "aws-elb-multi-az",
        "aws-sqs",
        "aws-dynamodb",
        "aws-kms",
    }


def test_availability_parallel_regions_with_automatic_failover() -> None:
    e = est(aws(), "availability")
    assert e.value == pytest.approx((1 - (1 - A_REGION_AWS) ** 2) * 100, abs=1e-6)
    assert e.formula.startswith("A = DNS × (1 − Π(1 − A_region))")


def test_availability_manual_failover_counts_the_primary_only() -> None:
    spec = aws()
    spec["topology"]["failover"]["mode"] = "manual"
    e = est(spec, "availability")
    assert e.value == pytest.approx(A_REGION_AWS * 100, abs=1e-6)
    assert e.formula.startswith("A = DNS × A_primary")


def test_availability_single_zone_uses_single_az_figures() -> None:
    spec = single_region(aws(), zones=1, pattern="single-zone")
    spec["chaos"]["drills"] = []
    e = est(spec, "availability")
    # Compute single-AZ 99.5, ELB single-AZ 99.9, SQS, DynamoDB, KMS
    assert e.value == pytest.approx(0.995 * 0.999 * 0.999 * 0.9999 * 0.99999 * 100, abs=1e-6)


def test_availability_counts_each_service_once_per_region() -> None:
    spec = single_region(aws())
    spec["stores"].append({"name": "extra", "engine": "dynamodb"})
    agent(spec, "conversation")["uses"].append("extra")
    assert est(spec, "availability").value == pytest.approx(A_REGION_AWS * 100, abs=1e-6)


def test_availability_aurora_and_valkey_add_their_slas() -> None:
    spec = single_region(aws())
    spec["stores"] = [
        {"name": "conversations", "engine": "aurora-postgresql"},
        {"name": "idempotency", "engine": "valkey"},
    ]
    agent(spec, "action-executor").pop("idempotency")
    expected = 0.9999 * 0.9999 * 0.999 * 0.9999 * 0.9999 * 0.99999  # compute ELB SQS Aurora ElastiCache KMS
    assert est(spec, "availability").value == pytest.approx(expected * 100, abs=1e-6)


def test_kubernetes_k_of_n() -> None:
    a = 0.995
    three = a**3 + 3 * (1 - a) * a**2  # at most one of three zones down
    assert _k_of_n(3, 1, a) == pytest.approx(three)
    assert _k_of_n(3, 0, a) == pytest.approx(a**3)
    assert _k_of_n(2, 1, a) == pytest.approx(1 - (1 - a) ** 2)
    spec = kubernetes()
    spec["ingress"] = {"agent": "planner", "domain": "r.lab.example", "hosted_zone": "lab.example"}
    e = est(spec, "availability")
    assert e.value == pytest.approx(0.9999 * three * 100, abs=1e-6)


def test_kubernetes_two_zones_with_quorum_queues_tolerate_no_zone_loss() -> None:
    # 3 RabbitMQ members over 2 zones spread 2+1: losing the fuller zone loses the majority.
    spec = kubernetes()
    spec["topology"]["regions"][0]["zones"] = ["europe-west4-a", "europe-west4-b"]
    e = est(spec, "availability")
    assert e.value == pytest.approx(0.995**2 * 100, abs=1e-6)
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
        ("pilot-light", "60s", 195 + 180 + 45 + 10),  # scale-out from zero outlasts the DNS switch
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
    assert e.value == 195 + 60 + 900  # detection + max(DNS 120, promotion 60 + operator 900)
    assert any("explicit action" in a for a in e.assumptions)


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
    ("engine", "replication", "zone", "region"),
    [
        ("dynamodb", "async", 0, 1),
        ("aurora-postgresql", "async", 0, 1),
        ("valkey", "async", 1, 1),
    ],
)
def test_rpo_per_engine_on_aws(engine: str, replication: str, zone: float, region: float) -> None:
    spec = aws()
    spec["stores"][0] = {"name": "conversations", "engine": engine, "replication": replication}
    assert est(spec, "rpo", "zone").value == zone
    assert est(spec, "rpo", "region").value == region


def test_rpo_region_sync_dynamodb_over_three_regions_is_zero() -> None:
    spec = aws()
    spec["topology"]["regions"].append({"name": "us-east-2", "role": "standby", "zones": ["us-east-2a", "us-east-2b"]})
    for s in spec["stores"]:
        s["replication"] = "sync"
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
    spec["assumptions"] = {"slas": {"aws-sqs": 99.99}}
    e = est(spec, "availability")
    assert e.value == pytest.approx(A_REGION_AWS / 0.999 * 0.9999 * 100, abs=1e-6)
    sqs = next(t for t in e.terms if t.figure == "aws-sqs")
    assert sqs.basis == "assumption" and sqs.source == "spec: assumptions"
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    spec["assumptions"] = {"timings": {"fargate-task-start": "90s", "route53-dns-propagation": "30s"}}
    assert est(spec, "rto", "region").value == 195 + 180 + 90 + 10


def test_assumed_figures_are_named_in_the_assumptions() -> None:
    e = est(aws(), "availability")
    assert any("'aws-sqs'" in a and "assumption" in a for a in e.assumptions)


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
            elif t.basis is not None:  # a value from the spec
                assert (t.basis, t.source) == ("spec", "spec")
            else:  # derived from the terms above (A_region, zones that may fail)
                assert t.label.startswith(("A_region", "us-east-1", "us-west-2"))


def test_availability_is_a_probability() -> None:
    for spec in (aws(), kubernetes(), single_region(aws())):
        value = est(spec, "availability").value
        assert value is not None and 0 < value <= 100 and not math.isnan(value)
