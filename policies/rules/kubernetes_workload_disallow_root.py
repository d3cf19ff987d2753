"""Containers run as a non-root user, without privilege escalation."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, number, violation
from policies.rules._kubernetes import WORKLOADS, containers, pod_spec


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    pod = get(pod_spec(args.props), "securityContext")
    for container in containers(args.props):
        own = get(container, "securityContext")
        name = get(container, "name")
        non_root = get(own, "runAsNonRoot")
        if non_root is None:
            non_root = get(pod, "runAsNonRoot")
        user = get(own, "runAsUser")
        if user is None:
            user = get(pod, "runAsUser")
        problems = []
        if non_root is not True:
            problems.append("runAsNonRoot is not true")
        if number(user) == 0:
            problems.append("runAsUser is 0 (root)")
        if get(own, "privileged") is True:
            problems.append("it is privileged")
        if get(own, "allowPrivilegeEscalation") is not False:
            problems.append("allowPrivilegeEscalation is not false")
        if problems:
            violation(
                report_violation,
                subject,
                f"container '{name}' may run as root or gain privileges ({'; '.join(problems)})",
                "set securityContext: runAsNonRoot: true, a non-zero runAsUser, allowPrivilegeEscalation: false, "
                "privileged: false",
            )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-disallow-root",
    description="Containers run as non-root without privilege escalation.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="An agent executes tools on behalf of model output; if it is tricked into running code, a root "
    "container with escalation is a short step from the node.",
    fix="runAsNonRoot: true, runAsUser ≠ 0, allowPrivilegeEscalation: false.",
    types=WORKLOADS,
    validate=validate,
)
