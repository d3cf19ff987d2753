"""Agent containers have the liveness, readiness and startup probes the spec gives them."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, violation
from policies.rules._kubernetes import WORKLOADS, containers
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    agent = current().agent(part_name(subject, "agents"))
    if agent is None:
        return
    main = containers(args.props, init=False)
    if not main:
        return
    container = next((c for c in main if get(c, "name") == agent.name), main[0])
    for key, planned in (
        ("livenessProbe", agent.liveness),
        ("readinessProbe", agent.readiness),
        ("startupProbe", agent.startup),
    ):
        if planned is None or get(container, key) is not None:
            continue
        violation(
            report_violation,
            subject,
            f"container '{get(container, 'name')}' has no {key} although the spec defines one ({planned.path}): "
            + (
                "broken replicas keep receiving traffic"
                if key == "readinessProbe"
                else "a hung replica is never restarted"
                if key == "livenessProbe"
                else "slow starts are killed by the liveness probe"
            ),
            f"add {key} with httpGet {planned.path} every {planned.period_s:g}s, "
            f"failureThreshold {planned.failure_threshold}",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-require-probes",
    description="Agent containers carry the liveness, readiness and startup probes defined in the spec.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="Probes are how Kubernetes notices a broken replica: readiness takes it out of the Service, liveness "
    "restarts it; the application RTO estimate counts on both.",
    fix="Add the spec's probes to the agent container.",
    types=WORKLOADS,
    validate=validate,
)
