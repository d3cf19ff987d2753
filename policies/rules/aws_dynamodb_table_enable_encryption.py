"""DynamoDB tables are encrypted with a customer managed KMS key, in every replica region too."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    enabled = get(args.props, "serverSideEncryption", "enabled")
    key = get(args.props, "serverSideEncryption", "kmsKeyArn")
    if enabled is UNKNOWN:
        return
    if enabled is not True:
        violation(
            report_violation,
            subject,
            "is encrypted only with an AWS owned key (serverSideEncryption off): access to the data cannot be "
            "governed or audited through a key policy",
            "set serverSideEncryption: {enabled: true, kmsKeyArn: <the region's customer managed key>}",
        )
        return
    if not key:
        return  # AWS managed key: encrypted, nothing more to check per replica
    for replica in items(get(args.props, "replicas")):
        replica_key = get(replica, "kmsKeyArn")
        if not replica_key and replica_key is not UNKNOWN:
            violation(
                report_violation,
                subject,
                f"uses a customer managed key but its replica in {get(replica, 'regionName')} names no key of its "
                "own region (a key never leaves its region)",
                "set kmsKeyArn on every replica to the customer managed key of the replica's region",
            )


RULE = ResourceRule(
    id="agentha-aws-dynamodb-table-enable-encryption",
    description="DynamoDB tables use KMS encryption (a customer managed key per region, replicas included).",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Conversation history and idempotency records are user data; a customer managed key puts access under "
    "a key policy and CloudTrail, and each replica region needs its own key.",
    fix="Enable serverSideEncryption with the region's customer managed key and set each replica's kmsKeyArn.",
    types=("aws:dynamodb/table:Table",),
    validate=validate,
)
