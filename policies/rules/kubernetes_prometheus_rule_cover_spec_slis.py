"""Every SLI the spec names has a Prometheus alert, in every region, routed by severity."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, items, mapping, violation
from policies.rules._shared import enabled_slis

PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
# spec SLI -> (alert name, label naming the part, which parts)
ALERTS = {
    "error_rate_percent": ("AgentErrorRateHigh", "agent", "http-agents"),
    "latency_p99": ("AgentLatencyP99High", "agent", "http-agents"),
    "unhealthy_hosts": ("AgentPodsNotReady", "agent", "agents"),
    "running_below_min": ("AgentBelowPlannedReplicas", "agent", "agents"),
    "oldest_message_age": ("QueueOldestMessageAgeHigh", "queue", "queues"),
    "dead_letters": ("QueueDeadLetters", "queue", "queues"),
    "replication_lag": ("StoreReplicationLagHigh", "store", "postgres-stores"),
}


def _names(value: object, part: str) -> bool:
    """The alert's part label holds the spec's name of the part (`worker`, `findings`), exactly.

    Not an object name: those are shortened with a hash when `<system>-<part>[-<region>]` is long, and
    matching a name inside another (`-findings-` in `<system>-findings-<region>`) would also let one
    part's alert stand in for another's whose name it contains.
    """
    return value == part


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    if plan is None or plan.target != "kubernetes":
        return
    enabled = enabled_slis(plan.observability.alarms)
    alerts: dict[str | None, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    sample: dict[str | None, Subject] = {}
    for r in args.resources:
        if r.resource_type != PROMETHEUS_RULE:
            continue
        s = Subject.of(r)
        sample.setdefault(s.region, s)
        for group in items(get(r.props, "spec", "groups")):
            for rule in items(get(group, "rules")):
                name = get(rule, "alert")
                if isinstance(name, str):
                    alerts[s.region].append((name, mapping(get(rule, "labels"))))
    parts = {
        "http-agents": [x.name for x in plan.agents if x.port is not None],
        "agents": [x.name for x in plan.agents],
        "queues": [q.name for q in plan.queues],
        "postgres-stores": [s.name for s in plan.stores if s.engine == "postgres"],
    }
    for region in plan.regions:
        serving = {x.name for x in plan.agents if (p := x.placement(region.name)) is not None and p.desired > 0}
        for sli, (alert, label, which) in ALERTS.items():
            if not enabled[sli]:
                continue
            for part in parts[which]:
                if which in ("agents", "http-agents") and part not in serving:
                    continue
                found = [
                    labels for name, labels in alerts[region.name] if name == alert and _names(labels.get(label), part)
                ]
                if found and all(labels.get("severity") for labels in found):
                    continue
                problem = (
                    f"the spec names the SLI {sli} but {label} '{part}' in {region.name} has no {alert} alert"
                    if not found
                    else f"the {alert} alert for {label} '{part}' in {region.name} has no severity label, so "
                    "Alertmanager routes it to no receiver"
                )
                violation(
                    report_violation,
                    sample.get(region.name),
                    problem,
                    f"add the {alert} alert (labels {label}: {part}, severity: page|ticket) to the region's "
                    "PrometheusRule",
                    spec_path=f"observability.alarms.{sli}",
                )


RULE = StackRule(
    id="agentha-kubernetes-prometheus-rule-cover-spec-slis",
    description="Every SLI the spec names has a Prometheus alert with a severity, per part and region.",
    severity="high",
    topics=("observability",),
    enforcement="mandatory",
    why="The spec's alarms are its definition of 'broken'; a missing alert is a failure nobody is paged "
    "for, and an alert without severity matches no Alertmanager route.",
    fix="Add the alert to the region's PrometheusRule with the part label and a severity.",
    validate=validate,
)
