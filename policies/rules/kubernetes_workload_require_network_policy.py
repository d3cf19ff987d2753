"""Every agent workload is selected by a NetworkPolicy that restricts its ingress and egress."""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, items, violation
from policies.rules._kubernetes import NETWORK_POLICY, WORKLOADS, selecting


def validate(args: Any, report_violation: Any) -> None:
    policies = [Subject.of(r) for r in args.resources if r.resource_type == NETWORK_POLICY]
    for r in args.resources:
        if r.resource_type not in WORKLOADS:
            continue
        workload = Subject.of(r)
        covering = selecting(policies, workload, "spec", "podSelector")
        kinds = {str(t) for p in covering for t in items(get(p.props, "spec", "policyTypes"))}
        missing = [t for t in ("Ingress", "Egress") if t not in kinds]
        if missing:
            violation(
                report_violation,
                workload,
                f"has no NetworkPolicy restricting its {' and '.join(t.lower() for t in missing)}: any pod in the "
                "cluster can reach it" + (" and it can reach anything" if "Egress" in missing else ""),
                "add a NetworkPolicy selecting its pods with policyTypes [Ingress, Egress] that allows only what "
                "the agent needs",
            )


RULE = StackRule(
    id="agentha-kubernetes-workload-require-network-policy",
    description="Agent pods are selected by NetworkPolicies restricting both ingress and egress.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Kubernetes allows all pod-to-pod traffic by default; an agent tricked into calling internal "
    "services, or a compromised neighbour calling the agent, is stopped only by a policy.",
    fix="A default-deny NetworkPolicy per agent with the few ingress and egress rules it needs.",
    validate=validate,
)
