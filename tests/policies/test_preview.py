"""Preview safety: with every input that depends on another resource unknown (as in a first
`pulumi preview`), no rule crashes and none reports a violation on a compliant graph.

The engine sends such values as pulumi-policy's unknown sentinels behind `unknown_checking_proxy`,
which raises `UnknownValueError` on access; the rules read properties through `policies.resources`
helpers that turn that into `UNKNOWN` and skip the comparison.
"""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from policies.engine import evaluate
from tests.policies.graphs import base
from tests.policies.rules.corpus import change, setting


def _unknown_for(value: object) -> str:
    if isinstance(value, bool):
        return UNKNOWN_BOOLEAN_VALUE
    if isinstance(value, int | float):
        return UNKNOWN_NUMBER_VALUE
    if isinstance(value, list):
        return UNKNOWN_ARRAY_VALUE
    if isinstance(value, dict):
        return UNKNOWN_OBJECT_VALUE
    return UNKNOWN_STRING_VALUE


def preview(graph):
    """The graph as a first preview shows it: dependent inputs unknown, read through the engine's proxy."""
    resources = []
    for r in graph:
        inputs = dict(r.inputs)
        for key, deps in r.property_dependencies.items():
            if deps and key in inputs:
                inputs[key] = _unknown_for(inputs[key])
        resources.append(dataclasses.replace(r, inputs=unknown_checking_proxy(inputs)))
    return type(graph)(graph.project, graph.stack, resources, graph.exports)


@pytest.mark.parametrize("key", ["support-prod", "orders-prod", "engines", "research-prod", "kube-multi"])
def test_compliant_graphs_pass_during_preview(key: str) -> None:
    graph, context = base(key)
    damaged = preview(graph)
    unknown = sum(1 for r in graph for k, d in r.property_dependencies.items() if d and k in r.inputs)
    if any(r.type.startswith("aws:") for r in graph):
        assert unknown > 100  # the preview really hides ARNs, ids, policy documents, subnets...
    report = evaluate(damaged, context)
    assert [v.message for v in report.violations] == []


def test_a_known_defect_is_still_caught_during_preview() -> None:
    graph, context = base("support-prod")
    damaged = change(
        "support-agent-action-executor-service-us-east-1", setting("deploymentCircuitBreaker.enable", False)
    )(graph)
    report = evaluate(preview(damaged), context)
    assert {v.rule_id for v in report.violations} == {"agentha-aws-ecs-service-enable-circuit-breaker"}
