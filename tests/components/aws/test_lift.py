"""lift.combine and lift.lift: the same inputs, dependencies and secrecy as Output.all / from_input."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi_aws import sqs

from components.aws.lift import combine, has_output, lift
from stacks.capture import synthesize


def _render(values: list[Any]) -> str:
    return json.dumps(values, sort_keys=True)


def test_combine_without_outputs_is_plain_and_renders_now() -> None:
    assert combine(["a", {"k": ["v"]}, None], _render) == _render(["a", {"k": ["v"]}, None])
    assert lift("x", str.upper) == "X"
    assert not has_output({"k": [("v", 1)]})


def test_combine_matches_output_all_in_value_dependencies_and_secrecy() -> None:
    def program() -> None:
        first = sqs.Queue("first")
        second = sqs.Queue("second")
        secret = pulumi.Output.secret("s3cret")
        # Repeated Outputs, plain values and Outputs nested in a dict, in the order render sees them.
        values: list[Any] = ["plain", first.arn, {"nested": second.arn}, first.arn, None, secret]
        sqs.Queue("via-all", sqs.QueueArgs(policy=pulumi.Output.all(*values).apply(_render)))
        sqs.Queue("via-combine", sqs.QueueArgs(policy=combine(values, _render)))
        sqs.Queue("lift-all", sqs.QueueArgs(policy=pulumi.Output.from_input(first.arn).apply(str.upper)))
        sqs.Queue("lift", sqs.QueueArgs(policy=lift(first.arn, str.upper)))
        sqs.Queue("lift-nested-all", sqs.QueueArgs(policy=pulumi.Output.from_input([second.arn]).apply(_render)))
        sqs.Queue("lift-nested", sqs.QueueArgs(policy=lift([second.arn], _render)))

    graph = synthesize(program, project="lift", stack="test")
    by_name = {r.urn.rsplit("::", 1)[1]: r for r in graph.resources}
    for ours, theirs in (("via-combine", "via-all"), ("lift", "lift-all"), ("lift-nested", "lift-nested-all")):
        a, b = by_name[ours], by_name[theirs]
        assert a.inputs == b.inputs, ours
        assert a.dependencies == b.dependencies and a.property_dependencies == b.property_dependencies, ours
    assert by_name["via-combine"].inputs["policy"] == "[secret]"
    assert len(by_name["via-combine"].dependencies) == 2
