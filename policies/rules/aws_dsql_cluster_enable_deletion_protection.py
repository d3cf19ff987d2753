"""Aurora DSQL clusters cannot be deleted by accident."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is not None and store.cache:
        return  # the spec marks it a cache: its content is rebuilt, deleting it loses nothing
    flag = get(args.props, "deletionProtectionEnabled")
    if flag is not True and flag is not UNKNOWN:
        violation(
            report_violation,
            subject,
            "has deletion protection off: one mistaken `pulumi destroy` or replacement deletes the data (DSQL "
            "keeps no final snapshot)",
            "set deletionProtectionEnabled: true",
        )


RULE = ResourceRule(
    id="agentha-aws-dsql-cluster-enable-deletion-protection",
    description="Aurora DSQL clusters have deletion protection on (except stores the spec marks as caches).",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
    why="State is the one thing a redeploy cannot bring back; deletion protection turns an accidental delete "
    "or replace into an error instead of data loss.",
    fix="Set deletionProtectionEnabled: true on the cluster.",
    types=("aws:dsql/cluster:Cluster",),
    validate=validate,
)
