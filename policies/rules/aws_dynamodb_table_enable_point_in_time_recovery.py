"""DynamoDB tables (and each replica) keep continuous backups when the spec asks for them."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is not None and not store.point_in_time_recovery:
        return  # the spec turned it off for this store (backup.point_in_time_recovery: false)
    enabled = get(args.props, "pointInTimeRecovery", "enabled")
    if enabled is not True and enabled is not UNKNOWN:
        violation(
            report_violation,
            subject,
            "has point-in-time recovery off: a bad write or a deleted item cannot be restored",
            "set pointInTimeRecovery.enabled: true",
        )
    for replica in items(get(args.props, "replicas")):
        flag = get(replica, "pointInTimeRecovery")
        if flag is not True and flag is not UNKNOWN:
            violation(
                report_violation,
                subject,
                f"has point-in-time recovery off on its replica in {get(replica, 'regionName')}: after a failover "
                "that region's table has no continuous backup",
                "set pointInTimeRecovery: true on every replica",
            )


RULE = ResourceRule(
    id="agentha-aws-dynamodb-table-enable-point-in-time-recovery",
    description="DynamoDB tables and their replicas have point-in-time recovery on (unless the spec turns it off).",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
    why="Replication copies mistakes too: a bad deploy that corrupts items is replicated everywhere within a "
    "second. Only point-in-time recovery restores the table as it was before.",
    fix="Enable pointInTimeRecovery on the table and on every replica.",
    types=("aws:dynamodb/table:Table",),
    validate=validate,
)
