"""CloudNativePG clusters of stores with point-in-time recovery archive WAL and base backups."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or not store.point_in_time_recovery or store.cache:
        return
    backup = get(args.props, "spec", "backup")
    if get(backup, "barmanObjectStore") is not None or get(args.props, "spec", "plugins") is not None:
        return
    violation(
        report_violation,
        subject,
        "archives no WAL and takes no base backup (no spec.backup): a bad migration or a lost cluster cannot be "
        "restored to a point in time",
        "set spec.backup.barmanObjectStore (destinationPath, credentials) and a ScheduledBackup",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-postgres-cluster-require-backup",
    description="CloudNativePG clusters archive WAL and base backups when the spec asks for point-in-time recovery.",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
    why="Replication copies mistakes; only archived WAL and base backups bring the data back as it was "
    "before a bad write, or after losing the whole cluster.",
    fix="Configure spec.backup with an object store and schedule base backups.",
    types=("kubernetes:postgresql.cnpg.io/v1:Cluster",),
    validate=validate,
)
