"""CloudNativePG clusters run several instances spread over the zones.

The zones are the plan's: in a region planned with one zone (the single-zone pattern, or a cluster
whose nodes carry one zone label) there is no second zone to keep a standby in, and the component
rightly asks for `ScheduleAnyway` there (a DoNotSchedule zone constraint would refuse every node that
lacks the zone label). Only a region planned with two or more zones must force the instances apart.
"""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, items, number, violation
from policies.rules._shared import part_name

ZONE_KEY = "topology.kubernetes.io/zone"


def _planned_zones(subject: Subject) -> tuple[str, ...]:
    """The zones the plan gives this store in the cluster's region; () when the plan is not known."""
    context = current()
    store = context.store(part_name(subject, "stores"))
    if store is not None and subject.region:
        zones = store.zones_in(subject.region)
        if zones:
            return zones
    return context.zones(subject.region)


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
    if len(_planned_zones(subject)) == 1:
        return  # one zone planned: nothing to spread over (the instances still spread over nodes)
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
    description="CloudNativePG clusters have ≥ 2 instances, forced into different zones where the plan has several.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="The zone RTO/RPO for Postgres assume a standby in another zone to promote.",
    fix="instances ≥ 2 with a zone topologySpreadConstraint (DoNotSchedule).",
    types=("kubernetes:postgresql.cnpg.io/v1:Cluster",),
    validate=validate,
)
