"""Services stay inside the cluster (no LoadBalancer or NodePort): users arrive through the Ingress."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    kind = get(args.props, "spec", "type")
    if kind not in ("LoadBalancer", "NodePort"):
        return
    violation(
        report_violation,
        Subject.of(args),
        f"is of type {kind}: it exposes the agent outside the cluster, past the Ingress, its TLS and the "
        "NetworkPolicies",
        "use type ClusterIP and reach the agent through the Ingress",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-service-disallow-external-exposure",
    description="Services are ClusterIP; only the Ingress faces users.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Private unless the spec says public, and then only through the TLS Ingress.",
    fix="Service type ClusterIP.",
    types=("kubernetes:core/v1:Service",),
    validate=validate,
)
