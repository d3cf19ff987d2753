"""An Aurora store the plan places in several regions is one global database."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or len(store.regions) < 2:
        return
    member = get(args.props, "globalClusterIdentifier")
    if member or member is UNKNOWN:
        return
    violation(
        report_violation,
        subject,
        f"is not a member of a global database although the plan places store '{store.name}' in "
        f"{', '.join(store.regions)}: no other region has the data to promote",
        "set globalClusterIdentifier to the store's rds.GlobalCluster in every region",
    )


RULE = ResourceRule(
    id="agentha-aws-rds-cluster-join-global-cluster",
    description="Aurora clusters of a multi-region store belong to its global database.",
    severity="critical",
    topics=("durability", "availability"),
    enforcement="mandatory",
    why="The region RPO/RTO estimates for Aurora assume a global database secondary that can be promoted; a "
    "standalone cluster in the standby region is empty.",
    fix="Join every regional cluster of the store to one global cluster.",
    types=("aws:rds/cluster:Cluster",),
    validate=validate,
)
