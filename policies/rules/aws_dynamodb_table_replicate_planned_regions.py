"""A DynamoDB table has a replica in every region the plan places its store in (global table)."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, names, violation
from policies.rules._shared import part_name, replica_regions


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or subject.region is None:
        return
    replicas = replica_regions(args.props, "regionName")
    if replicas is None:
        return
    present = {subject.region} | replicas
    missing = [r for r in store.regions if r not in present]
    if missing:
        violation(
            report_violation,
            subject,
            f"has no replica in {names(missing)}, where the plan places store '{store.name}': after losing "
            f"{subject.region} the data is not there",
            f"add replicas {{regionName: ...}} for {names(missing)}",
        )


RULE = ResourceRule(
    id="agentha-aws-dynamodb-table-replicate-planned-regions",
    description="DynamoDB tables replicate to every region the plan names for their store.",
    severity="critical",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="The region RTO/RPO estimates assume a replica is already in the standby region; a missing replica "
    "turns a region failover into a restore from backup, or into data loss.",
    fix="Add a replica (global table) in every planned region of the store.",
    types=("aws:dynamodb/table:Table",),
    validate=validate,
)
