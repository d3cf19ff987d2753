"""ElastiCache replication groups encrypt at rest and in transit."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    secondary = (store is not None and len(store.regions) > 1 and subject.region != store.primary_region) or bool(
        get(args.props, "globalReplicationGroupId")
    )
    if secondary:
        # A global datastore's secondary takes its encryption from the datastore (ElastiCache rejects
        # the settings on it); the primary, checked here too, decides for every member. Whether the
        # secondary really joined is agentha-aws-elasticache-replication-group-join-global-datastore's.
        return
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
