"""Log groups are encrypted with a customer managed KMS key.

CloudWatch Logs encrypts every log group with a key AWS owns; a customer managed key adds what the
account controls: who may read the logs (the key policy, audited in CloudTrail) and the power to
make them unreadable by disabling the key. Agents' logs carry prompts, tool calls and user data.
The key's policy must let `logs.<region>.amazonaws.com` use it, limited by the
`kms:EncryptionContext:aws:logs:arn` condition (components/aws/encryption.py does).
"""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    key = get(args.props, "kmsKeyId")
    if key is UNKNOWN or (isinstance(key, str) and key.strip()):
        return
    violation(
        report_violation,
        Subject.of(args),
        "is not encrypted with a customer managed KMS key (no kmsKeyId): who may read the agents' logs is "
        "decided by IAM alone, with no key policy or key-level audit trail",
        "set kmsKeyId to the region's customer managed key, whose policy allows logs.<region>.amazonaws.com "
        "under a kms:EncryptionContext:aws:logs:arn condition",
    )


RULE = ResourceRule(
    id="agentha-aws-cloudwatch-log-group-enable-encryption",
    description="Log groups are encrypted with a customer managed KMS key.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Agent logs hold prompts, tool calls and personal data; a customer managed key puts their reading under "
    "a key policy and CloudTrail, and lets the account revoke access by disabling the key.",
    fix="kmsKeyId: the region's customer managed key (its policy grants logs.<region>.amazonaws.com).",
    types=("aws:cloudwatch/logGroup:LogGroup",),
    validate=validate,
)
