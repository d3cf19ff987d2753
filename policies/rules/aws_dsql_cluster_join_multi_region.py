"""An Aurora DSQL store planned in two regions is one multi-Region cluster: each regional cluster
names the plan's witness region and is peered with the other region's cluster."""

from __future__ import annotations

from typing import Any

from policies.context import PolicyContext, current
from policies.model import StackRule
from policies.resources import UNKNOWN, Subject, get, names, violation

CLUSTER = "aws:dsql/cluster:Cluster"
PEERING = "aws:dsql/clusterPeering:ClusterPeering"


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    if plan is None:
        return
    clusters: dict[str, dict[str, Any]] = {}
    peered: dict[str, set[str]] = {}
    for r in args.resources:
        if r.resource_type not in (CLUSTER, PEERING):
            continue
        s = Subject.of(r)
        region = get(r.props, "region")
        if r.resource_type == CLUSTER:
            part = PolicyContext.part(s.spec_path)
            if part is not None and part[0] == "stores" and isinstance(region, str):
                clusters.setdefault(part[1], {})[region] = r
        elif isinstance(region, str):
            witness = get(r.props, "witnessRegion")
            peered.setdefault(region, set()).add(witness if isinstance(witness, str) else "")
    for store in plan.stores:
        if store.engine != "aurora-dsql" or len(store.regions) < 2:
            continue
        built = clusters.get(store.name, {})
        for region in store.regions:
            cluster = built.get(region)
            if cluster is None:
                continue  # agentha-stack-part-cover-planned-regions reports a missing cluster
            subject = Subject.of(cluster)
            witness = get(get(cluster.props, "multiRegionProperties"), "witnessRegion")
            if witness is UNKNOWN:
                continue
            if witness != store.witness_region:
                violation(
                    report_violation,
                    subject,
                    f"is not part of a multi-Region cluster with the plan's witness {store.witness_region} "
                    f"(witness: {witness or 'none'}): a loss of {names([r for r in store.regions if r != region])} "
                    "would stop its writes, or it holds a copy of nothing",
                    f"set multiRegionProperties.witnessRegion: {store.witness_region} and peer it with the "
                    "other region's cluster",
                )
            elif store.witness_region not in peered.get(region, set()):
                violation(
                    report_violation,
                    subject,
                    f"is never peered with the other region's cluster: it stays in PENDING_SETUP and store "
                    f"'{store.name}' is not one database across {names(list(store.regions))}",
                    f"add a dsql.ClusterPeering in {region} naming the other cluster's ARN and witness "
                    f"{store.witness_region}",
                )


RULE = StackRule(
    id="agentha-aws-dsql-cluster-join-multi-region",
    description="An Aurora DSQL store over two regions is one peered multi-Region cluster with the plan's witness.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="RPO 0 and writes in both regions after a region loss rest on the two clusters being one multi-Region "
    "cluster with a witness; two unpeered clusters are two separate databases.",
    fix="Create both clusters with the plan's witness region and a ClusterPeering in each region.",
    validate=validate,
)
