"""Every SLI the spec names has its CloudWatch alarm, for every agent, queue and store it applies to."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, violation
from policies.rules._shared import PART_TAG, agent_placement, enabled_slis, is_dead_letter_queue, sli_of

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SERVICE = "aws:ecs/service:Service"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
QUEUE = "aws:sqs/queue:Queue"

WORDS = {
    "error_rate_percent": "5xx error rate",
    "latency_p99": "p99 latency",
    "oldest_message_age": "oldest message age",
    "dead_letters": "dead letters",
    "replication_lag": "replication lag",
    "unhealthy_hosts": "unhealthy hosts",
    "running_below_min": "running tasks below minimum",
}


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    plan = context.plan
    if plan is None or plan.target != "aws":
        return
    enabled = enabled_slis(plan.observability.alarms)
    have: set[tuple[str, str | None, str | None]] = set()
    needed: dict[tuple[str, str | None, str | None], Subject] = {}
    for r in args.resources:
        if r.resource_type == ALARM:
            s = Subject.of(r)
            sli = sli_of(s)
            if sli is not None:
                have.add((sli, s.tag(PART_TAG), s.region))
            continue
        if r.resource_type not in (SERVICE, QUEUE, *LOAD_BALANCERS):
            continue
        s = Subject.of(r)
        part = s.tag(PART_TAG)
        wants: list[str] = []
        if r.resource_type == SERVICE:
            placement = agent_placement(context, part, s.region)
            # A pilot-light service has a minimum of 0: "below the minimum" cannot happen there.
            wants = [] if placement is not None and placement.min == 0 else ["running_below_min"]
        elif r.resource_type == QUEUE:
            wants = ["dead_letters"] if is_dead_letter_queue(s, context) else ["oldest_message_age"]
        else:
            wants = ["unhealthy_hosts"]
            if get(r.props, "loadBalancerType", default="application") == "application":
                wants += ["error_rate_percent", "latency_p99"]
        for sli in wants:
            if enabled[sli]:
                needed.setdefault((sli, part, s.region), s)
    for store in plan.stores:
        if enabled["replication_lag"] and store.replication == "async" and len(store.regions) > 1:
            for region in store.replica_regions:
                needed.setdefault(("replication_lag", store.name, region), None)  # type: ignore[arg-type]
    for (sli, part, region), subject in sorted(
        needed.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2] or "")
    ):
        if (sli, part, region) in have:
            continue
        path = f"observability.alarms.{sli}"
        what = f"'{part}'" + (f" in {region}" if region else "")
        violation(
            report_violation,
            subject,
            f"the spec names the SLI {WORDS[sli]} ({path}) but {what} has no alarm on it: that failure "
            "would go unnoticed",
            f"add a CloudWatch alarm on {WORDS[sli]} for {what}, notifying the region's alert topic",
            spec_path=path,
        )


RULE = StackRule(
    id="agentha-aws-cloudwatch-metric-alarm-cover-spec-slis",
    description="Every SLI the spec names has an alarm for each agent, queue and store it applies to.",
    severity="high",
    topics=("observability",),
    enforcement="mandatory",
    why="The spec's alarms are its definition of 'broken'; an SLI without an alarm in one region is a "
    "failure mode nobody is told about, so every RTO estimate's detection step is void there.",
    fix="Create the missing alarms (the topology component does, from observability.alarms).",
    validate=validate,
)
