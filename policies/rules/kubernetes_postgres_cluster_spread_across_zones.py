"""CloudNativePG clusters run several instances spread over the zones."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, items, number, violation

ZONE_KEY = "topology.kubernetes.io/zone"


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    spec = get(args.props, "spec")
    instances = number(get(spec, "instances")) or 1
    if instances < 2:
        violation(
            report_violation,
            subject,
            f"runs {int(instances)} instance: there is no standby to promote when it or its zone is lost",
            "set instances: 3 (one per zone)",
        )
        return
    spread = [
        c
        for c in items(get(spec, "topologySpreadConstraints"))
        if get(c, "topologyKey") == ZONE_KEY and get(c, "whenUnsatisfiable") == "DoNotSchedule"
    ]
    if spread or get(spec, "affinity", "topologyKey") == ZONE_KEY:
        return
    violation(
        report_violation,
        subject,
        "does not keep its instances in different zones (no zone topologySpreadConstraint with DoNotSchedule, "
        "no zone anti-affinity): the primary and its standbys may share a zone",
        f"add topologySpreadConstraints on {ZONE_KEY} with maxSkew 1 and whenUnsatisfiable: DoNotSchedule",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-postgres-cluster-spread-across-zones",
    description="CloudNativePG clusters have ≥ 2 instances forced into different zones.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="The zone RTO/RPO for Postgres assume a standby in another zone to promote.",
    fix="instances ≥ 2 with a zone topologySpreadConstraint (DoNotSchedule).",
    types=("kubernetes:postgresql.cnpg.io/v1:Cluster",),
    validate=validate,
)
