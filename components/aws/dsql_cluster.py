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

Backups: Aurora DSQL has no backup setting on the cluster and no point-in-time recovery; AWS Backup
takes full backups of single- and multi-Region clusters ("Amazon Aurora DSQL backups", AWS Backup
developer guide). Each planned region gets a vault encrypted with the region's customer managed key,
a daily plan keeping recovery points `backup.retention` (as Aurora and Valkey keep theirs) and a
selection naming that region's cluster: a multi-Region cluster needs a backup in each region (one
region's backup is no recovery point for the other). The primary region's plan also copies each
recovery point to the other region's vault, AWS Backup's advice for a multi-Region restore (a
recovery point in one region of the set and its copy in another). AWS Backup assumes a role that
trusts backup.amazonaws.com for this account only, with AWS's managed backup policy. AWS Backup
must be opted in for "Aurora DSQL" in each region (`aws backup update-region-settings`); the stack
does not manage the account's opt-in settings (they cover every resource type), docs/aws.md says so.

Private path: each region built as a new VPC gets an interface endpoint for the cluster's own
PrivateLink connection service (`vpc_endpoint_service_name`, `com.amazonaws.<region>.dsql-<id>`)
in the private subnets, with private DNS and the store's security group (5432 from the tasks of the
agents that use the store, components/aws/security_groups.py). The agents' endpoint is then
`<cluster id>.dsql-<id>.<region>.on.aws`, which private DNS resolves to the endpoint, so no NAT is
needed. A bring-your-own VPC gets no endpoint (like every other endpoint, to avoid clashing with
its own) and keeps the public endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_aws import backup, dsql, ec2, iam

from blueprints.plan import naming
from blueprints.plan.models import StorePlan
from components.aws.iam import trust_policy
from components.aws.lift import lift
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:DsqlCluster"
PORT = 5432
BACKUP_SCHEDULE = "cron(0 3 * * ? *)"
"""Daily at 03:00 UTC (AWS Backup's cron: minutes hours day-of-month month day-of-week year)."""
BACKUP_POLICY = "service-role/AWSBackupServiceRolePolicyForBackup"
"""AWS's managed policy for the role AWS Backup assumes (its default service role's)."""


def private_endpoint(identifier: str, service_name: str, region: str) -> str:
    """The cluster's host name through its PrivateLink connection endpoint: the service name's last
    label (`dsql-xxxx` of `com.amazonaws.<region>.dsql-xxxx`) in place of `dsql`."""
    return f"{identifier}.{service_name.rsplit('.', 1)[-1]}.{region}.on.aws"


@dataclass(frozen=True)
class DsqlNetwork:
    """Where a region's connection endpoint goes: a VPC this stack builds."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    """The store's group: 5432 only from the tasks of the agents that use the store."""


def endpoint(identifier: str, region: str) -> str:
    """A DSQL cluster's PostgreSQL endpoint: `<identifier>.dsql.<region>.on.aws` (Aurora DSQL user
    guide, "Connecting to Aurora DSQL clusters")."""
    return f"{identifier}.dsql.{region}.on.aws"


@dataclass(frozen=True)
class DsqlClusterArgs:
    store: StorePlan
    tags: TagContext
    key_arns: Mapping[str, pulumi.Input[str]]
    """Each region's customer managed key (encryption at rest, and the backup vault's)."""
    account_id: pulumi.Input[str] = ""
    partition: pulumi.Input[str] = "aws"
    networks: Mapping[str, DsqlNetwork] = field(default_factory=dict)
    """Regions whose VPC this stack builds: their connection endpoint goes there."""
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
        self.endpoints = {}
        for r, c in clusters.items():
            net = args.networks.get(r)
            if net is None:
                self.endpoints[r] = c.identifier.apply(lambda i, r=r: endpoint(i, r))
                continue
            self._connection_endpoint(args, r, c, net)
            self.endpoints[r] = pulumi.Output.all(c.identifier, c.vpc_endpoint_service_name).apply(
                lambda v, r=r: private_endpoint(v[0], v[1], r)
            )
        self.cluster_arns = {r: c.arn for r, c in clusters.items()}
        self.backup_plan_ids = self._backups(args, clusters)
        self.register_outputs(
            {"endpoints": self.endpoints, "cluster_arns": self.cluster_arns, "backup_plan_ids": self.backup_plan_ids}
        )

    def _connection_endpoint(self, args: DsqlClusterArgs, region: str, cluster: dsql.Cluster, net: DsqlNetwork) -> None:
        s = args.store
        ec2.VpcEndpoint(
            naming.resource(args.tags.system, s.name, "dsql-endpoint", region),
            ec2.VpcEndpointArgs(
                vpc_id=net.vpc_id,
                service_name=cluster.vpc_endpoint_service_name,
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(net.subnet_ids),
                security_group_ids=[net.security_group_id],
                region=region,
                tags=args.tags.tags(s.name, "dsql-endpoint", region=region, spec_path=spec_path("stores", s.name)),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _backups(self, args: DsqlClusterArgs, clusters: Mapping[str, dsql.Cluster]) -> dict[str, pulumi.Output[str]]:
        """A vault, a daily plan and a selection per region; the primary's copies go to the other region."""
        s = args.store
        system = args.tags.system
        path = spec_path("stores", s.name)
        child = pulumi.ResourceOptions(parent=self)
        role = iam.Role(
            naming.resource(system, s.name, "backup-role"),
            iam.RoleArgs(
                name=naming.physical(args.tags.scope, s.name, "backup", "iam-role"),
                description=f"{system}: AWS Backup backs up the {s.name} Aurora DSQL clusters",
                assume_role_policy=trust_policy("backup.amazonaws.com", args.account_id),
                # IAM is global: the role is tagged with the store's primary region, like the plan's other roles.
                tags=args.tags.tags(s.name, "backup-role", region=s.primary_region, spec_path=path),
            ),
            opts=child,
        )
        attachment = iam.RolePolicyAttachment(
            naming.resource(system, s.name, "backup-policy"),
            iam.RolePolicyAttachmentArgs(
                role=role.name,
                policy_arn=lift(args.partition, lambda p: f"arn:{p}:iam::aws:policy/{BACKUP_POLICY}"),
            ),
            opts=child,
        )
        vaults = {
            r: backup.Vault(
                naming.resource(system, s.name, "backup-vault", r),
                backup.VaultArgs(
                    name=naming.physical(args.tags.scope, s.name, "dsql", "backup", naming.region_code(r)),
                    kms_key_arn=args.key_arns[r],
                    region=r,
                    tags=args.tags.tags(s.name, "backup-vault", region=r, spec_path=path),
                ),
                opts=child,
            )
            for r in clusters
        }
        keep = backup.PlanRuleLifecycleArgs(delete_after=s.backup_retention_days)
        plans: dict[str, pulumi.Output[str]] = {}
        for r, cluster in clusters.items():
            copies = (
                [
                    backup.PlanRuleCopyActionArgs(
                        destination_vault_arn=vaults[other].arn,
                        lifecycle=backup.PlanRuleCopyActionLifecycleArgs(delete_after=s.backup_retention_days),
                    )
                    for other in clusters
                    if other != r
                ]
                if r == s.primary_region
                else None
            )
            plan = backup.Plan(
                naming.resource(system, s.name, "backup-plan", r),
                backup.PlanArgs(
                    name=naming.physical(args.tags.scope, s.name, "dsql", "backup", naming.region_code(r)),
                    rules=[
                        backup.PlanRuleArgs(
                            rule_name="daily",
                            target_vault_name=vaults[r].name,
                            schedule=BACKUP_SCHEDULE,
                            lifecycle=keep,
                            copy_actions=copies,
                        )
                    ],
                    region=r,
                    tags=args.tags.tags(s.name, "backup-plan", region=r, spec_path=path),
                ),
                opts=child,
            )
            backup.Selection(
                naming.resource(system, s.name, "backup-selection", r),
                backup.SelectionArgs(
                    name=naming.physical(args.tags.scope, s.name, "dsql", "backup", naming.region_code(r)),
                    iam_role_arn=role.arn,
                    plan_id=plan.id,
                    resources=[cluster.arn],
                    region=r,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
            )
            plans[r] = plan.id
        return plans
