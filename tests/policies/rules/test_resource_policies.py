"""Who a policy statement lets in: public principals, the conditions that pin them, role trust.

The seeded corpus shows each rule catching a realistic defect on a generated graph; these cases pin
the edges: which conditions count as narrowing (fixed values, positive operators, the right keys)
and that a Deny to "*" is never a finding.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs

from policies.rules import aws_iam_role_disallow_public_trust as trust
from policies.rules import aws_resource_policy_disallow_public_principal as public
from policies.rules._shared import is_public_principal, narrowing_condition

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"


def _findings(rule: Any, type_token: str, props: dict[str, Any]) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(type_token, props, "urn:pulumi:s::p::t::r", "r", None, None)  # type: ignore[arg-type]
    rule.RULE.check(args, lambda message, urn=None: found.append(message))
    return found


def _queue_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def _allow(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": QUEUE}
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    "principal, expected",
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::1:root", "*"]}, True),
        ({"AWS": "arn:aws:iam::123456789012:root"}, False),
        ({"Service": "sns.amazonaws.com"}, False),
    ],
)
def test_public_principal_forms(principal: Any, expected: bool) -> None:
    assert is_public_principal(principal) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}},
        {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-0123"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/"}},
    ],
)
def test_a_fixed_caller_condition_makes_star_acceptable(condition: dict[str, Any]) -> None:
    assert narrowing_condition(_allow("*", condition))
    assert _findings(public, "aws:sqs/queuePolicy:QueuePolicy", _queue_policy(_allow("*", condition))) == []


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"Bool": {"aws:SecureTransport": "true"}},  # says how, not who
        {"StringNotEquals": {"aws:SourceAccount": "123456789012"}},  # negated: everyone else
        {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}},  # true when the key is absent
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-a/"}},  # true when the key is absent
        {"ArnLike": {"aws:SourceArn": "*"}},  # a wildcard is no fixed value
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},  # the whole internet
    ],
)
def test_star_without_a_narrowing_condition_is_refused(condition: dict[str, Any] | None) -> None:
    found = _findings(public, "aws:sqs/queuePolicy:QueuePolicy", _queue_policy(_allow("*", condition)))
    assert len(found) == 1 and "any principal (*)" in found[0]


def test_deny_to_star_and_named_principals_pass() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": QUEUE,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    named = _allow({"AWS": "arn:aws:iam::123456789012:role/producer"})
    assert _findings(public, "aws:sqs/queuePolicy:QueuePolicy", _queue_policy(deny, named)) == []


def test_allow_with_not_principal_is_everyone_else() -> None:
    statement = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
        "Action": "sns:Publish",
        "Resource": "*",
    }
    found = _findings(public, "aws:sns/topic:Topic", _queue_policy(statement))
    assert len(found) == 1 and "everyone but the NotPrincipal" in found[0]


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:kms/key:Key",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:sqs/queue:Queue",
        "aws:secretsmanager/secret:Secret",
    ],
)
def test_every_kind_of_resource_policy_is_read(type_token: str) -> None:
    assert len(_findings(public, type_token, _queue_policy(_allow("*")))) == 1


def _trust(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def test_trust_in_anyone_is_refused_unless_pinned_to_an_organisation_or_principal() -> None:
    role = "aws:iam/role:Role"
    assert len(_findings(trust, role, _trust({"AWS": "*"}))) == 1
    # An external id is a shared string, not a statement of who the caller is.
    assert len(_findings(trust, role, _trust("*", {"StringEquals": {"sts:ExternalId": "x"}}))) == 1
    assert _findings(trust, role, _trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})) == []
    assert _findings(trust, role, _trust({"Service": "ecs-tasks.amazonaws.com"})) == []
