"""Each spec secret is replicated to every region the plan names."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, names, violation
from policies.rules._shared import part_name, replica_regions


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    secret = current().secret(part_name(subject, "secrets"))
    if secret is None or not secret.replica_regions:
        return
    present = replica_regions(args.props, "region")
    if present is None:
        return
    missing = [r for r in secret.replica_regions if r not in present]
    if missing:
        violation(
            report_violation,
            subject,
            f"has no replica in {names(missing)}: after losing {secret.primary_region} the agents there cannot read "
            "it, and the failover stops at startup",
            f"add replicas {{region: ...}} for {names(missing)} (each with that region's KMS key)",
        )


RULE = ResourceRule(
    id="agentha-aws-secretsmanager-secret-replicate-planned-regions",
    description="Secrets are replicated to every region the plan names.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="A standby region whose agents cannot read their API keys is not a standby; reading the primary "
    "region's copy makes the failover depend on the region that failed.",
    fix="Add a Secrets Manager replica in every planned region.",
    types=("aws:secretsmanager/secret:Secret",),
    validate=validate,
)
