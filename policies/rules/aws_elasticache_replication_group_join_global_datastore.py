"""A Valkey store the plan places in several regions has a secondary in each joined to its global datastore."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or len(store.regions) < 2 or subject.region in (None, store.primary_region):
        return  # the primary is named by the GlobalReplicationGroup itself
    member = get(args.props, "globalReplicationGroupId")
    if member or member is UNKNOWN:
        return
    violation(
        report_violation,
        subject,
        f"is a standalone group in {subject.region}, not a secondary of store '{store.name}''s global datastore: "
        "it holds none of the primary's data",
        "set globalReplicationGroupId to the store's global datastore",
    )


RULE = ResourceRule(
    id="agentha-aws-elasticache-replication-group-join-global-datastore",
    description="ElastiCache groups outside the primary region are secondaries of the store's global datastore.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="The region estimates for Valkey assume a global datastore secondary to promote; a standalone group "
    "starts empty after a failover.",
    fix="Create the secondary with globalReplicationGroupId.",
    types=("aws:elasticache/replicationGroup:ReplicationGroup",),
    validate=validate,
)
