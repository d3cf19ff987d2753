"""The plan's availability, RTO and RPO estimates meet the spec's objectives (mandatory)."""

from __future__ import annotations

from typing import Any

from blueprints.units import format_duration
from policies.context import current
from policies.model import StackRule
from policies.resources import violation


def _value(kind: str, value: float | None) -> str:
    if value is None:
        return "unbounded (the topology cannot recover from it)"
    return f"{value:g} %" if kind == "availability" else format_duration(value)


def _with_suggestion(context: Any, estimate: Any) -> Any:
    """The planner's cheapest change that meets the objective (computed only for a missed one)."""
    import dataclasses

    from blueprints.plan.advice import suggest
    from blueprints.spec.loader import load_spec

    if context.loaded is None and context.spec_file:
        try:
            context.loaded = load_spec(context.spec_file, context.environment)
        except Exception:  # the spec was valid when planned; if it changed since, go without advice
            return estimate
    if context.loaded is None:
        return estimate
    return dataclasses.replace(estimate, suggestion=suggest(context.loaded.spec, context.environment, estimate))


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    if context.plan is None:
        violation(
            report_violation,
            None,
            f"the HA spec could not be loaded, so no objective can be checked: {context.error}",
            "set the stack config agentha:spec to the spec this stack builds",
        )
        return
    for estimate in context.plan.estimates:
        if estimate.met is not False:
            continue
        if estimate.suggestion is None:
            estimate = _with_suggestion(context, estimate)
        if estimate.kind == "availability":
            path = "objectives.availability"
            what = "availability"
        else:
            path = f"objectives.disruptions.{estimate.disruption}.{estimate.kind}"
            article = "an" if str(estimate.disruption)[:1] in "aeiou" else "a"
            what = f"{estimate.kind.upper()} after {article} {estimate.disruption} disruption"
        fix = estimate.suggestion or "change the topology (more zones or regions, hot standby, automatic failover)"
        fix += "; `agentha-blueprint plan --explain` shows the arithmetic"
        violation(
            report_violation,
            None,
            f"the plan's {what} estimate is {_value(estimate.kind, estimate.value)}, which misses the objective "
            f"of {_value(estimate.kind, estimate.objective)}",
            fix,
            spec_path=path,
        )


RULE = StackRule(
    id="agentha-stack-plan-meet-objectives",
    description="The plan's availability, RTO and RPO estimates meet the spec's objectives.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    always_mandatory=True,  # the point of the tool: a missed objective always fails `check`
    why="A topology that cannot meet its own objectives on paper will not meet them in production; "
    "deploying it only moves the discovery to the first outage.",
    fix="Change the spec until `agentha-blueprint plan` shows every objective met (or relax an objective "
    "deliberately).",
    validate=validate,
)
