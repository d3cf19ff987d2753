"""SNS topics are encrypted with a customer managed key."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    key = get(args.props, "kmsMasterKeyId")
    if key or key is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "is not encrypted at rest (no kmsMasterKeyId)",
        "set kmsMasterKeyId to the region's customer managed key (its key policy must let CloudWatch use it)",
    )


RULE = ResourceRule(
    id="agentha-aws-sns-topic-enable-encryption",
    description="SNS topics are encrypted at rest.",
    severity="low",
    topics=("security",),
    # Mandatory (was advisory): encryption at rest is a default of the house, every generated topic
    # has its region's key, and scanners (checkov CKV_AWS_26) fail an unencrypted topic.
    enforcement="mandatory",
    why="Alert messages name resources, regions and sometimes payload fragments; encrypting the topic keeps "
    "them under the same key policy as the data they describe.",
    fix="Set kmsMasterKeyId on the topic.",
    types=("aws:sns/topic:Topic",),
    validate=validate,
)
