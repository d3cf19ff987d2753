"""ValkeyCache: a `valkey` store — an ElastiCache replication group, a global datastore when multi-region.

Each region's replication group has `instances_per_region` nodes (≥ 2) spread over the region's
zones, with Multi-AZ and automatic failover, encryption at rest with the region's key and TLS
required in transit. Multi-region plans join the groups in a global datastore: the primary group
takes writes, the others replicate asynchronously and can be promoted.

Authentication: RBAC with IAM. Each region gets an ElastiCache user group (engine `valkey`) holding
one IAM-authenticated user per agent that uses the store (`authentication_mode: iam`; ElastiCache
requires such a user's name to equal its id), and every replication group of the store, primary and
secondaries, names its region's group (`user_group_ids`). Users and user groups are regional
resources, so each region has its own, with the same ids: an agent's connection settings do not
change when the secondary is promoted. An agent connects over TLS as its user with a short-lived
IAM token (SigV4-presigned `connect` request for the replication group, 15 minutes) as password;
its task role holds `elasticache:Connect` on its region's replication group and its own user only
(components/aws/agent_service.py). No static secret exists. A Valkey user group, unlike a Redis OSS
one, needs no user named `default` (AWS's own CDK construct checks the default user only for
`redis` groups), so the open `default` user is simply not in the group: unauthenticated clients
are refused. IAM authentication needs Valkey 7.2 or later and in-transit encryption (both built).

ElastiCache has no deletion-protection flag: the replication groups are protected in Pulumi instead
(unless the store is marked `cache`), and a final snapshot is taken on deletion.

Alarms: `GlobalDatastoreReplicationLag` of every secondary group (seconds; reported by the
secondary's primary node, whichever node that is after a failover inside the region, so the alarm
takes the largest over every node `<id>-001`..`-00n`), missing data breaching: a secondary that
stops reporting its lag has stopped replicating.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, elasticache

from blueprints.plan import naming
from blueprints.plan.models import AlarmPlan, StorePlan
from components.aws.alarms import AlarmTarget, expression_alarm, metric_query
from components.aws.store_placement import StorePlacement
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:ValkeyCache"
ENGINE = "valkey"
ENGINE_VERSION = "8.0"
PORT = 6379
SNAPSHOT_MAX_DAYS = 35
ACCESS_STRING = "on ~* &* +@all -@dangerous"
"""What an agent's user may do: every key and channel, every command except the `@dangerous` category
(FLUSHALL, CONFIG, DEBUG, KEYS, MIGRATE, ...), which an agent has no business running."""
AUTHENTICATION = "iam"
BURSTABLE_PREFIX = "cache.t"
"""Burstable node types (cache.t3, cache.t4g): global datastores do not support them."""


@dataclass(frozen=True)
class ValkeyCacheArgs:
    store: StorePlan
    tags: TagContext
    placements: Mapping[str, StorePlacement]
    alarms: AlarmPlan
    deletion_protection: bool = True


def user_id(scope: str, store: str, agent: str) -> str:
    """An agent's ElastiCache user id (= its user name, as IAM authentication requires): letters,
    digits and hyphens, starting with a letter, unique in the account's region."""
    return naming.physical(scope, store, agent, "elasticache")


def user_group_id(scope: str, store: str) -> str:
    return naming.physical(scope, store, "users", "elasticache")


class ValkeyCache(pulumi.ComponentResource):
    """Valkey replication groups (Multi-AZ, encrypted, TLS, IAM users), joined in a global datastore if multi-region."""

    endpoints: dict[str, pulumi.Output[str]]
    group_arns: dict[str, pulumi.Output[str]]
    """region -> replication group ARN (the agents' `elasticache:Connect` resource)."""
    user_arns: dict[tuple[str, str], pulumi.Output[str]]
    """(region, agent) -> that agent's ElastiCache user ARN in the region."""
    user_names: dict[str, str]
    """agent -> its user name (the same in every region)."""
    alarms: dict[str, list[cloudwatch.MetricAlarm]]

    def __init__(self, name: str, args: ValkeyCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.store
        system = args.tags.system
        scope = args.tags.scope
        path = spec_path("stores", s.name)
        protect = args.deletion_protection and not s.cache
        nodes = max(s.instances_per_region, 2)
        if not scope[:1].isalpha():
            # Replication group ids must begin with a letter; refuse before ElastiCache does.
            raise pulumi.RunError(
                f"store '{s.name}': ElastiCache group ids start with the system name, and '{system}' "
                "does not begin with a letter (ElastiCache requires one); rename metadata.name"
            )
        if s.replica_regions and (s.instance_class or "").startswith(BURSTABLE_PREFIX):
            raise pulumi.RunError(
                f"store '{s.name}': an ElastiCache global datastore does not run on burstable nodes "
                f"({s.instance_class}); use e.g. cache.r7g.large or cache.m7g.large, or keep the store in one region"
            )
        self.endpoints = {}
        self.group_arns = {}
        self.user_arns = {}
        self.user_names = {agent: user_id(scope, s.name, agent) for agent in s.users}
        self.alarms = {r: [] for r in s.regions}
        global_group: elasticache.GlobalReplicationGroup | None = None
        self.group_ids: dict[str, str] = {}
        """region -> replication group id (the Region switch plan's failover command names them)."""
        self.global_group_id: pulumi.Output[str] | None = None
        for region in [s.primary_region, *s.replica_regions]:
            p = args.placements[region]
            is_primary = region == s.primary_region
            zones = list(s.zones_in(region))
            group_id = naming.physical(scope, s.name, None, "elasticache", naming.region_code(region))
            subnets = elasticache.SubnetGroup(
                naming.resource(system, s.name, "cache-subnets", region),
                elasticache.SubnetGroupArgs(
                    subnet_ids=list(p.subnet_ids),
                    description=f"{system}: {s.name} in {region}",
                    region=region,
                    tags=args.tags.tags(s.name, "cache-subnet-group", region=region, spec_path=path),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            user_group = self._users(args, region)
            group_args = elasticache.ReplicationGroupArgs(
                replication_group_id=group_id,
                description=f"{system}: {s.name} ({'primary' if is_primary else 'secondary'}, {region})",
                num_cache_clusters=nodes,
                preferred_cache_cluster_azs=[zones[i % len(zones)] for i in range(nodes)] if zones else None,
                automatic_failover_enabled=True,
                multi_az_enabled=True,
                kms_key_id=p.key_arn,
                subnet_group_name=subnets.name,
                security_group_ids=[p.security_group_id],
                user_group_ids=[user_group.user_group_id],
                port=PORT,
                snapshot_retention_limit=min(s.backup_retention_days, SNAPSHOT_MAX_DAYS),
                final_snapshot_identifier=f"{group_id}-final" if protect else None,
                # A global datastore turns minor-version auto-upgrade off on its members (it upgrades
                # them together); asking for it there makes every later update try to turn it back
                # on, which ElastiCache rejects for a global member (hashicorp/terraform-provider-aws#24919).
                auto_minor_version_upgrade=None if s.replica_regions else True,
                region=region,
                tags=args.tags.tags(s.name, "cache", region=region, spec_path=path),
            )
            if is_primary:
                group_args.engine = ENGINE
                group_args.engine_version = ENGINE_VERSION
                group_args.node_type = s.instance_class or "cache.r7g.large"
                group_args.at_rest_encryption_enabled = True
                group_args.transit_encryption_enabled = True
                group_args.transit_encryption_mode = "required"
            else:
                assert global_group is not None
                # Engine, version, node type and both encryption settings come from the global
                # datastore (ElastiCache rejects them on a secondary); the key is this region's.
                group_args.global_replication_group_id = global_group.global_replication_group_id
            group = elasticache.ReplicationGroup(
                naming.resource(system, s.name, "cache", region),
                group_args,
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            self.endpoints[region] = group.primary_endpoint_address
            self.group_arns[region] = group.arn
            self.group_ids[region] = group_id
            if is_primary and s.replica_regions:
                global_group = elasticache.GlobalReplicationGroup(
                    naming.resource(system, s.name, "global-datastore"),
                    elasticache.GlobalReplicationGroupArgs(
                        global_replication_group_id_suffix=naming.physical(scope, s.name, None, "elasticache"),
                        primary_replication_group_id=group.id,
                        global_replication_group_description=f"{system}: {s.name} across regions",
                        region=region,
                    ),
                    opts=pulumi.ResourceOptions(parent=self, protect=protect),
                )
                self.global_group_id = global_group.global_replication_group_id
            lag = args.alarms.replication_lag_s
            if not is_primary and lag is not None:
                # The secondary's primary node reports the lag, and which node that is changes with a
                # failover inside the region: take the largest over every node (<group>-001 ... -00n),
                # and treat no datapoint from any node as breaching (replication or the group stopped).
                node_ids = [f"node{i + 1}" for i in range(nodes)]
                node_queries = [
                    metric_query(
                        node_ids[i],
                        "AWS/ElastiCache",
                        "GlobalDatastoreReplicationLag",
                        {"CacheClusterId": group.id.apply(lambda gid, i=i: f"{gid}-{i + 1:03d}")},
                        stat="Maximum",
                    )
                    for i in range(nodes)
                ]
                self.alarms[region].append(
                    expression_alarm(
                        AlarmTarget(region=region, tags=args.tags, scope=scope, topic_arn=p.topic_arn),
                        part=s.name,
                        sli="global-replication-lag",
                        spec_path=path,
                        description=f"{s.name}: the {region} secondary lags the primary by more than {lag:g}s, "
                        "or reports no lag at all",
                        queries=[
                            *node_queries,
                            cloudwatch.MetricAlarmMetricQueryArgs(
                                id="lag",
                                expression=f"MAX([{', '.join(node_ids)}])",
                                label="global datastore replication lag (s)",
                                return_data=True,
                            ),
                        ],
                        threshold=lag,
                        comparison="GreaterThanThreshold",
                        missing="breaching",
                        parent=self,
                    )
                )
        self.register_outputs({"endpoints": self.endpoints, "group_arns": self.group_arns})

    def _users(self, args: ValkeyCacheArgs, region: str) -> elasticache.UserGroup:
        """This region's IAM users (one per agent of the store) and the user group the replication group names."""
        s = args.store
        path = spec_path("stores", s.name)
        users = []
        for agent, name in self.user_names.items():
            user = elasticache.User(
                naming.resource(args.tags.system, s.name, f"user-{agent}", region),
                elasticache.UserArgs(
                    user_id=name,
                    user_name=name,
                    engine=ENGINE,
                    access_string=ACCESS_STRING,
                    authentication_mode=elasticache.UserAuthenticationModeArgs(type=AUTHENTICATION),
                    region=region,
                    tags=args.tags.tags(s.name, "cache-user", region=region, spec_path=path),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.user_arns[(region, agent)] = user.arn
            users.append(user)
        return elasticache.UserGroup(
            naming.resource(args.tags.system, s.name, "cache-users", region),
            elasticache.UserGroupArgs(
                user_group_id=user_group_id(args.tags.scope, s.name),
                engine=ENGINE,
                user_ids=[u.user_id for u in users] or None,
                region=region,
                tags=args.tags.tags(s.name, "cache-user-group", region=region, spec_path=path),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
