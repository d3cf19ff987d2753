"""The plain-secret rules accept the gateway callers' documented OPENAI_API_KEY placeholder, and only it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs

from blueprints.plan import gateway
from policies.rules import aws_ecs_task_definition_disallow_plain_secrets as aws_rule
from policies.rules import kubernetes_workload_disallow_plain_secrets as kube_rule
from policies.rules._gateway import API_KEY_PLACEHOLDER


def _check(rule: Any, kind: str, props: dict[str, Any]) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(kind, props, "urn:pulumi:s::p::t::r", "r", None, None)  # type: ignore[arg-type]
    rule.RULE.check(args, lambda message, urn=None: found.append(message))
    return found


def _task(value: str) -> dict[str, Any]:
    container = {"name": "a", "environment": [{"name": "OPENAI_API_KEY", "value": value}]}
    return {"containerDefinitions": json.dumps([container])}


def _deployment(value: str) -> dict[str, Any]:
    container = {"name": "a", "env": [{"name": "OPENAI_API_KEY", "value": value}]}
    return {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [container]}}}}


def test_the_policy_knows_the_planners_placeholder() -> None:
    assert API_KEY_PLACEHOLDER == (gateway.OPENAI_API_KEY_ENV, gateway.OPENAI_API_KEY_PLACEHOLDER)


@pytest.mark.parametrize(
    "rule, kind, props",
    [
        (aws_rule, "aws:ecs/taskDefinition:TaskDefinition", _task),
        (kube_rule, "kubernetes:apps/v1:Deployment", _deployment),
    ],
)
def test_only_the_placeholder_passes_as_a_plain_key(rule: Any, kind: str, props: Any) -> None:
    assert _check(rule, kind, props(gateway.OPENAI_API_KEY_PLACEHOLDER)) == []
    assert _check(rule, kind, props("sk-live-123"))
