"""Agent pods do not mount a Kubernetes API token they do not need."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation
from policies.rules._kubernetes import WORKLOADS, pod_spec


def validate(args: Any, report_violation: Any) -> None:
    if get(pod_spec(args.props), "automountServiceAccountToken") is False:
        return
    violation(
        report_violation,
        Subject.of(args),
        "mounts a service account token into every pod (automountServiceAccountToken is not false): anything "
        "running in the pod can call the Kubernetes API as that account",
        "set spec.template.spec.automountServiceAccountToken: false",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-disallow-token-automount",
    description="Pods do not automount a service account token.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Agents never talk to the Kubernetes API; a mounted token only helps an attacker who got code "
    "execution through a tool call.",
    fix="automountServiceAccountToken: false on the pod template (and the ServiceAccount).",
    types=WORKLOADS,
    validate=validate,
)
