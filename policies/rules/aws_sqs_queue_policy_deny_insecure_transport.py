"""SQS queue policies refuse every request made without TLS."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import as_list, statements


def _denies_plain_transport(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator in ("Bool", "BoolIfExists"):
        value = condition.get(operator, {})
        if isinstance(value, dict) and str(value.get("aws:SecureTransport", "")).lower() == "false":
            actions = as_list(statement.get("Action"))
            return any(a in ("*", "sqs:*") for a in actions)
    return False


def validate(args: Any, report_violation: Any) -> None:
    document = get(args.props, "policy")
    if document is UNKNOWN:
        return
    if any(_denies_plain_transport(s) for s in statements(document)):
        return
    violation(
        report_violation,
        Subject.of(args),
        "does not deny requests made without TLS (no Deny of sqs:* on aws:SecureTransport false)",
        'add a statement {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Condition": '
        '{"Bool": {"aws:SecureTransport": "false"}}}',
    )


RULE = ResourceRule(
    id="agentha-aws-sqs-queue-policy-deny-insecure-transport",
    description="SQS queue policies deny any request made without TLS.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="SQS accepts plain HTTP unless a policy refuses it; messages and credentials would cross the network "
    "in clear text from a misconfigured client.",
    fix="Add a Deny statement on aws:SecureTransport false to the queue policy.",
    types=("aws:sqs/queuePolicy:QueuePolicy",),
    validate=validate,
)
