"""IAM policy documents as plain data: explicit actions only, resources from outputs.

Not a component: small builders the components share, so every policy has the same shape and the
tests can check one place for wildcard actions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.aws.lift import combine


@dataclass(frozen=True)
class Statement:
    """One Allow statement: explicit actions on explicit resources (resources may be Outputs)."""

    sid: str
    actions: tuple[str, ...]
    resources: Sequence[pulumi.Input[str]]
    condition: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bad = [a for a in self.actions if "*" in a or "?" in a]
        if bad:
            raise ValueError(f"statement {self.sid}: wildcard actions are not allowed: {bad}")


def _document(statements: Sequence[tuple[Statement, list[str], Mapping[str, Any]]]) -> str:
    body = []
    for stmt, resources, condition in statements:
        entry: dict[str, Any] = {
            "Sid": stmt.sid,
            "Effect": "Allow",
            "Action": sorted(stmt.actions),
            "Resource": sorted(set(resources)),
        }
        if condition:
            entry["Condition"] = dict(condition)
        body.append(entry)
    return json.dumps({"Version": "2012-10-17", "Statement": body}, sort_keys=True)


def policy_json(statements: Sequence[Statement]) -> pulumi.Input[str]:
    """The policy document as JSON, resolved once every resource ARN (and condition value) is known.

    Only the Outputs among resources and conditions go through the SDK (`lift.combine`); a
    document without any is plain text."""
    flat: list[pulumi.Input[str]] = [r for s in statements for r in s.resources]
    counts = [len(s.resources) for s in statements]
    # Condition values may be Outputs too (an ARN a condition key is compared with).
    conditions: list[Any] = [dict(s.condition) for s in statements]

    def render(values: list[Any]) -> str:
        out: list[tuple[Statement, list[str], Mapping[str, Any]]] = []
        i = 0
        resolved = values[len(flat) :]
        for stmt, n, condition in zip(statements, counts, resolved, strict=True):
            out.append((stmt, [str(v) for v in values[i : i + n]], condition))
            i += n
        return _document(out)

    return combine([*flat, *conditions], render)


def deny_without_tls(action: str, resource: str) -> dict[str, Any]:
    """A resource-policy statement refusing `action` on `resource` to any request made without TLS.

    A Deny, so a wildcard action (`sqs:*`) only widens what is refused.
    """
    return {
        "Sid": "DenyWithoutTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def trust_policy(
    service: str,
    account_id: pulumi.Input[str],
    *,
    source_account: bool = True,
    source_arn: pulumi.Input[str] | None = None,
) -> pulumi.Input[str]:
    """Who may assume a role: one AWS service principal, on behalf of this account only.

    `source_account` adds the confused-deputy guard (aws:SourceAccount); leave it off only for
    principals whose documented trust policy has none (the ECS infrastructure role). `source_arn`
    narrows it further to the resources the service acts for (ArnLike aws:SourceArn, may hold `*`).
    """

    def render(values: list[Any]) -> str:
        account, arn = values
        statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        condition: dict[str, Any] = {}
        if source_account:
            condition["StringEquals"] = {"aws:SourceAccount": account}
        if arn is not None:
            condition["ArnLike"] = {"aws:SourceArn": arn}
        if condition:
            statement["Condition"] = condition
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, sort_keys=True)

    return combine([account_id, source_arn], render)
