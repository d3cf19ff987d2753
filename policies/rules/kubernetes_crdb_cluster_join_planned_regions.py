"""A CockroachDB region's nodes say their region (`--locality=region=<region>`) and join the nodes of every
planned region (`--join`).

The plan's RPO 0 and region-loss survival rest on CockroachDB placing each range's replicas in
different regions, which it does only by the nodes' locality; a region whose nodes join only
themselves starts a separate cluster holding separate data.
"""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, violation
from policies.rules._shared import part_name
from policies.rules.kubernetes_crdb_cluster_require_tls import CRDB_CLUSTER


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    flags = [a for a in (get(args.props, "spec", "additionalArgs") or []) if isinstance(a, str)]
    locality = next((a.split("=", 1)[1] for a in flags if a.startswith("--locality=")), "")
    tiers = dict(t.split("=", 1) for t in locality.split(",") if "=" in t)
    if subject.region and tiers.get("region") != subject.region:
        violation(
            report_violation,
            subject,
            f"its nodes do not say region {subject.region} (`--locality=region={subject.region}`): CockroachDB "
            "cannot place a range's replicas in different regions",
            f"add --locality=region={subject.region} to additionalArgs",
        )
    store = current().store(part_name(subject, "stores"))
    if store is None or len(store.regions) < 2:
        return
    # <cluster>-<i>.<cluster>.<namespace>:<port>: the second label names a region's CrdbCluster.
    hosts = [h for a in flags if a.startswith("--join=") for h in a.split("=", 1)[1].split(",") if h]
    clusters = {h.split(".")[1] for h in hosts if h.count(".") >= 2}
    if len(clusters) < len(store.regions):
        violation(
            report_violation,
            subject,
            f"joins the nodes of {len(clusters)} CrdbCluster(s) but the plan places the store in "
            f"{len(store.regions)} regions ({', '.join(store.regions)}): the regions left out form separate "
            "clusters with separate data",
            "list the first nodes of every region's CrdbCluster in --join",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-crdb-cluster-join-planned-regions",
    description="CockroachDB nodes carry their region's locality and join every planned region's nodes.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="Cross-region replicas (RPO 0, surviving a region) exist only in one cluster whose nodes know their region.",
    fix="--locality=region=<region> and --join=<every region's first nodes> in additionalArgs.",
    types=(CRDB_CLUSTER,),
    validate=validate,
)
