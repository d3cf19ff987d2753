"""Aurora DSQL clusters encrypt their data with the system's customer managed key."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation

AWS_OWNED = "AWS_OWNED_KMS_KEY"


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    key = get(args.props, "kmsEncryptionKey")
    if key is UNKNOWN:
        return
    if not isinstance(key, str) or not key or key == AWS_OWNED:
        violation(
            report_violation,
            subject,
            "encrypts its data with an AWS owned key, not the system's customer managed key: key use is not in "
            "your CloudTrail and you cannot revoke it",
            "set kmsEncryptionKey to the region's customer managed key ARN",
        )


RULE = ResourceRule(
    id="agentha-aws-dsql-cluster-enable-encryption",
    description="Aurora DSQL clusters are encrypted with the region's customer managed KMS key.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Every other store of the blueprint uses the region's customer managed key (rotated, audited, "
    "revocable); a DSQL cluster on an AWS owned key would be the one exception.",
    fix="Set kmsEncryptionKey to the region's key (the topology component does).",
    types=("aws:dsql/cluster:Cluster",),
    validate=validate,
)
