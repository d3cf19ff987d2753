"""Rules of blueprints/spec/rules/assumptions.py: overrides name figures of the data table."""

from __future__ import annotations

from tests.blueprints.spec.rules.helpers import aws, of_rule, only


def test_assumption_ids_passes_for_known_figures() -> None:
    spec = aws()
    spec["assumptions"] = {"slas": {"aws-sqs": 99.95}, "timings": {"fargate-task-start": "90s"}}
    assert of_rule(spec, "assumption-ids") == []


def test_assumption_ids_fails_for_an_unknown_sla_with_a_suggestion() -> None:
    spec = aws()
    spec["assumptions"] = {"slas": {"aws-sqss": 99.95}}
    p = only(spec, "assumption-ids")
    assert p.path == "assumptions.slas.aws-sqss"
    assert p.fix.startswith("did you mean 'aws-sqs'?")
    assert "aws-dynamodb" in p.fix  # lists the known ids


def test_assumption_ids_fails_for_a_timing_given_as_an_sla() -> None:
    spec = aws()
    spec["assumptions"] = {"timings": {"aws-sqs": "10s"}}
    p = only(spec, "assumption-ids")
    assert p.path == "assumptions.timings.aws-sqs"
    assert "no timing figure is called 'aws-sqs'" in p.message
