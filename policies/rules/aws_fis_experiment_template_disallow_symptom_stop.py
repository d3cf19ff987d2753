"""A chaos drill stops when customers are hurt, not on an alarm the drill itself trips."""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, items, names, violation
from policies.rules._alarms import AlarmIndex, alarm_name_of_arn

TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"


def validate(args: Any, report_violation: Any) -> None:
    index = AlarmIndex(args.resources)
    for r in args.resources:
        if r.resource_type != TEMPLATE:
            continue
        found: list[str] = []
        for condition in items(get(r.props, "stopConditions")):
            if get(condition, "source") != "aws:cloudwatch:alarm":
                continue
            name = alarm_name_of_arn(get(condition, "value"))
            if name is None:
                continue
            for leaf, alarm in index.leaves(name):
                what = index.symptom(alarm) if alarm is not None else None
                if what is not None:
                    found.append(f"{leaf} ({what})" if leaf != name else f"{name} ({what})")
        if not found:
            continue
        violation(
            report_violation,
            Subject.of(r),
            f"stops on {names(sorted(set(found)))}, which the drill trips on purpose: the experiment stops "
            "itself minutes in (or, while the alarm is in ALARM, never starts) and measures nothing",
            "stop on an alarm that means customers are hurt beyond the drill's hypothesis (the availability "
            "SLO burn alarm), not on unhealthy hosts, tasks below the minimum or dead letters",
        )


RULE = StackRule(
    id="agentha-aws-fis-experiment-template-disallow-symptom-stop",
    description="FIS drills do not stop on (or on a composite of) alarms the drill itself trips.",
    severity="high",
    topics=("availability", "observability"),
    enforcement="mandatory",
    why="A zone-outage drill makes targets unhealthy and tasks fewer; a kept dead letter is in ALARM for days. "
    "A stop condition built on those alarms ends every drill early or keeps it from starting, so the "
    "recovery the plan promises is never measured.",
    fix="Use a dedicated abort alarm on the SLO (error-budget burn over a short and a long window).",
    validate=validate,
)
