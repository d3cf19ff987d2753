"""The Kubernetes spread rules judge by the zones the plan gives the region.

A single-zone project is compliant as rendered (tests/policies/test_examples.py, base
`kube-single-zone`); these cases pin the other side: where the plan has several zones, a best-effort
(ScheduleAnyway) zone spread is still a violation, and a one-zone region does not excuse a single
instance.
"""

from __future__ import annotations

from tests.policies.rules.corpus import Defect, caught, change, setting

SPREAD = "agentha-kubernetes-postgres-cluster-spread-across-zones"


def test_best_effort_zone_spread_is_refused_where_the_region_has_three_zones() -> None:
    defect = Defect(
        SPREAD,
        "research-prod",
        "ScheduleAnyway in a region planned with three zones",
        "does not keep its instances in different zones",
        change(
            "research-agent-findings-cluster-europe-west4",
            setting("spec.topologySpreadConstraints.0.whenUnsatisfiable", "ScheduleAnyway"),
        ),
    )
    ok, why = caught(defect)
    assert ok, why


def test_a_single_zone_region_still_needs_a_standby_instance() -> None:
    defect = Defect(
        SPREAD,
        "kube-single-zone",
        "one instance in a single-zone region",
        "runs 1 instance: there is no standby to promote",
        change("kube-one-state-cluster-europe-west4", setting("spec.instances", 1)),
    )
    ok, why = caught(defect)
    assert ok, why


def test_the_single_zone_cluster_really_asks_for_best_effort_spread() -> None:
    """The compliant single-zone base exercises the case the rule must accept (not a vacuous pass)."""
    from tests.policies.graphs import base

    graph, _ = base("kube-single-zone")
    (cluster,) = [r for r in graph if r.type == "kubernetes:postgresql.cnpg.io/v1:Cluster"]
    (spread,) = cluster.inputs["spec"]["topologySpreadConstraints"]
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    assert cluster.inputs["spec"]["instances"] >= 2
