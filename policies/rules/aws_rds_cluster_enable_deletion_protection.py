"""Aurora clusters have deletion protection on and keep the spec's backup retention."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    flag = get(args.props, "deletionProtection")
    if flag is not True and flag is not UNKNOWN and not (store is not None and store.cache):
        violation(
            report_violation,
            subject,
            "has deletion protection off: a mistaken destroy or replace deletes the database",
            "set deletionProtection: true",
        )
    raw = get(args.props, "backupRetentionPeriod")
    if store is None or raw is UNKNOWN:
        return
    retention = number(raw) or 1  # RDS keeps 1 day when unset
    if retention < store.backup_retention_days:
        violation(
            report_violation,
            subject,
            f"keeps backups for {int(retention)} day(s), less than the spec's {store.backup_retention_days}",
            f"set backupRetentionPeriod: {store.backup_retention_days}",
        )


RULE = ResourceRule(
    id="agentha-aws-rds-cluster-enable-deletion-protection",
    description="Aurora clusters have deletion protection on and the spec's backup retention.",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
    why="The database is the state a redeploy cannot bring back; deletion protection and backups are what "
    "turn a mistake into an inconvenience.",
    fix="deletionProtection: true; backupRetentionPeriod from the spec's backup.retention.",
    types=("aws:rds/cluster:Cluster",),
    validate=validate,
)
