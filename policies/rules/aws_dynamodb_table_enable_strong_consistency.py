"""A DynamoDB table whose store the plan replicates synchronously is a strongly consistent global table:
every replica STRONG, and over two regions the witness the plan placed."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or store.replication != "sync" or not store.replica_regions:
        return
    replicas = items(get(args.props, "replicas"))
    if UNKNOWN in replicas:
        return
    eventual = sorted(
        str(get(r, "regionName")) for r in replicas if get(r, "consistencyMode") not in ("STRONG", UNKNOWN)
    )
    if eventual:
        violation(
            report_violation,
            subject,
            f"replicates to {', '.join(eventual)} with eventual consistency, but the plan counts store "
            f"'{store.name}' as synchronous: a region loss would lose the writes not yet replicated",
            "set consistencyMode: STRONG on every replica",
        )
    witness = get(args.props, "globalTableWitness", "regionName")
    if witness is UNKNOWN:
        return
    if store.witness_region is not None and witness != store.witness_region:
        violation(
            report_violation,
            subject,
            f"has {'no witness' if witness is None else f'its witness in {witness}'}, but the plan places store "
            f"'{store.name}' in two regions with a witness in {store.witness_region}: without it a region loss "
            "leaves no quorum and strongly consistent writes stop",
            f"set globalTableWitness: {{regionName: {store.witness_region}}} beside the one STRONG replica",
        )
    elif store.witness_region is None and witness is not None:
        violation(
            report_violation,
            subject,
            f"has a witness in {witness}, but the plan gives store '{store.name}' three replicas (AWS refuses a "
            "witness beside more than one replica)",
            "remove globalTableWitness",
        )


RULE = ResourceRule(
    id="agentha-aws-dynamodb-table-enable-strong-consistency",
    description="Synchronously planned DynamoDB tables are strongly consistent, with a witness over two regions.",
    severity="high",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="A region RPO of 0 holds only while every replica is STRONG (multi-region strong consistency); over two "
    "regions the witness is the third vote that lets the surviving region keep accepting writes.",
    fix="Set consistencyMode: STRONG on every replica, and over two regions globalTableWitness in the planned region.",
    types=("aws:dynamodb/table:Table",),
    validate=validate,
)
