"""The engine: resource and stack rules over a hand-built graph, levels, not-applicable, structure."""

from __future__ import annotations

from typing import Any

import pytest

from policies.config import PolicyConfig
from policies.context import PolicyContext, current
from policies.engine import evaluate, resource_args, stack_args
from policies.model import Level, ResourceRule, Severity, StackRule, Topic
from policies.resources import Subject, violation
from tests.policies.graphs import graph, resource, urn

QUEUE = "aws:sqs/queue:Queue"
PROVIDER = "pulumi:providers:aws"


def _needs_redrive(args: Any, report: Any) -> None:
    subject = Subject.of(args)
    if not args.props.get("redrivePolicy"):
        violation(report, subject, "has no dead-letter queue", "add a redrive policy")


def _counts_queues(args: Any, report: Any) -> None:
    queues = [r for r in args.resources if r.resource_type == QUEUE]
    assert current().plan is None  # the context set by evaluate() is visible to the rule
    if len(queues) < 3:
        violation(report, Subject.of(queues[0]), f"only {len(queues)} queues", "add queues", spec_path="queues")


def _not_applicable(args: Any, report: Any) -> None:
    args.not_applicable("nothing to see")


def _resource_rule(
    rule_id: str,
    validate: Any,
    *,
    description: str = "Test rule.",
    severity: Severity = "low",
    topics: tuple[Topic, ...] = ("security",),
    enforcement: Level = "advisory",
) -> ResourceRule:
    """A resource rule on queues; only what a test looks at is given."""
    return ResourceRule(
        id=rule_id,
        description=description,
        severity=severity,
        topics=topics,
        enforcement=enforcement,
        why="test",
        fix="test",
        types=(QUEUE,),
        validate=validate,
    )


RESOURCE_RULE = _resource_rule(
    "agentha-test-sqs-queue-require-redrive",
    _needs_redrive,
    description="Queues have a redrive policy.",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
)
STACK_RULE = StackRule(
    id="agentha-test-stack-queues-count-three",
    description="Three queues at least.",
    severity="low",
    topics=("availability",),
    enforcement="advisory",
    why="test",
    fix="test",
    validate=_counts_queues,
)
NA_RULE = _resource_rule("agentha-test-sqs-queue-skip-always", _not_applicable, description="Never applies.")


def _graph():
    provider = resource(PROVIDER, "aws", {"region": "us-east-1"}, custom=True)
    return graph(
        provider,
        resource(
            QUEUE, "good", {"redrivePolicy": "{}", "tags": {"agentha:spec-path": "queues.good"}}, provider=provider.urn
        ),
        resource(
            QUEUE, "bad", {"region": "eu-west-1", "tags": {"agentha:spec-path": "queues.bad"}}, provider=provider.urn
        ),
        resource("agentha:queues:DurableQueue", "comp", {}, custom=False),
    )


def test_resource_and_stack_rules_report_structured_violations() -> None:
    report = evaluate(_graph(), PolicyContext(plan=None), rules=[RESOURCE_RULE, STACK_RULE, NA_RULE])
    by_rule = {r.rule.id: r for r in report.results}
    bad = by_rule[RESOURCE_RULE.id].violations
    assert len(bad) == 1
    v = bad[0]
    assert (v.resource_name, v.region, v.spec_path, v.level) == ("bad", "eu-west-1", "queues.bad", "mandatory")
    assert (
        v.message
        == "SQS queue 'bad' in eu-west-1 (spec: queues.bad): has no dead-letter queue. Fix: add a redrive policy."
    )
    assert by_rule[RESOURCE_RULE.id].checked == 2  # both queues, not the provider or the component
    stack = by_rule[STACK_RULE.id].violations
    assert [s.level for s in stack] == ["advisory"] and stack[0].spec_path == "queues"
    assert by_rule[NA_RULE.id].not_applicable == "nothing to see"
    assert not report.passed and len(report.mandatory) == 1 and len(report.advisory) == 1


def test_region_falls_back_to_the_provider() -> None:
    report = evaluate(_graph(), PolicyContext(plan=None), rules=[RESOURCE_RULE])
    args = {a.name: a for a in resource_args(_graph())}
    assert Subject.of(args["good"]).region == "us-east-1"
    assert report.results[0].violations[0].region == "eu-west-1"


def test_levels_from_config_and_disabled_rules_do_not_run() -> None:
    config = PolicyConfig(rules={RESOURCE_RULE.id: "advisory", STACK_RULE.id: "disabled"})
    report = evaluate(_graph(), PolicyContext(plan=None), config, rules=[RESOURCE_RULE, STACK_RULE])
    by_rule = {r.rule.id: r for r in report.results}
    assert by_rule[STACK_RULE.id].checked == 0 and not by_rule[STACK_RULE.id].violations
    assert [v.level for v in by_rule[RESOURCE_RULE.id].violations] == ["advisory"]
    assert report.passed  # advisory findings never fail


def test_stack_args_link_parents_and_dependencies() -> None:
    parent = resource("agentha:queues:DurableQueue", "comp", custom=False)
    child = resource(QUEUE, "q", {}, parent=parent.urn, property_dependencies={"x": (parent.urn,)})
    args = stack_args(graph(parent, child))
    by_name = {r.name: r for r in args.resources}
    assert by_name["q"].parent is by_name["comp"]
    assert by_name["q"].property_dependencies["x"] == [by_name["comp"]]
    assert by_name["q"].opts.parent == urn("agentha:queues:DurableQueue", "comp")


def test_plain_report_violation_calls_still_count() -> None:
    def plain(args: Any, report: Any) -> None:
        report("plain message")

    rule = _resource_rule("agentha-test-sqs-queue-report-plainly", plain, enforcement="mandatory")
    report = evaluate(_graph(), PolicyContext(plan=None), rules=[rule])
    assert [v.message for v in report.violations] == ["plain message", "plain message"]


@pytest.mark.parametrize("bad_id", ["agentha-sqs", "other-aws-sqs-queue-require-x", "agentha-aws-sqs-Queue-x"])
def test_rule_ids_are_checked(bad_id: str) -> None:
    with pytest.raises(ValueError, match="agentha-<service>"):
        _resource_rule(bad_id, _needs_redrive)
