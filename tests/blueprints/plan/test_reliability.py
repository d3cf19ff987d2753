"""The reliability model is the deployed system: what readiness exercises, the dependencies the agents
call, the NAT gateways on the way to them, the stated outage lengths and common-cause share."""

from __future__ import annotations

from typing import Any

import pytest

from blueprints.figures import figures
from blueprints.plan.estimates import closed_form_value
from blueprints.plan.planner import plan
from blueprints.plan.reliability import ReliabilityModel, build, expected_min, group_unavailability, k_of_n
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import aws, dump, kubernetes

EVERYTHING = ["inbound", "actions", "conversations", "idempotency"]


def model(spec: dict[str, Any]) -> ReliabilityModel:
    s = load_text(dump(spec), "spec.yaml").spec
    return build(s, plan(s), figures())


def availability(spec: dict[str, Any]) -> float:
    return closed_form_value(model(spec))[0]


def covering(names: list[str], spec: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = spec or aws()
    conversation = next(a for a in spec["agents"] if a["name"] == "conversation")
    conversation["probes"] = {"readiness": {"path": "/readyz", "period": "5s", "covers": names}}
    return spec


def with_provider(spec: dict[str, Any], percent: float = 99.9, fallback: bool = False) -> dict[str, Any]:
    spec["dependencies"] = [
        {
            "name": "llm",
            "kind": "model-provider",
            "model": "openai/gpt-4o",
            "availability": {"percent": percent},
            **({"fallback": ["llm-b"]} if fallback else {}),
        },
        *(
            [
                {
                    "name": "llm-b",
                    "kind": "model-provider",
                    "model": "openai/gpt-4o-mini",
                    "availability": {"percent": percent},
                }
            ]
            if fallback
            else []
        ),
    ]
    return spec


def test_maths() -> None:
    assert expected_min(60, 3600) == pytest.approx(3600 * (1 - 2.718281828459045 ** (-60 / 3600)))
    assert expected_min(float("inf"), 100) == 100
    assert k_of_n(3, 1, 0.9) == pytest.approx(0.9**3 + 3 * 0.1 * 0.9**2)


def test_only_what_readiness_exercises_is_failed_over() -> None:
    # Audit item 3: unknown coverage is the worst case, and says so.
    unknown = model(aws())
    assert {p.name for p in unknown.regions[0].undetected} == {"SQS", "DynamoDB", "KMS"}
    assert any("covers" in a for a in unknown.assumptions)
    covered = model(covering(EVERYTHING))
    assert covered.regions[0].undetected == ()
    only_queues = model(covering(["inbound"]))
    assert {p.name for p in only_queues.regions[0].undetected} == {"DynamoDB"}
    # In series, SQS alone costs 0.1 %; failed over, it costs a failover per outage.
    assert availability(aws()) < 0.999 < availability(covering(EVERYTHING))


def test_an_external_dependency_is_in_series() -> None:
    # Audit item 4: a 99.9 % model provider caps support-agent near 99.9 %.
    spec = with_provider(covering(EVERYTHING))
    m = model(spec)
    assert [g.name for g in m.groups if g.kind == "dependency"] == ["llm"]
    assert availability(spec) < 0.999
    assert availability(covering(EVERYTHING)) > 0.9995


def test_a_fallback_provider_is_in_parallel() -> None:
    spec = with_provider(covering(EVERYTHING), fallback=True)
    m = model(spec)
    groups = [g for g in m.groups if g.kind == "dependency"]
    assert len(groups) == 1 and [p.name for p in groups[0].parts] == ["llm", "llm-b"]
    assert group_unavailability(groups[0]) == pytest.approx(0.001**2)
    assert availability(spec) > availability(with_provider(covering(EVERYTHING)))


def test_nat_gateways_carry_the_calls_to_dependencies() -> None:
    plain = model(covering(EVERYTHING))
    assert "NAT gateway" not in {p.name for p in plain.regions[0].parts}
    nat = model(with_provider(covering(EVERYTHING)))
    part = next(p for p in nat.regions[0].parts if p.name == "NAT gateway")
    assert part.figure == "aws-nat-gateway" and part.detected is False  # readiness does not call the provider
    covered = model(with_provider(covering([*EVERYTHING, "llm"])))
    assert next(p for p in covered.regions[0].parts if p.name == "NAT gateway").detected is True


def test_stated_outage_lengths_and_common_cause_are_read() -> None:
    spec = covering(EVERYTHING)
    default = model(spec)
    assert default.common_cause == pytest.approx(figures().value("common-cause-region") / 100)
    spec["assumptions"] = {"outages": {"service": "10m", "region": "2h"}, "common_cause": 5}
    stated = model(spec)
    assert stated.common_cause == pytest.approx(0.05)
    assert stated.region_outage_s == 7200
    assert {p.mean_outage_s for p in stated.regions[0].parts} == {600}
    # Shorter outages of the same availability come more often: each costs a failover, so worse.
    assert closed_form_value(stated)[0] < closed_form_value(default)[0]


def test_failover_time_is_detection_plus_the_slowest_step_after_it() -> None:
    m = model(aws())  # private ingress: 15 s ALB + 2 × 60 s alarm + 60 s metric delay; 60 s + 60 s switch
    assert m.failover_s == 195 + 120
    assert m.detection_path is not None and m.detection_path.figure == "aws-cloudwatch"
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    assert model(spec).failover_s > m.failover_s  # the standby starts from zero


def test_kubernetes_zones_and_their_failover_cost() -> None:
    m = model(kubernetes())
    z = m.regions[0].zones
    assert z is not None and (z.count, z.tolerance) == (3, 1)
    assert z.zone.figure == "k8s-zone" and z.zone.availability == pytest.approx(0.9999)
    assert z.failover_s == 80  # CloudNativePG failover 30 s + node grace 50 s


# --- active-active with a single-writer store (writes: primary-region) ----------------------------


def single_writer(engine_writes: str = "primary-region") -> dict[str, Any]:
    """aws(), active-active, the conversations store on Aurora writing through us-east-1."""
    spec = aws()
    spec["topology"]["pattern"] = "active-active"
    del spec["topology"]["standby"]
    for region in spec["topology"]["regions"]:
        region["role"] = "active"
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-postgresql", "writes": engine_writes}
    return spec


def test_a_single_writer_store_makes_its_primary_region_stop_writes_everywhere() -> None:
    m = model(single_writer())
    assert m.writer_region == "us-east-1"
    # Reads move with DNS; writes wait for the promotion (operator response + Aurora global failover).
    assert m.write_failover_s > m.failover_s
    writers = {(r.name, p.name) for r in m.regions for p in r.parts if p.writer}
    assert writers == {("us-east-1", "Aurora")}
    assert any("stops writes in every region" in a for a in m.assumptions)


def test_the_write_primary_costs_more_than_its_share_of_reads() -> None:
    m = model(single_writer())
    value, parts, _ = closed_form_value(m)
    labels = [label for label, _ in parts]
    assert any("write primary" in label for label in labels)
    # Were the writer region's loss over once DNS moves (no promotion to wait for), the same deployment
    # would be more available: the writes' dependence on one region is in the number, not only in a
    # note. (Dropping the writer altogether also moves Aurora's SLA into series, since readiness does
    # not cover it; with the Region switch plan promoting it (issue 15) that counterfactual is no
    # longer the better one, so it is not the comparison.)
    import dataclasses

    no_promotion_wait = dataclasses.replace(m, write_failover_s=m.failover_s)
    assert m.write_failover_s > m.failover_s
    assert closed_form_value(no_promotion_wait)[0] > value


def test_multi_writer_dsql_has_no_writer_region_and_its_sla_part() -> None:
    spec = single_writer()
    spec["topology"]["regions"][1] = {"name": "us-east-2", "role": "active", "zones": ["us-east-2a", "us-east-2b"]}
    spec["stores"][0] = {"name": "conversations", "engine": "aurora-dsql", "backup": {"point_in_time_recovery": False}}
    m = model(spec)
    assert m.writer_region is None
    dsql = [p for p in m.regions[0].parts if p.name == "Aurora DSQL"]
    assert [p.figure for p in dsql] == ["aws-dsql-multi-region"]
