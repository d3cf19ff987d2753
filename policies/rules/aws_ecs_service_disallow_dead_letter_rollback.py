"""A deployment does not roll back on a dead-letter alarm (dead letters page; they do not judge a release)."""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, items, names, violation
from policies.rules._alarms import AlarmIndex

SERVICE = "aws:ecs/service:Service"


def validate(args: Any, report_violation: Any) -> None:
    index = AlarmIndex(args.resources)
    for r in args.resources:
        if r.resource_type != SERVICE:
            continue
        listed = [n for n in items(get(r.props, "alarms", "alarmNames")) if isinstance(n, str)]
        dead = sorted(
            n
            for n in listed
            for leaf, alarm in index.leaves(n)
            if alarm is not None and index.symptom(alarm) == "dead letters"
        )
        if not dead:
            continue
        violation(
            report_violation,
            Subject.of(r),
            f"fails and rolls back deployments on the dead-letter alarm {names(sorted(set(dead)))}: a dead letter "
            "is kept for the dead-letter queue's retention (days), so every deployment meanwhile fails, whatever "
            "the new version does",
            "keep the dead-letter alarm paging through the alert topic and remove it from alarms.alarmNames; roll "
            "back on the new version's own 5xx rate and latency",
        )


RULE = StackRule(
    id="agentha-aws-ecs-service-disallow-dead-letter-rollback",
    description="ECS deployments do not fail or roll back on dead-letter alarms.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="A dead letter outlives the deployment that caused it: as a deployment alarm it fails or rolls back "
    "every later deployment, including the fix, for as long as the message is kept.",
    fix="Page on dead letters; roll back on the SLO alarms of the version being deployed (5xx rate, latency).",
    validate=validate,
)
