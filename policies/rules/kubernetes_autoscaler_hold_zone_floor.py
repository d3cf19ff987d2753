"""Autoscalers (HPA, KEDA) never scale an agent below the plan's zone-loss floor."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation
from policies.rules._shared import agent_placement, part_name

HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    placement = agent_placement(current(), part_name(subject, "agents"), subject.region)
    if placement is None or placement.min == 0:
        return
    key = "minReplicas" if args.resource_type == HPA else "minReplicaCount"
    raw = get(args.props, "spec", key)
    if raw is UNKNOWN:
        return
    minimum = number(raw)
    if minimum is None:
        minimum = 1.0 if args.resource_type == HPA else 0.0  # the API defaults
    if minimum < placement.min:
        violation(
            report_violation,
            subject,
            f"may scale the agent down to {int(minimum)} replica(s), below the plan's {placement.min} "
            f"({list(placement.per_zone)} over its zones) that keep it serving through one zone's loss",
            f"set spec.{key}: {placement.min}",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-autoscaler-hold-zone-floor",
    description="HPA minReplicas / KEDA minReplicaCount is at least the plan's per-region minimum.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="Scaling in below the zone-loss floor undoes static stability at quiet hours; the next zone loss "
    "then needs a scale-up before the agent serves again.",
    fix="Set the autoscaler's minimum to the plan's minimum.",
    types=(HPA, SCALED_OBJECT),
    validate=validate,
)
