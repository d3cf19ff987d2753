"""Every agent workload has a PodDisruptionBudget that protects it yet still allows an eviction."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, number, violation
from policies.rules._kubernetes import PDB, WORKLOADS, selecting
from policies.rules._shared import agent_placement, part_name


def _allows_eviction(pdb: Any, replicas: float) -> bool:
    spec = get(pdb.props, "spec")
    min_available, max_unavailable = get(spec, "minAvailable"), get(spec, "maxUnavailable")
    if isinstance(max_unavailable, str) and max_unavailable.endswith("%"):
        return float(max_unavailable[:-1]) > 0
    if number(max_unavailable) is not None:
        return (number(max_unavailable) or 0) >= 1
    if isinstance(min_available, str) and min_available.endswith("%"):
        return float(min_available[:-1]) < 100
    if number(min_available) is not None:
        return (number(min_available) or 0) < replicas
    return True


AUTOSCALERS = {
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": "minReplicas",
    "kubernetes:keda.sh/v1alpha1:ScaledObject": "minReplicaCount",
}


def autoscaler_floor(resources: Any, workload: Subject) -> float | None:
    """The minimum of the HPA or ScaledObject that scales `workload`, whose `replicas` it then owns."""
    for r in resources:
        key = AUTOSCALERS.get(r.resource_type)
        if key is None:
            continue
        scaler = Subject.of(r)
        target = get(r.props, "spec", "scaleTargetRef", "name")
        if scaler.region == workload.region and target == get(workload.props, "metadata", "name"):
            return number(get(r.props, "spec", key))
    return None


def validate(args: Any, report_violation: Any) -> None:
    budgets = [Subject.of(r) for r in args.resources if r.resource_type == PDB]
    for r in args.resources:
        if r.resource_type not in WORKLOADS:
            continue
        workload = Subject.of(r)
        replicas = number(get(r.props, "spec", "replicas"))
        if replicas is None:
            # Left to its autoscaler (a re-apply must not fight it): judged at the plan's floor for the
            # agent, which agentha-kubernetes-autoscaler-hold-zone-floor holds the autoscaler to, else
            # at the autoscaler's own floor.
            placement = agent_placement(current(), part_name(workload, "agents"), workload.region)
            replicas = placement.min if placement is not None else autoscaler_floor(args.resources, workload)
        if replicas is not None and replicas < 1:
            continue  # scaled to zero (pilot light): nothing to protect
        # A null selector matches no pod (policy/v1); an empty one ({}) selects every pod of the namespace.
        matching = [
            b for b in selecting(budgets, workload, "spec", "selector") if get(b.props, "spec", "selector") is not None
        ]
        if not matching:
            violation(
                report_violation,
                workload,
                "has no PodDisruptionBudget selecting its pods: a node drain or cluster upgrade may evict every "
                "replica at once",
                "add a policy/v1 PodDisruptionBudget whose selector matches the pod labels, minAvailable = the "
                "replicas left after losing one zone",
            )
        elif not any(_allows_eviction(b, replicas or 1) for b in matching):
            violation(
                report_violation,
                workload,
                f"is covered only by PodDisruptionBudget(s) {', '.join(b.name for b in matching)} that allow no "
                "eviction: node drains and upgrades block forever",
                "lower minAvailable below the replica count (or set maxUnavailable ≥ 1)",
            )


RULE = StackRule(
    id="agentha-kubernetes-workload-require-disruption-budget",
    description="Every Deployment, StatefulSet and Rollout has a PodDisruptionBudget that still allows an eviction.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="Voluntary disruptions (drains, upgrades, autoscaler scale-down) are the most common way a whole "
    "agent goes down on Kubernetes; a budget keeps the zone-loss floor while maintenance proceeds.",
    fix="One policy/v1 PodDisruptionBudget per workload, selecting its pods, minAvailable below the replicas.",
    validate=validate,
)
