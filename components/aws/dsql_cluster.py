"""DsqlCluster: an `aurora-dsql` store — a single-Region Aurora DSQL cluster, or a multi-Region one.

Multi-region plans (two regions of one DSQL region set, checked by the spec rule `dsql-regions`)
get one cluster in each planned region, both created with the plan's witness region
(`multi_region_properties.witness_region`) and then peered to each other (`dsql.ClusterPeering` in
each region, naming the other cluster's ARN): the way AWS's walk-through builds them ("Configuring
multi-Region clusters": create the first cluster with a witness, create the second, peer them).
Both regional endpoints are one logical database taking strongly consistent reads and writes; a
transaction commits once the other region or the witness holds it, so a region's loss loses no
acknowledged write (RPO 0) and the other region goes on writing without a promotion.

Safe defaults: deletion protection on (`deletion_protection_enabled`, and Pulumi `protect`), data
encrypted with the region's customer managed key (`kms_encryption_key`; the key policy lets the
DSQL service use it for this account only, components/aws/encryption.py). Connections are TLS
only and authenticate with IAM tokens (`dsql:DbConnect` for the agents' roles, never
`DbConnectAdmin`); DSQL has no password to manage.

Not built here: backups. Aurora DSQL has no automated backup setting on the cluster (backups are
AWS Backup jobs), and no point-in-time recovery; the plan says so (`backup` of an aurora-dsql
store is reported as not built, see blueprints/plan/aws_findings.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import dsql

from blueprints.plan import naming
from blueprints.plan.models import StorePlan
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:DsqlCluster"
PORT = 5432


def endpoint(identifier: str, region: str) -> str:
    """A DSQL cluster's PostgreSQL endpoint: `<identifier>.dsql.<region>.on.aws` (Aurora DSQL user
    guide, "Connecting to Aurora DSQL clusters")."""
    return f"{identifier}.dsql.{region}.on.aws"


@dataclass(frozen=True)
class DsqlClusterArgs:
    store: StorePlan
    tags: TagContext
    key_arns: Mapping[str, pulumi.Input[str]]
    """Each region's customer managed key (encryption at rest)."""
    deletion_protection: bool = True


class DsqlCluster(pulumi.ComponentResource):
    """Aurora DSQL: a cluster per planned region, peered (with a witness) when there are two."""

    endpoints: dict[str, pulumi.Output[str]]
    cluster_arns: dict[str, pulumi.Output[str]]
    """Each region's cluster ARN: the agents' `dsql:DbConnect` resource."""

    def __init__(self, name: str, args: DsqlClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.store
        protect = args.deletion_protection and not s.cache
        path = spec_path("stores", s.name)
        system = args.tags.system
        multi = len(s.regions) > 1
        if multi and (len(s.regions) != 2 or s.witness_region is None):
            # The spec rule `dsql-regions` refuses this first; never send AWS a cluster it would reject.
            raise pulumi.RunError(
                f"store '{s.name}': an Aurora DSQL multi-Region cluster peers exactly two regions of one region "
                f"set with a witness in a third; the plan has {', '.join(s.regions)}"
            )
        clusters: dict[str, dsql.Cluster] = {}
        for region in s.regions:
            clusters[region] = dsql.Cluster(
                naming.resource(system, s.name, "dsql", region),
                dsql.ClusterArgs(
                    deletion_protection_enabled=protect,
                    kms_encryption_key=args.key_arns[region],
                    multi_region_properties=dsql.ClusterMultiRegionPropertiesArgs(witness_region=s.witness_region)
                    if multi
                    else None,
                    region=region,
                    tags=args.tags.tags(s.name, "dsql-cluster", region=region, spec_path=path),
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
        if multi:
            for region, cluster in clusters.items():
                others = [c.arn for r, c in clusters.items() if r != region]
                dsql.ClusterPeering(
                    naming.resource(system, s.name, "dsql-peering", region),
                    dsql.ClusterPeeringArgs(
                        identifier=cluster.identifier,
                        clusters=others,
                        witness_region=s.witness_region or "",
                        region=region,
                    ),
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.endpoints = {r: c.identifier.apply(lambda i, r=r: endpoint(i, r)) for r, c in clusters.items()}
        self.cluster_arns = {r: c.arn for r, c in clusters.items()}
        self.register_outputs({"endpoints": self.endpoints, "cluster_arns": self.cluster_arns})
