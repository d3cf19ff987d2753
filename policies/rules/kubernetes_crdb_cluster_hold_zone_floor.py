"""CockroachDB clusters run at least three nodes in each region, forced into different zones where the plan
has several.

A region's nodes hold its replicas of every range and serve its agents: with fewer than three, or with
nodes that may share a zone, one zone's loss takes the region's copy or most of its nodes with it and
the zone RTO the plan counts (the other replicas' leases take over) no longer holds. The spread is
rendered as `topologySpreadConstraints`, which the operator applies only with its
`TopologySpreadRules` feature gate on (docs/kubernetes.md).
"""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, items, number, violation
from policies.rules.kubernetes_crdb_cluster_require_tls import CRDB_CLUSTER
from policies.rules.kubernetes_postgres_cluster_spread_across_zones import ZONE_KEY, _planned_zones

MIN_NODES = 3


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    spec = get(args.props, "spec")
    nodes = number(get(spec, "nodes")) or 0
    if nodes < MIN_NODES:
        violation(
            report_violation,
            subject,
            f"runs {int(nodes)} node(s) in its region: fewer than {MIN_NODES} cannot keep the region serving and "
            "re-replicating after a zone loss",
            f"set nodes: {MIN_NODES} or more (one per zone)",
        )
    if len(_planned_zones(subject)) == 1:
        return
    spread = [
        c
        for c in items(get(spec, "topologySpreadConstraints"))
        if get(c, "topologyKey") == ZONE_KEY and get(c, "whenUnsatisfiable") == "DoNotSchedule"
    ]
    if not spread:
        violation(
            report_violation,
            subject,
            "does not keep its nodes in different zones (no zone topologySpreadConstraint with DoNotSchedule): "
            "several nodes may share a zone and be lost with it",
            f"add topologySpreadConstraints on {ZONE_KEY} with maxSkew 1 and whenUnsatisfiable: DoNotSchedule",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-crdb-cluster-hold-zone-floor",
    description="CockroachDB clusters run ≥ 3 nodes per region, forced apart by zone where the plan has several.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="The zone RTO/RPO for CockroachDB assume the region keeps a majority of its nodes through a zone's loss.",
    fix="nodes ≥ 3 with a zone topologySpreadConstraint (DoNotSchedule).",
    types=(CRDB_CLUSTER,),
    validate=validate,
)
