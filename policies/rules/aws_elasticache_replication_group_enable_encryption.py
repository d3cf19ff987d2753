"""ElastiCache replication groups encrypt at rest and in transit."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    for key, what in (("atRestEncryptionEnabled", "at rest"), ("transitEncryptionEnabled", "in transit")):
        flag = get(args.props, key)
        if flag is not True and flag is not UNKNOWN:
            violation(
                report_violation,
                subject,
                f"does not encrypt {what}",
                f"set {key}: true",
            )


RULE = ResourceRule(
    id="agentha-aws-elasticache-replication-group-enable-encryption",
    description="ElastiCache replication groups encrypt at rest and in transit.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Cached agent state (sessions, fetched sources, tool results) is user data; encryption in transit "
    "also stops other tenants of the VPC from reading it off the wire.",
    fix="Set atRestEncryptionEnabled and transitEncryptionEnabled.",
    types=("aws:elasticache/replicationGroup:ReplicationGroup",),
    validate=validate,
)
