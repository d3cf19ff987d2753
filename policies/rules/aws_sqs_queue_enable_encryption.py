"""SQS queues (dead-letter queues included) are encrypted at rest."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    key = get(args.props, "kmsMasterKeyId")
    managed = get(args.props, "sqsManagedSseEnabled")
    if key or key is UNKNOWN or managed is True or managed is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "stores messages unencrypted at rest (no kmsMasterKeyId, SQS-managed encryption off)",
        "set kmsMasterKeyId to the region's customer managed key (or sqsManagedSseEnabled: true)",
    )


RULE = ResourceRule(
    id="agentha-aws-sqs-queue-enable-encryption",
    description="SQS queues are encrypted at rest.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Agent messages carry user conversations and actions; encryption at rest with a customer managed key "
    "keeps them unreadable outside the principals the key policy allows.",
    fix="Set kmsMasterKeyId (customer managed key) or sqsManagedSseEnabled.",
    types=("aws:sqs/queue:Queue",),
    validate=validate,
)
