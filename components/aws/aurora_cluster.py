"""AuroraCluster: an `aurora-postgresql` store — a regional cluster, or a global database.

Multi-region plans get a global database: the primary cluster in the primary region and a
read-only secondary cluster in every other planned region, each with `instances_per_region`
instances spread over the region's zones (≥ 2, so a zone loss promotes a reader in another zone).
Storage is encrypted with each region's key, connections must use TLS (`rds.force_ssl = 1` in the
cluster parameter group), IAM database authentication is on, backups are kept
`backup_retention_days`, deletion protection is on and a final snapshot is taken.

The master password: a single-region cluster lets RDS generate and rotate it in Secrets Manager
(`manage_master_user_password`), so it exists nowhere else. Aurora does not offer that for global
databases, so a global primary takes it from the stack's secret config
(`pulumi config set --secret agentha:auroraMasterPassword ...`) through the write-only
`master_password_wo` argument (Pulumi keeps write-only inputs encrypted; the provider never reads
them back).

Active-active with `writes: primary-region`: every secondary cluster forwards writes to the primary
(`enable_global_write_forwarding`), so agents in every region use their own region's endpoint; reads
are served locally, each write makes a round trip to the primary region.

Alarms: `AuroraGlobalDBReplicationLag` in every secondary region, missing data breaching (a
secondary that stops reporting its lag has stopped replicating, or is gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_aws import cloudwatch, rds

from blueprints.engine_versions import AURORA_POSTGRESQL_DEFAULT, aurora_minor, aurora_parameter_family
from blueprints.plan import naming
from blueprints.plan.models import AlarmPlan, StorePlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.store_placement import StorePlacement
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:AuroraCluster"
ENGINE = rds.EngineType.AURORA_POSTGRESQL
ENGINE_OWNED_BY_AWS = ("engineVersion",)
"""Clusters, instances and the global cluster take the plan's engine version at creation only (see
blueprints/engine_versions.py: a major alone is AWS's default minor of it at that moment). With
`auto_minor_version_upgrade`, RDS moves them to newer minors (17.6 -> 17.7): the provider then reads
the newer version back, and the created-with version would make every later `pulumi up` ask RDS for
a downgrade, which it refuses; a changed default minor would likewise ask for an upgrade nobody
planned. Upgrades are a deliberate step (a new version in the spec, removed from ignore_changes for
that run, or `aws rds modify-global-cluster --engine-version`)."""
PORT = 5432
PERFORMANCE_INSIGHTS_DAYS = 7
"""Performance Insights retention: the free tier (longer retention is billed per vCPU)."""
MASTER_USERNAME = "agentha_admin"
MIN_SUBNET_ZONES = 2
"""RDS rejects a DB subnet group whose subnets cover fewer zones (DBSubnetGroupDoesNotCoverEnoughAZs)."""
BURSTABLE_PREFIX = "db.t"
"""Burstable classes (db.t3, db.t4g): Aurora global databases require memory-optimized ones."""


@dataclass(frozen=True)
class AuroraClusterArgs:
    store: StorePlan
    tags: TagContext
    placements: Mapping[str, StorePlacement]
    alarms: AlarmPlan
    master_password: pulumi.Input[str] | None = None
    """Needed only for a global database (see the module notes)."""
    deletion_protection: bool = True
    extra_tags: Mapping[str, str] = field(default_factory=dict)


class AuroraCluster(pulumi.ComponentResource):
    """Aurora PostgreSQL: regional clusters (joined in a global database when multi-region)."""

    endpoints: dict[str, pulumi.Output[str]]
    reader_endpoints: dict[str, pulumi.Output[str]]
    resource_ids: dict[str, pulumi.Output[str]]
    cluster_arns: dict[str, pulumi.Output[str]]
    """Each region's cluster ARN (the chaos drills' failover target and IAM resource)."""
    alarms: dict[str, list[cloudwatch.MetricAlarm]]

    def __init__(self, name: str, args: AuroraClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.store
        self._args = args
        protect = args.deletion_protection and not s.cache
        self._protect_state = protect
        path = spec_path("stores", s.name)
        scope = args.tags.scope
        is_global = bool(s.replica_regions)
        if not scope[:1].isalpha():
            # DB cluster and instance identifiers must begin with a letter; refuse before RDS does.
            raise pulumi.RunError(
                f"store '{s.name}': Aurora identifiers start with the system name, and '{args.tags.system}' "
                "does not begin with a letter (RDS requires one); rename metadata.name"
            )
        thin = [r for r in s.regions if len(set(s.zones_in(r))) < MIN_SUBNET_ZONES]
        if thin:
            # Refuse here rather than let CreateDBSubnetGroup fail halfway through `pulumi up`
            # (RunError: the CLI shows the message, not a traceback).
            raise pulumi.RunError(
                f"store '{s.name}': Aurora needs a DB subnet group covering at least {MIN_SUBNET_ZONES} "
                f"availability zones, but {', '.join(thin)} has only "
                f"{', '.join(sorted({z for r in thin for z in s.zones_in(r)})) or 'no zone'}; plan the region "
                "with two or more zones (pattern multi-zone or wider), or use engine dynamodb"
            )
        if is_global and (s.instance_class or "").startswith(BURSTABLE_PREFIX):
            raise pulumi.RunError(
                f"store '{s.name}': an Aurora global database needs memory-optimized instances, not "
                f"{s.instance_class}; use e.g. db.r6g.large or db.r7g.large, or keep the store in one region"
            )
        if is_global and args.master_password is None:
            raise ValueError(
                f"store '{s.name}' is an Aurora global database, which cannot keep its master password in "
                "Secrets Manager: set one with `pulumi config set --secret agentha:auroraMasterPassword <value>`"
            )
        version = s.engine_version or AURORA_POSTGRESQL_DEFAULT
        self._family = aurora_parameter_family(version)
        self.engine_version = self._resolve_version(version, s.primary_region, is_global)
        global_cluster = None
        if is_global:
            global_cluster = rds.GlobalCluster(
                naming.resource(args.tags.system, s.name, "global-cluster"),
                rds.GlobalClusterArgs(
                    global_cluster_identifier=naming.physical(scope, s.name, "global", "aurora"),
                    engine=ENGINE,
                    engine_version=self.engine_version,
                    storage_encrypted=True,
                    deletion_protection=protect,
                    region=s.primary_region,
                    tags=args.tags.tags(s.name, "global-cluster", region=s.primary_region, spec_path=path),
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=protect, ignore_changes=list(ENGINE_OWNED_BY_AWS)),
            )
        self.global_cluster_id: pulumi.Output[str] | None = global_cluster.id if global_cluster else None
        self.global_cluster_arn: pulumi.Output[str] | None = global_cluster.arn if global_cluster else None
        self.endpoints = {}
        self.reader_endpoints = {}
        self.resource_ids = {}
        self.cluster_arns = {}
        self.alarms = {r: [] for r in s.regions}
        primary_instances: list[rds.ClusterInstance] = []
        for region in s.regions:
            is_primary = region == s.primary_region
            cluster, instances = self._regional(region, is_primary, global_cluster, primary_instances, path)
            if is_primary:
                primary_instances = instances
            self.endpoints[region] = cluster.endpoint
            self.reader_endpoints[region] = cluster.reader_endpoint
            self.resource_ids[region] = cluster.cluster_resource_id
            self.cluster_arns[region] = cluster.arn
            lag = args.alarms.replication_lag_s
            if is_global and not is_primary and lag is not None:
                p = args.placements[region]
                self.alarms[region].append(
                    metric_alarm(
                        AlarmTarget(region=region, tags=args.tags, scope=scope, topic_arn=p.topic_arn),
                        part=s.name,
                        sli="global-replication-lag",
                        spec_path=path,
                        description=f"{s.name}: the {region} secondary lags the primary by more than {lag:g}s",
                        namespace="AWS/RDS",
                        metric="AuroraGlobalDBReplicationLag",
                        dimensions={"DBClusterIdentifier": cluster.cluster_identifier},
                        statistic="Maximum",
                        threshold=lag * 1000,  # the metric is in milliseconds
                        comparison="GreaterThanThreshold",
                        # Aurora publishes the lag of every secondary each minute while the global
                        # database replicates: no datapoint means replication (or the secondary) stopped.
                        missing="breaching",
                        parent=self,
                    )
                )
        self.register_outputs({"endpoints": self.endpoints, "reader_endpoints": self.reader_endpoints})

    def _resolve_version(self, version: str, region: str, is_global: bool) -> pulumi.Input[str]:
        """A major.minor as written; a major alone resolved to AWS's default minor of it at deploy time
        (`DescribeDBEngineVersions --default-only`), so no retired minor is pinned in code."""
        if aurora_minor(version) is not None:
            return version
        store = self._args.store.name

        def chosen(found: rds.GetEngineVersionResult) -> str:
            if is_global and found.supports_global_databases is False:
                raise pulumi.RunError(
                    f"store '{store}': AWS's default Aurora PostgreSQL {version} minor ({found.version}) does "
                    "not support global databases; set stores[].engine_version to a minor that does"
                )
            return found.version

        return rds.get_engine_version_output(
            engine=ENGINE,
            version=version,
            default_only=True,
            region=region,
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).apply(chosen)

    def _regional(
        self,
        region: str,
        is_primary: bool,
        global_cluster: rds.GlobalCluster | None,
        primary_instances: list[rds.ClusterInstance],
        path: str,
    ) -> tuple[rds.Cluster, list[rds.ClusterInstance]]:
        args = self._args
        s = args.store
        p = args.placements[region]
        system = args.tags.system
        scope = args.tags.scope
        code = naming.region_code(region)
        protect = self._protect_state
        child = pulumi.ResourceOptions(parent=self)
        tags = args.tags.tags(s.name, "cluster", region=region, spec_path=path)
        subnets = rds.SubnetGroup(
            naming.resource(system, s.name, "db-subnets", region),
            rds.SubnetGroupArgs(
                subnet_ids=list(p.subnet_ids),
                description=f"{system}: {s.name} in {region}",
                region=region,
                tags=args.tags.tags(s.name, "db-subnet-group", region=region, spec_path=path),
            ),
            opts=child,
        )
        params = rds.ClusterParameterGroup(
            naming.resource(system, s.name, "cluster-params", region),
            rds.ClusterParameterGroupArgs(
                family=self._family,
                description=f"{system}: {s.name} requires TLS",
                parameters=[rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
                region=region,
                tags=args.tags.tags(s.name, "cluster-parameter-group", region=region, spec_path=path),
            ),
            opts=child,
        )
        identifier = naming.physical(scope, s.name, None, "aurora", code)
        is_global = global_cluster is not None
        cluster_args = rds.ClusterArgs(
            cluster_identifier=identifier,
            engine=ENGINE,
            engine_version=self.engine_version,
            global_cluster_identifier=global_cluster.id if global_cluster is not None else None,
            db_subnet_group_name=subnets.name,
            db_cluster_parameter_group_name=params.name,
            vpc_security_group_ids=[p.security_group_id],
            port=PORT,
            storage_encrypted=True,
            kms_key_id=p.key_arn,
            iam_database_authentication_enabled=True,
            backup_retention_period=s.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=protect,
            skip_final_snapshot=not protect,
            final_snapshot_identifier=f"{identifier}-final" if protect else None,
            enabled_cloudwatch_logs_exports=["postgresql"],
            region=region,
            tags=tags,
        )
        if is_global and not is_primary and s.writes == "primary-region":
            # active-active, one writer region: the agents here write through this secondary, which
            # forwards each write to the primary cluster (global write forwarding; every minor of 16 and
            # 17, 15.4+, 14.9+: spec rule aurora-engine-version). Not local write forwarding, which
            # forwards from readers to the writer inside one cluster.
            cluster_args.enable_global_write_forwarding = True
        if is_primary:
            cluster_args.master_username = MASTER_USERNAME
            if is_global:
                cluster_args.master_password_wo = args.master_password
                cluster_args.master_password_wo_version = 1
            else:
                cluster_args.manage_master_user_password = True
                cluster_args.master_user_secret_kms_key_id = p.key_arn
        cluster = rds.Cluster(
            naming.resource(system, s.name, "cluster", region),
            cluster_args,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                # A secondary joins after the primary can serve; RDS manages its replication source.
                depends_on=list(primary_instances),
                ignore_changes=[*ENGINE_OWNED_BY_AWS, *([] if is_primary else ["replicationSourceIdentifier"])],
            ),
        )
        zones = s.zones_in(region)
        instances = []
        for i in range(max(s.instances_per_region, 2)):
            zone = zones[i % len(zones)] if zones else None
            instances.append(
                rds.ClusterInstance(
                    naming.resource(system, s.name, f"instance-{i + 1}", region),
                    rds.ClusterInstanceArgs(
                        cluster_identifier=cluster.id,
                        identifier=naming.physical(scope, s.name, f"{i + 1}", "aurora", code),
                        engine=ENGINE,
                        engine_version=self.engine_version,
                        instance_class=s.instance_class or "db.r6g.large",
                        availability_zone=zone,
                        db_subnet_group_name=subnets.name,
                        publicly_accessible=False,
                        auto_minor_version_upgrade=True,
                        copy_tags_to_snapshot=True,
                        # Performance Insights: 7 days is the free tier, encrypted with the region's key.
                        performance_insights_enabled=True,
                        performance_insights_kms_key_id=p.key_arn,
                        performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS,
                        region=region,
                        tags=args.tags.tags(s.name, "db-instance", region=region, zone=zone, spec_path=path),
                    ),
                    opts=pulumi.ResourceOptions(parent=self, ignore_changes=list(ENGINE_OWNED_BY_AWS)),
                )
            )
        return cluster, instances
