"""Each regional Aurora cluster has instances pinned to at least two zones."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, violation

INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CLUSTER = "aws:rds/cluster:Cluster"


def validate(args: Any, report_violation: Any) -> None:
    clusters: dict[tuple[str | None, str | None], Subject] = {}
    zones: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    for r in args.resources:
        if r.resource_type == CLUSTER:
            s = Subject.of(r)
            clusters[(s.spec_path, s.region)] = s
        elif r.resource_type == INSTANCE:
            s = Subject.of(r)
            zone = get(r.props, "availabilityZone")
            if isinstance(zone, str):
                zones[(s.spec_path, s.region)].add(zone)
    for key, cluster in sorted(clusters.items(), key=lambda kv: kv[1].urn):
        found = zones.get(key, set())
        if len(found) >= 2:
            continue
        violation(
            report_violation,
            cluster,
            f"has instances pinned to {len(found)} zone(s) ({', '.join(sorted(found)) or 'none pinned'}): losing "
            "that zone leaves no reader to promote, so writes stop until a new instance is built",
            "create at least two instances with availabilityZone set to different planned zones",
        )


RULE = StackRule(
    id="agentha-aws-rds-cluster-spread-instances-across-zones",
    description="Every Aurora cluster has instances in at least two zones.",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="Aurora fails over by promoting a reader; with every instance in one zone, a zone loss is a full "
    "outage of the store, far beyond the zone RTO the plan estimates.",
    fix="Spread the cluster's instances over the planned zones (availabilityZone per instance).",
    validate=validate,
)
