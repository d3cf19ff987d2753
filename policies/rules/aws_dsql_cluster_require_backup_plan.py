"""Aurora DSQL clusters are backed up: an AWS Backup selection names the cluster, in a plan that keeps
its recovery points (DSQL has no backup setting of its own and no point-in-time recovery)."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import part_name, referenced

CLUSTER = "aws:dsql/cluster:Cluster"
SELECTION = "aws:backup/selection:Selection"
PLAN = "aws:backup/plan:Plan"


def _keeps_points(plan: Any) -> bool:
    """The plan has a rule that keeps recovery points (no lifecycle, or one that deletes after > 0 days)."""
    for rule in items(get(plan.props, "rules")):
        if rule is UNKNOWN:
            return True
        after = get(rule, "lifecycle", "deleteAfter")
        if after is None or after is UNKNOWN or (isinstance(after, int | float) and after > 0):
            return True
    return False


def validate(args: Any, report_violation: Any) -> None:
    covered: set[str] = set()
    for r in args.resources:
        if r.resource_type != SELECTION:
            continue
        plans = referenced(r, "planId", PLAN)
        if not plans or not any(_keeps_points(p) for p in plans):
            continue
        named = get(r.props, "resources")
        if named is not UNKNOWN and not items(named):
            continue  # built from the cluster, but names nothing: AWS Backup selects nothing
        covered.update(c.urn for c in referenced(r, "resources", CLUSTER))
    ctx = current()
    for r in args.resources:
        if r.resource_type != CLUSTER or r.urn in covered:
            continue
        subject = Subject.of(r)
        store = ctx.store(part_name(subject, "stores"))
        if store is not None and store.cache:
            continue  # the spec marks it a cache: its content is rebuilt, a backup protects nothing
        violation(
            report_violation,
            subject,
            "is backed up by no AWS Backup plan: Aurora DSQL keeps no backups of its own and has no point-in-time "
            "recovery, so a bad migration or a deleted table cannot be undone",
            "add a backup.Plan with a daily rule in a KMS-encrypted vault and a backup.Selection naming the "
            "cluster's ARN (components/aws/dsql_cluster.py builds one per region)",
        )


RULE = StackRule(
    id="agentha-aws-dsql-cluster-require-backup-plan",
    description="Every Aurora DSQL cluster is selected by an AWS Backup plan that keeps its recovery points.",
    severity="high",
    topics=("durability",),
    enforcement="mandatory",
    why="Replication across regions copies a mistake as faithfully as good data; only a backup taken before "
    "it brings the data back, and DSQL takes none by itself.",
    fix="Select the cluster in an AWS Backup plan (backup.Selection resources: [cluster ARN]) with a rule that "
    "keeps recovery points for backup.retention.",
    validate=validate,
)
