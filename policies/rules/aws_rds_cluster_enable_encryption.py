"""Aurora clusters encrypt their storage."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    flag = get(args.props, "storageEncrypted")
    if flag is True or flag is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "stores data unencrypted (storageEncrypted is not true); encryption cannot be turned on later without "
        "a snapshot restore",
        "set storageEncrypted: true with the region's kmsKeyId",
    )


RULE = ResourceRule(
    id="agentha-aws-rds-cluster-enable-encryption",
    description="Aurora clusters have storage encryption on.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Encryption at rest is a baseline for user data and, for Aurora, is fixed at creation time.",
    fix="storageEncrypted: true with a customer managed key.",
    types=("aws:rds/cluster:Cluster",),
    validate=validate,
)
