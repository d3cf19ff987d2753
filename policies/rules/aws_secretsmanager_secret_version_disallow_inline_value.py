"""Secret values never pass through the Pulumi program (no SecretVersion with a value)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    keys = [k for k in ("secretString", "secretBinary", "secretStringWo") if get(args.props, k) is not None]
    if not keys:
        return
    violation(
        report_violation,
        Subject.of(args),
        f"sets the secret's value from the program ({', '.join(keys)}): it lands in the program's inputs, and "
        "(except write-only arguments) in the Pulumi state",
        "remove the secret version and set the value out of band: aws secretsmanager put-secret-value",
    )


RULE = ResourceRule(
    id="agentha-aws-secretsmanager-secret-version-disallow-inline-value",
    description="Secret values are set out of band, never by a SecretVersion in the program.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Model provider keys and API tokens in a program or state file leak through every clone, CI log and "
    "state backup; the spec names secrets, it never holds them.",
    fix="Create only the secret; put its value with the AWS CLI or console.",
    types=("aws:secretsmanager/secretVersion:SecretVersion",),
    validate=validate,
)
