"""In active-active, a single-writer Aurora store's secondary clusters forward writes to the primary."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    region = get(args.props, "region")
    if store is None or store.writes != "primary-region" or region == store.primary_region:
        return
    if not isinstance(region, str) or region not in store.regions:
        return
    flag = get(args.props, "enableGlobalWriteForwarding")
    if flag is not True and flag is not UNKNOWN:
        violation(
            report_violation,
            subject,
            f"is a secondary of store '{store.name}' (writes: primary-region) that does not forward writes: the "
            f"agents in {region} cannot write at all, while the plan counts that region as serving",
            "set enableGlobalWriteForwarding: true on every secondary cluster",
        )


RULE = ResourceRule(
    id="agentha-aws-rds-cluster-enable-write-forwarding",
    description="Secondary Aurora clusters of an active-active single-writer store forward writes to the primary.",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="Active-active with writes: primary-region runs agents in every region; without global write forwarding "
    "every write from a secondary region fails, so that region does not serve what the plan says it does.",
    fix="Set enableGlobalWriteForwarding: true on secondary clusters (the Aurora component does).",
    types=("aws:rds/cluster:Cluster",),
    validate=validate,
)
