"""Agent workloads spread their pods evenly over the zones, with enough replicas for one zone's loss."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, number, violation
from policies.rules._kubernetes import WORKLOADS, pod_spec
from policies.rules._shared import agent_placement, part_name

ZONE_KEY = "topology.kubernetes.io/zone"


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    placement = agent_placement(current(), part_name(subject, "agents"), subject.region)
    if placement is None or placement.desired == 0:
        return
    zones = placement.zones
    constraints = items(get(pod_spec(args.props), "topologySpreadConstraints"))
    if UNKNOWN not in constraints and len(zones) > 1:
        zonal = [c for c in constraints if get(c, "topologyKey") == ZONE_KEY]
        strict = [
            c
            for c in zonal
            if get(c, "whenUnsatisfiable") == "DoNotSchedule" and (number(get(c, "maxSkew")) or 99) <= 1
        ]
        if not strict:
            violation(
                report_violation,
                subject,
                "does not force its pods apart by zone (no topologySpreadConstraint on "
                f"{ZONE_KEY} with maxSkew 1 and DoNotSchedule): the scheduler may pack them into one zone",
                f"add topologySpreadConstraints: [{{topologyKey: {ZONE_KEY}, maxSkew: 1, "
                "whenUnsatisfiable: DoNotSchedule, labelSelector: <the pod labels>}]",
            )
    raw = get(args.props, "spec", "replicas")
    if raw is UNKNOWN:
        return
    if raw is None and 1 <= placement.min < placement.max:
        # The count is left to the agent's autoscaler (so a re-apply does not fight it); its floor is
        # checked by agentha-kubernetes-autoscaler-hold-zone-floor.
        return
    replicas = number(raw) or 1
    floor = max(placement.desired, len(zones))
    if replicas < floor:
        violation(
            report_violation,
            subject,
            f"runs {int(replicas)} replica(s) but the plan needs {floor} ({list(placement.per_zone)} over "
            f"{len(zones)} zones) so that losing one zone leaves {placement.survivors_after_zone_loss} serving",
            f"set spec.replicas: {placement.desired}",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-spread-across-zones",
    description="Agent workloads spread pods over the zones (maxSkew 1, DoNotSchedule) with replicas ≥ the plan.",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="Replica counts protect against a zone loss only if the pods are actually in different zones; the "
    "default scheduler spreading is best-effort.",
    fix="A zone topologySpreadConstraint with maxSkew 1 and DoNotSchedule; replicas from the plan.",
    types=WORKLOADS,
    validate=validate,
)
