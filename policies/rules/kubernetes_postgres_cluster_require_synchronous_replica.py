"""A Postgres store whose zone RPO is 0 acknowledges a commit only once a standby has it."""

from __future__ import annotations

from typing import Any

from blueprints.capacity import synchronous_durability
from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, number, violation
from policies.rules._shared import part_name


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    store = current().store(part_name(subject, "stores"))
    if store is None or not store.synchronous_in_region or get(args.props, "spec", "replica", "enabled") is True:
        return
    spec = get(args.props, "spec")
    synchronous = get(spec, "postgresql", "synchronous")
    number_sync = number(get(synchronous, "number"))
    durability = get(synchronous, "dataDurability", default="required")
    # `preferred` is what the blueprint sets where `required` would stop every commit once the only
    # standby's zone is down (fewer than 3 instances over 3 zones): it still waits for the standby while
    # it is up. Where 3 instances sit in 3 zones, only `required` is accepted.
    instances = number(get(spec, "instances"))
    zones = len(store.zones_in(subject.region)) if subject.region else 0
    allowed = ("required", synchronous_durability(int(instances or 1), zones or 1))
    legacy = number(get(spec, "minSyncReplicas"))
    if (number_sync is not None and number_sync >= 1 and durability in allowed) or (legacy is not None and legacy >= 1):
        return
    violation(
        report_violation,
        subject,
        "commits without waiting for a synchronous standby, yet the spec's zone RPO is 0s: losing the primary's "
        "zone loses the last acknowledged writes",
        "set postgresql.synchronous: {method: any, number: 1, dataDurability: required} (preferred only "
        "where the region has fewer than 3 instances over 3 zones)",
        spec_path="objectives.disruptions.zone.rpo",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-postgres-cluster-require-synchronous-replica",
    description="With a zone RPO of 0, CloudNativePG clusters replicate synchronously (required durability).",
    severity="critical",
    topics=("durability",),
    enforcement="mandatory",
    why="Asynchronous streaming loses the commits not yet shipped when the primary's zone fails; the plan's "
    "zone RPO of 0 is only true with a synchronous standby.",
    fix="postgresql.synchronous {number: 1, dataDurability: required}.",
    types=("kubernetes:postgresql.cnpg.io/v1:Cluster",),
    validate=validate,
)
