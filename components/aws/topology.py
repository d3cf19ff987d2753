"""AwsTopology: the whole AWS topology of a plan, composed from the components of this package.

Per planned region: a KMS key, an alert topic, the network (or an existing VPC), an ECS cluster
with Container Insights, the security groups, every queue, every agent service, and the region's
composite alarm and dashboard. Across regions: the secrets (replicated), the stores (global
tables, global databases, global datastores), the ingress certificates and the Route 53 routing.

Everything uses one explicit AWS provider (from the stack settings: assumed role, allowed accounts),
and every regional resource names its region with `region=` (pulumi-aws v7), so nothing depends
on an ambient default region. Global services (IAM, Route 53) take no region.

Stack config read here (namespace `agentha`):

    startAgents            default true; false runs no agent task (desired count and scaling range
                           0): the first `pulumi up`, before the secret values exist (docs/deploy.md)
    deletionProtection     default true: deletion protection on tables and databases, and Pulumi
                           `protect` on every stateful resource; set false for throw-away stacks
    auroraMasterPassword   secret; needed only for an Aurora global database
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
from pulumi_aws import cloudwatch, ecs

from blueprints.plan import collector, gateway, naming
from blueprints.plan.models import AgentPlan, RegionPlan, StorePlan, TopologyPlan
from components.aws.agent_service import (
    AccessLogTarget,
    AgentAccess,
    AgentService,
    AgentServiceArgs,
    CacheAuth,
    CollectorSidecar,
    QueueAccess,
)
from components.aws.alerts import AlertTopic, AlertTopicArgs
from components.aws.certificate import DomainCertificate, DomainCertificateArgs
from components.aws.chaos_drills import (
    ChaosDrills,
    ChaosDrillsArgs,
    DatabaseTarget,
    ServiceTarget,
    ZoneStore,
    ZoneTarget,
    crash_agent,
    crash_count,
    failover_stores,
    outage_zone,
    private_subnet_index,
    zone_caches,
    zone_databases,
)
from components.aws.durable_queue import DurableQueue, DurableQueueArgs
from components.aws.dynamodb_table import DynamoTable, DynamoTableArgs
from components.aws.encryption import RegionKey, RegionKeyArgs
from components.aws.failover_routing import FailoverRouting, FailoverRoutingArgs, RegionalEndpoint
from components.aws.gateway_alarms import GatewayAlarms, GatewayAlarmsArgs, ProviderSli
from components.aws.lift import lift
from components.aws.network import Network, NetworkArgs
from components.aws.observability import Observability, ObservabilityArgs
from components.aws.providers import topology_provider
from components.aws.secrets import SpecSecret, SpecSecretArgs
from components.aws.security_groups import (
    STORE_PORTS,
    AgentEndpoint,
    LoadBalancerKind,
    RegionSecurityGroups,
    RegionSecurityGroupsArgs,
    StoreEndpoint,
)
from components.aws.slo_burn import BurnSource, SloBurn, SloBurnArgs
from components.aws.store_placement import StorePlacement
from components.aws.tags import TagContext
from components.stages import Stages

if TYPE_CHECKING:
    from components.aws.access_logs import AccessLogBucket
    from components.aws.aurora_cluster import AuroraCluster
    from components.aws.dsql_cluster import DsqlCluster
    from components.aws.region_switch_plan import RegionSwitch
    from components.aws.resilience_policy import ResiliencePolicy
    from components.aws.synthetic_canary import SyntheticCanary
    from components.aws.valkey_cache import ValkeyCache

TOKEN = "agentha:aws:Topology"


@dataclass(frozen=True)
class AwsTopologyArgs:
    plan: TopologyPlan
    assume_role_arn: str | None = None
    allowed_account_ids: Sequence[str] = field(default=())
    deletion_protection: bool | None = None
    """None: the stack config `agentha:deletionProtection` (default true)."""
    start_agents: bool | None = None
    """None: the stack config `agentha:startAgents` (default true; false for a first deploy)."""
    aurora_master_password: pulumi.Input[str] | None = None
    """None: the stack's secret config `agentha:auroraMasterPassword` (global Aurora only)."""


def load_balancer_kind(agent: AgentPlan, region: RegionPlan) -> LoadBalancerKind | None:
    """ALB for the ingress agent (TLS NLB in a one-zone region: an ALB needs two zones); an internal
    NLB for an agent other agents `call`; none for an agent nobody could reach (queue workers, and
    ports nobody calls: a load balancer there would be reachable by no security group)."""
    if agent.port is None:
        return None
    if agent.ingress:
        return "alb" if len(region.zones) >= 2 else "nlb-tls"
    return "nlb" if agent.callers else None


def build_order(plan: TopologyPlan) -> tuple[AgentPlan, ...]:
    """Agents with every agent they call first (a caller's environment holds its callees' URLs).
    The spec rules refuse loops of calls; spec order otherwise."""
    done: list[AgentPlan] = []

    def place(agent: AgentPlan, path: tuple[str, ...]) -> None:
        if agent in done or agent.name in path:
            return
        for callee in agent.calls:
            if any(a.name == callee for a in plan.agents):
                place(plan.agent(callee), (*path, agent.name))
        if agent not in done:
            done.append(agent)

    for agent in plan.agents:
        place(agent, ())
    return tuple(done)


def endpoint_services(plan: TopologyPlan) -> tuple[str, ...]:
    """The AWS services agents reach from the private subnets, as VPC endpoint service names."""
    services = ["logs"]
    if plan.queues:
        services.append("sqs")
    if plan.secrets:
        services.append("secretsmanager")
    if any(s.engine == "dynamodb" for s in plan.stores):
        services.append("dynamodb")
    if any(".dkr.ecr." in a.image or a.image_cache or a.collector_image_cache for a in plan.agents):
        services += ["ecr.api", "ecr.dkr", "s3"]
    if plan.observability.tracing == "otel" and any(a.narrow_egress for a in plan.agents):
        # the collector sidecar of a task without internet egress exports its spans to X-Ray through this
        services.append("xray")
    if plan.routing is not None and plan.routing.synthetic is not None and not plan.routing.public:
        # the canary runs in the private subnets: its metrics and its artifacts (S3)
        services += ["monitoring"] + ([] if "s3" in services else ["s3"])
    return tuple(services)


class AwsTopology(pulumi.ComponentResource):
    """Every AWS resource of a topology plan."""

    def __init__(
        self, name: str, args: AwsTopologyArgs, opts: pulumi.ResourceOptions | None = None, *, staged: bool = False
    ) -> None:
        """Build the whole topology; with `staged=True`, only start it: the caller runs `stages()`."""
        super().__init__(TOKEN, name, None, opts)
        self._stages = Stages(self._build(args))
        if not staged:
            self._stages.run()

    def stages(self) -> Iterator[str]:
        """The rest of the construction, one stage per region, store, queue and agent placement, then
        the cross-region parts. Each step builds a stage's resources and yields its label; the stack
        program may let the SDK finish registering a stage before it asks for the next (see
        `stacks.program.main`). The resources, their inputs and options do not depend on that pace."""
        return self._stages.take()

    def _build(self, args: AwsTopologyArgs) -> Iterator[str]:
        plan = args.plan
        if plan.target != "aws":
            raise ValueError(f"AwsTopology builds target aws, the plan targets {plan.target}")
        self.plan = plan
        config = pulumi.Config("agentha")
        protection = args.deletion_protection
        if protection is None:
            configured = config.get_bool("deletionProtection")
            protection = True if configured is None else configured
        start = args.start_agents
        if start is None:
            start_config = config.get_bool("startAgents")
            start = True if start_config is None else start_config
        self.start_agents = start
        self.deletion_protection = protection
        self.tags = TagContext.from_plan(plan)
        primary = plan.primary_region.name
        self.provider = topology_provider(
            naming.resource(plan.system, "aws", None, primary),
            region=primary,
            assume_role_arn=args.assume_role_arn,
            allowed_account_ids=args.allowed_account_ids,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._child_opts = pulumi.ResourceOptions(parent=self, providers={"aws": self.provider})
        invoke = pulumi.InvokeOptions(provider=self.provider, parent=self)
        self.account_id = aws.get_caller_identity_output(opts=invoke).account_id
        self.partition = aws.get_partition_output(opts=invoke).partition

        self.keys: dict[str, RegionKey] = {}
        self.topics: dict[str, AlertTopic] = {}
        self.networks: dict[str, Network] = {}
        self.clusters: dict[str, ecs.Cluster] = {}
        self.security: dict[str, RegionSecurityGroups] = {}
        self.access_logs: dict[str, AccessLogBucket] = {}
        for region in plan.regions:
            self._region(region)
            yield f"region {region.name}"
        self.certificate = self._certificate()
        self.secrets = {
            s.name: SpecSecret(
                s.resource,
                SpecSecretArgs(
                    secret=s,
                    tags=self.tags,
                    key_arns={r: self.keys[r].key_arn for r in (s.primary_region, *s.replica_regions)},
                ),
                opts=self._child_opts,
            )
            for s in plan.secrets
        }
        self.region_alarms: dict[str, list[cloudwatch.MetricAlarm]] = {r.name: [] for r in plan.regions}
        self.tables: dict[str, DynamoTable] = {}
        self.databases: dict[str, AuroraCluster] = {}
        self.dsql: dict[str, DsqlCluster] = {}
        self.caches: dict[str, ValkeyCache] = {}
        master_password = args.aurora_master_password
        if master_password is None:
            master_password = config.get_secret("auroraMasterPassword")
        for store in plan.stores:
            self._store(store, master_password)
            yield f"store {store.name}"
        self.queues: dict[tuple[str, str], DurableQueue] = {}
        for queue in plan.queues:
            for region in queue.regions:
                built = DurableQueue(
                    naming.resource(plan.system, queue.name, None, region),
                    DurableQueueArgs(
                        queue=queue,
                        region=region,
                        tags=self.tags,
                        key_arn=self.keys[region].key_arn,
                        topic_arn=self.topics[region].topic_arn,
                        alarms=plan.observability.alarms,
                    ),
                    opts=self._child_opts,
                )
                self.queues[(queue.name, region)] = built
                self.region_alarms[region] += built.alarms
                yield f"queue {queue.name} in {region}"
        self.services: dict[tuple[str, str], AgentService] = {}
        if plan.gateway is not None:
            # First: its callers' environments hold its address.
            for placement in plan.gateway.service.placements:
                self._agent(plan.gateway.service, placement.region)
                yield f"agent {plan.gateway.service.name} in {placement.region}"
        for agent in build_order(plan):
            for placement in agent.placements:
                self._agent(agent, placement.region)
                yield f"agent {agent.name} in {placement.region}"
        self.gateway_alarms = self._gateway_alarms()
        self.synthetics = self._synthetics()
        self.slo_burn = {r.name: self._slo_burn(r) for r in plan.regions}
        self.observability = {
            r.name: Observability(
                naming.resource(plan.system, "observability", None, r.name),
                ObservabilityArgs(
                    region=r.name,
                    tags=self.tags,
                    topic_arn=self.topics[r.name].topic_arn,
                    alarms=self.region_alarms[r.name],
                    dashboard=plan.observability.dashboard,
                    watched=self.gateway_alarms[r.name].alarms if r.name in self.gateway_alarms else (),
                ),
                opts=self._child_opts,
            )
            for r in plan.regions
        }
        self._zone_id = self._ingress_zone()
        # The Region switch plans first: the records need the health checks they vend.
        self.region_switch = self._region_switch()
        self.routing = self._routing()
        self.resilience = self._resilience()
        self.chaos = self._chaos()
        self._exports = self._build_exports()
        self.register_outputs({"exports": self._exports})
        yield "routing, observability and drills"

    # --- regions --------------------------------------------------------------------------------

    def _region(self, region: RegionPlan) -> None:
        plan = self.plan
        name = region.name
        key = RegionKey(
            naming.resource(plan.system, "encryption", None, name),
            RegionKeyArgs(
                region=name,
                tags=self.tags,
                account_id=self.account_id,
                partition=self.partition,
                dsql=any(s.engine == "aurora-dsql" and name in s.regions for s in plan.stores),
            ),
            opts=self._child_opts,
        )
        self.keys[name] = key
        self.topics[name] = AlertTopic(
            naming.resource(plan.system, "alerts", None, name),
            AlertTopicArgs(
                region=name,
                tags=self.tags,
                key_arn=key.key_arn,
                account_id=self.account_id,
                emails=plan.observability.emails,
            ),
            opts=self._child_opts,
        )
        kinds: dict[str, LoadBalancerKind | None] = {a.name: load_balancer_kind(a, region) for a in plan.workloads}
        network = Network(
            region.network.name,
            NetworkArgs(
                region=region,
                tags=self.tags,
                endpoints=endpoint_services(plan),
                internet_facing=any(a.public and kinds[a.name] for a in plan.agents),
            ),
            opts=self._child_opts,
        )
        self.networks[name] = network
        self._network_logs(region, network, kinds)
        self.clusters[name] = ecs.Cluster(
            naming.resource(plan.system, "cluster", None, name),
            ecs.ClusterArgs(
                # Container Insights: RunningTaskCount for the backlog scaling and the running-below-min alarm.
                settings=[ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
                region=name,
                tags=self.tags.tags("compute", "cluster", region=name, spec_path="agents"),
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        stores = tuple(
            StoreEndpoint(name=s.name, port=STORE_PORTS[s.engine], users=s.users)
            for s in plan.stores
            if s.engine in STORE_PORTS and name in s.regions
        )
        self.security[name] = RegionSecurityGroups(
            naming.resource(plan.system, "security-groups", None, name),
            RegionSecurityGroupsArgs(
                region=name,
                tags=self.tags,
                vpc_id=network.vpc_id,
                vpc_cidr=network.cidr,
                agents=tuple(
                    AgentEndpoint(
                        name=a.name,
                        port=a.port,
                        load_balancer=kinds[a.name],
                        public=a.public,
                        callers=tuple(c for c in a.callers if plan.agent(c).placement(name) is not None),
                        narrow_egress=a.narrow_egress,
                        uses_dynamodb=any(s.name in a.uses and s.engine == "dynamodb" for s in plan.stores),
                    )
                    for a in plan.workloads
                    if a.placement(name) is not None
                ),
                stores=stores,
                endpoints_security_group_id=network.endpoints_security_group_id,
                prefix_list_ids=dict(network.prefix_list_ids),
            ),
            opts=self._child_opts,
        )
        if plan.image_caches:
            from components.aws.image_cache import RegionImageCache, RegionImageCacheArgs

            RegionImageCache(
                naming.resource(plan.system, "image-cache", None, name),
                RegionImageCacheArgs(system=plan.system, region=name, caches=plan.image_caches),
                opts=self._child_opts,
            )

    def _network_logs(self, region: RegionPlan, network: Network, kinds: dict[str, LoadBalancerKind | None]) -> None:
        """The region's VPC flow log (a new VPC only: an existing one keeps its own) and the bucket its
        application load balancers write access logs to (spec `observability.flow_logs` / `.access_logs`)."""
        plan = self.plan
        name = region.name
        flow = plan.observability.flow_logs
        if flow is not None and not region.network.is_existing:
            from components.aws.flow_logs import VpcFlowLog, VpcFlowLogArgs

            VpcFlowLog(
                naming.resource(plan.system, "flow-log", None, name),
                VpcFlowLogArgs(
                    plan=flow,
                    region=name,
                    vpc_id=network.vpc_id,
                    tags=self.tags,
                    key_arn=self.keys[name].key_arn,
                    account_id=self.account_id,
                    partition=self.partition,
                ),
                opts=self._child_opts,
            )
        access = plan.observability.access_logs
        albs = tuple(a.name for a in plan.workloads if a.placement(name) is not None and kinds[a.name] == "alb")
        if access is None or not albs:
            return
        # imported here: pulumi_aws.s3 loads only for a stack with access logs
        from components.aws.access_logs import AccessLogBucket, AccessLogBucketArgs, supported

        if not supported(name):
            return
        self.access_logs[name] = AccessLogBucket(
            naming.resource(plan.system, "access-logs", None, name),
            AccessLogBucketArgs(
                plan=access,
                region=name,
                prefixes=albs,
                tags=self.tags,
                account_id=self.account_id,
                partition=self.partition,
                deletion_protection=self.deletion_protection,
            ),
            opts=self._child_opts,
        )

    def _certificate(self) -> DomainCertificate | None:
        plan = self.plan
        routing = plan.routing
        if routing is None:
            return None
        ingress = plan.agent(routing.agent)
        regions = tuple(
            p.region
            for p in ingress.placements
            if load_balancer_kind(ingress, plan.region(p.region)) in ("alb", "nlb-tls")
        )
        if not regions:
            return None
        return DomainCertificate(
            naming.resource(plan.system, "ingress", "certificate"),
            DomainCertificateArgs(
                domain=routing.domain, hosted_zone=routing.hosted_zone, regions=regions, tags=self.tags
            ),
            opts=self._child_opts,
        )

    # --- stores ---------------------------------------------------------------------------------

    def _store_placements(self, store: StorePlan) -> dict[str, StorePlacement]:
        """Each region's subnets, store security group, key and alert topic (Aurora and Valkey alike)."""
        return {
            r: StorePlacement(
                subnet_ids=self.networks[r].private_subnet_ids,
                security_group_id=self.security[r].store[store.name],
                key_arn=self.keys[r].key_arn,
                topic_arn=self.topics[r].topic_arn,
            )
            for r in store.regions
        }

    def _store(self, store: StorePlan, master_password: pulumi.Input[str] | None) -> None:
        plan = self.plan
        topic_arns = {r: self.topics[r].topic_arn for r in store.regions}
        if store.engine == "dynamodb":
            table = DynamoTable(
                store.resource,
                DynamoTableArgs(
                    store=store,
                    tags=self.tags,
                    key_arns={r: self.keys[r].key_arn for r in store.regions},
                    topic_arns=topic_arns,
                    alarms=plan.observability.alarms,
                    deletion_protection=self.deletion_protection,
                ),
                opts=self._child_opts,
            )
            self.tables[store.name] = table
            alarms = table.alarms
            lag = plan.observability.alarms.replication_lag_s
            # Imported where used: each engine's provider modules load only for specs that have it.
            from components.aws.replication_heartbeat import ReplicationHeartbeat, ReplicationHeartbeatArgs, watched

            if lag is not None and watched(store, lag):
                # ReplicationLatency cannot fail closed (AWS/DynamoDB alarms ignore missing data).
                heartbeat = ReplicationHeartbeat(
                    naming.resource(plan.system, store.name, "replication-heartbeat"),
                    ReplicationHeartbeatArgs(
                        store=store,
                        tags=self.tags,
                        table_name=table.table_name,
                        table_arns={r: table.arn_in(r, self.account_id, self.partition) for r in store.regions},
                        key_arns={r: self.keys[r].key_arn for r in store.regions},
                        topic_arns=topic_arns,
                        account_id=self.account_id,
                        partition=self.partition,
                        lag_s=lag,
                    ),
                    opts=self._child_opts,
                )
                for region, items in heartbeat.alarms.items():
                    self.region_alarms[region] += items
        elif store.engine == "aurora-postgresql":
            if store.replica_regions and master_password is None:
                raise pulumi.RunError(
                    f"store '{store.name}' is an Aurora global database: Aurora cannot keep a global "
                    "database's master password in Secrets Manager, so set one for this stack with "
                    "`pulumi config set --secret agentha:auroraMasterPassword <value>`"
                )
            from components.aws.aurora_cluster import AuroraCluster, AuroraClusterArgs

            database = AuroraCluster(
                store.resource,
                AuroraClusterArgs(
                    store=store,
                    tags=self.tags,
                    placements=self._store_placements(store),
                    alarms=plan.observability.alarms,
                    master_password=master_password if store.replica_regions else None,
                    deletion_protection=self.deletion_protection,
                ),
                opts=self._child_opts,
            )
            self.databases[store.name] = database
            alarms = database.alarms
        elif store.engine == "aurora-dsql":
            from components.aws.dsql_cluster import DsqlCluster, DsqlClusterArgs, DsqlNetwork

            self.dsql[store.name] = DsqlCluster(
                store.resource,
                DsqlClusterArgs(
                    store=store,
                    tags=self.tags,
                    key_arns={r: self.keys[r].key_arn for r in store.regions},
                    account_id=self.account_id,
                    partition=self.partition,
                    # The connection endpoint goes in the VPCs this stack builds (not in an existing one).
                    networks={
                        r: DsqlNetwork(
                            vpc_id=self.networks[r].vpc_id,
                            subnet_ids=self.networks[r].private_subnet_ids,
                            security_group_id=self.security[r].store[store.name],
                        )
                        for r in store.regions
                        if not plan.region(r).network.is_existing
                    },
                    deletion_protection=self.deletion_protection,
                ),
                opts=self._child_opts,
            )
            alarms = {}
        elif store.engine == "valkey":
            from components.aws.valkey_cache import ValkeyCache, ValkeyCacheArgs

            cache = ValkeyCache(
                store.resource,
                ValkeyCacheArgs(
                    store=store,
                    tags=self.tags,
                    placements=self._store_placements(store),
                    alarms=plan.observability.alarms,
                    deletion_protection=self.deletion_protection,
                ),
                opts=self._child_opts,
            )
            self.caches[store.name] = cache
            alarms = cache.alarms
        else:
            raise ValueError(f"store '{store.name}': engine {store.engine} is not an AWS engine")
        for region, items in alarms.items():
            self.region_alarms[region] += items

    # --- agents ---------------------------------------------------------------------------------

    def _access(self, agent: AgentPlan, region: str) -> AgentAccess:
        def queue(name: str) -> QueueAccess:
            q = self.queues[(name, region)]
            return QueueAccess(name=name, arn=q.queue_arn, url=q.queue_url, queue_name=q.queue_name)

        tables = {}
        databases = {}
        caches = {}
        cache_auth = {}
        dsql_clusters = {}
        for store in agent.uses:
            if store in self.tables:
                t = self.tables[store]
                tables[store] = (t.table_name, t.arn_in(region, self.account_id, self.partition))
            elif store in self.databases:
                d = self.databases[store]
                databases[store] = (d.endpoints[region], d.resource_ids[region])
            elif store in self.caches:
                cache = self.caches[store]
                caches[store] = cache.endpoints[region]
                if agent.name in cache.user_names:
                    cache_auth[store] = CacheAuth(
                        user=cache.user_names[agent.name],
                        cache_name=cache.group_ids[region],
                        group_arn=cache.group_arns[region],
                        user_arn=cache.user_arns[(region, agent.name)],
                    )
            elif store in self.dsql:
                d = self.dsql[store]
                dsql_clusters[store] = (d.endpoints[region], d.cluster_arns[region])
        return AgentAccess(
            consumes=tuple(queue(q) for q in agent.consumes if (q, region) in self.queues),
            produces=tuple(queue(q) for q in agent.produces if (q, region) in self.queues),
            tables=tables,
            databases=databases,
            caches=caches,
            cache_auth=cache_auth,
            dsql=dsql_clusters,
            secrets={s: self.secrets[s].arns[region] for s in agent.secrets if s in self.secrets},
            calls=self._call_urls(agent, region),
            env=self._gateway_env(agent, region, caches, cache_auth),
        )

    def _gateway_env(
        self,
        agent: AgentPlan,
        region: str,
        caches: dict[str, pulumi.Input[str]],
        cache_auth: dict[str, CacheAuth] | None = None,
    ) -> dict[str, pulumi.Input[str]]:
        """The model gateway's configuration and shared-limit store (its own task), or its address (a caller's:
        OpenAI SDKs read OPENAI_BASE_URL, so agent code needs no change)."""
        gw = self.plan.gateway
        if gw is None:
            return {}
        if agent.name == gateway.GATEWAY:
            env: dict[str, pulumi.Input[str]] = {gateway.CONFIG_ENV: gw.config(region)}
            if gw.rate_limit_store is not None and gw.rate_limit_store in caches:
                # In-transit encryption is required on the Valkey groups: TLS (rediss), port 6379.
                endpoint = caches[gw.rate_limit_store]
                env[gateway.REDIS_URL_ENV] = lift(endpoint, lambda host: f"rediss://{host}:6379")
                auth = (cache_auth or {}).get(gw.rate_limit_store)
                if auth is not None:
                    # LiteLLM (1.110.2, litellm/_redis.py) reads REDIS_<kwarg> from the environment and
                    # signs ElastiCache IAM tokens itself (ElastiCacheIAMCredentialProvider); the region
                    # comes from AWS_REGION, which ECS sets for the task.
                    env.update(
                        {
                            "REDIS_AWS_IAM_AUTH": "true",
                            "REDIS_AWS_IAM_USER_NAME": auth.user,
                            "REDIS_AWS_IAM_CACHE_NAME": auth.cache_name,
                            "REDIS_AWS_IAM_REGION": region,
                        }
                    )
            return env
        service = self.services.get((gateway.GATEWAY, region))
        if agent.name not in gw.callers or service is None or service.load_balancer_dns is None:
            return {}
        url = service.load_balancer_dns.apply(lambda dns: f"http://{dns}:{gateway.PORT}")
        env = {gateway.URL_ENV: url, gateway.OPENAI_BASE_URL_ENV: url.apply(lambda u: f"{u}/v1")}
        return env | gateway.api_key_placeholder(agent.secrets, agent.env)

    def _call_urls(self, agent: AgentPlan, region: str) -> dict[str, pulumi.Input[str]]:
        """Each called agent's URL in this region: its internal NLB, or the ingress domain (the ALB's
        certificate names the domain, not the load balancer)."""
        urls: dict[str, pulumi.Input[str]] = {}
        routing = self.plan.routing
        for callee in agent.calls:
            target = self.plan.agent(callee)
            service = self.services.get((callee, region))
            if target.ingress and routing is not None:
                urls[callee] = f"https://{routing.domain}"
            elif service is not None and service.load_balancer_dns is not None and target.port is not None:
                port = target.port
                urls[callee] = service.load_balancer_dns.apply(lambda dns, p=port: f"http://{dns}:{p}")
        return urls

    def _agent(self, agent: AgentPlan, region: str) -> None:
        plan = self.plan
        placement = agent.placement(region)
        assert placement is not None
        network = self.networks[region]
        security = self.security[region]
        kind = load_balancer_kind(agent, plan.region(region))
        certificate = None
        if kind in ("alb", "nlb-tls") and self.certificate is not None:
            certificate = self.certificate.certificate_arns.get(region)
        service = AgentService(
            naming.resource(plan.system, agent.name, None, region),
            AgentServiceArgs(
                agent=agent,
                placement=placement,
                tags=self.tags,
                cluster_arn=self.clusters[region].arn,
                cluster_name=self.clusters[region].name,
                vpc_id=network.vpc_id,
                private_subnet_ids=network.private_subnet_ids,
                public_subnet_ids=network.public_subnet_ids,
                task_security_group_id=security.task[agent.name],
                key_arn=self.keys[region].key_arn,
                account_id=self.account_id,
                partition=self.partition,
                topic_arn=self.topics[region].topic_arn,
                rollout=plan.rollout,
                alarms=plan.observability.alarms,
                access=self._access(agent, region),
                load_balancer=kind,
                load_balancer_security_group_id=security.load_balancer.get(agent.name),
                certificate_arn=certificate,
                activate_count=max(p.desired for p in agent.placements),
                zonal_autoshift=plan.zonal_autoshift,
                collector=self._collector(agent),
                start=self.start_agents,
                deletion_protection=self.deletion_protection,
                access_logs=self._access_log_target(agent, region, kind),
                # No dead-letter alarm among the deployment alarms: a dead letter kept for days (the
                # queue's retention) would fail or roll back every deployment meanwhile, whatever the
                # new version does. Dead letters page through the region's alert topic instead.
            ),
            opts=self._child_opts,
        )
        self.services[(agent.name, region)] = service
        self.region_alarms[region] += service.alarms

    def _collector(self, agent: AgentPlan) -> CollectorSidecar | None:
        """The ADOT collector of the agent's tasks: its spans to X-Ray when tracing is otel; in the model
        gateway's tasks always, for the provider metrics its alarms read."""
        traces = self.plan.observability.tracing == "otel"
        metrics = gateway.METRICS_PATH if agent.name == gateway.GATEWAY else None
        if not collector.runs_sidecar(self.plan.observability.tracing, gateway=agent.name == gateway.GATEWAY):
            return None
        return CollectorSidecar(traces=traces, metrics_path=metrics)

    # --- model providers' SLIs ---------------------------------------------------------------------

    def _gateway_alarms(self) -> dict[str, GatewayAlarms]:
        """The providers' SLI alarms where the gateway runs, on the metrics its collector publishes."""
        plan = self.plan
        gw = plan.gateway
        if gw is None:
            return {}
        tpm = {name: t for name, _, t in gw.rate_limits}
        threshold = plan.observability.alarms.error_rate_percent
        providers = tuple(
            ProviderSli(
                name=name,
                timeout_s=gw.timeout(name),
                tokens_per_minute=(t / gw.limit_regions) if (t := tpm.get(name)) else None,
            )
            for name in gw.providers
        )
        return {
            p.region: GatewayAlarms(
                naming.resource(plan.system, "gateway-alarms", None, p.region),
                GatewayAlarmsArgs(
                    region=p.region,
                    tags=self.tags,
                    topic_arn=self.topics[p.region].topic_arn,
                    providers=providers,
                    error_ratio=(threshold if threshold is not None else 1.0) / 100,
                    metrics_expected=self.start_agents and p.desired > 0,
                ),
                opts=self._child_opts,
            )
            for p in gw.service.placements
            if (gateway.GATEWAY, p.region) in self.services
        }

    def _access_log_target(
        self, agent: AgentPlan, region: str, kind: LoadBalancerKind | None
    ) -> AccessLogTarget | None:
        bucket = self.access_logs.get(region)
        if bucket is None or kind != "alb":
            return None
        return AccessLogTarget(bucket=bucket.bucket_name, prefix=agent.name, ready=bucket.policy)

    # --- synthetic transaction ----------------------------------------------------------------------

    def _synthetics(self) -> dict[str, SyntheticCanary]:
        """A canary per region where the ingress agent runs behind a load balancer (ingress.synthetic)."""
        plan = self.plan
        routing = plan.routing
        synthetic = routing.synthetic if routing is not None else None
        if routing is None or synthetic is None:
            return {}
        # imported here: pulumi_aws.synthetics and .s3 load only for a spec with a synthetic transaction
        from components.aws.synthetic_canary import SyntheticCanary, SyntheticCanaryArgs

        built: dict[str, SyntheticCanary] = {}
        for region in synthetic.regions:
            service = self.services.get((routing.agent, region))
            if service is None or service.load_balancer_dns is None:
                continue
            network = self.networks[region]
            canary = SyntheticCanary(
                naming.resource(plan.system, "synthetic", None, region),
                SyntheticCanaryArgs(
                    synthetic=synthetic,
                    region=region,
                    tags=self.tags,
                    domain=routing.domain,
                    load_balancer_dns=service.load_balancer_dns,
                    key_arn=self.keys[region].key_arn,
                    account_id=self.account_id,
                    partition=self.partition,
                    topic_arn=self.topics[region].topic_arn,
                    public=routing.public,
                    vpc_id=network.vpc_id,
                    vpc_cidr=network.cidr,
                    private_subnet_ids=network.private_subnet_ids,
                ),
                opts=self._child_opts,
            )
            built[region] = canary
            self.region_alarms[region].append(canary.alarm)
        return built

    # --- SLO burn (the drills' abort condition) -------------------------------------------------

    def _slo_burn(self, region: RegionPlan) -> SloBurn:
        """The region's error-budget burn alarms, over its ALB ingress (or its queue-age alarms)."""
        plan = self.plan
        name = region.name
        sources = [
            BurnSource(agent=a, load_balancer_arn_suffix=s.load_balancer_arn_suffix)
            for (a, r), s in sorted(self.services.items())
            if r == name
            and s.load_balancer_arn_suffix is not None
            and load_balancer_kind(plan.workload(a), region) == "alb"
        ]
        fallback = [
            alarm.name
            for (_, r), q in sorted(self.queues.items())
            if r == name
            for alarm in q.alarms
            if alarm is not q.dead_letter_alarm
        ]
        burn = SloBurn(
            naming.resource(plan.system, "slo-burn", None, name),
            SloBurnArgs(
                region=name,
                tags=self.tags,
                topic_arn=self.topics[name].topic_arn,
                objective_percent=plan.observability.availability_objective,
                sources=sources,
                fallback_alarm_names=fallback,
                synthetic_alarm_name=self.synthetics[name].alarm_name if name in self.synthetics else None,
            ),
            opts=self._child_opts,
        )
        self.region_alarms[name] += burn.alarms
        return burn

    # --- routing --------------------------------------------------------------------------------

    def _ingress_zone(self) -> pulumi.Output[str] | None:
        """The ingress domain's hosted zone (the records and the Region switch route block use it)."""
        routing = self.plan.routing
        if routing is None:
            return None
        return aws.route53.get_zone_output(
            name=routing.hosted_zone, private_zone=not routing.public, opts=pulumi.InvokeOptions(parent=self)
        ).zone_id

    def _routing(self) -> FailoverRouting | None:
        plan = self.plan
        routing = plan.routing
        if routing is None:
            return None
        endpoints = {}
        for record in routing.records:
            service = self.services.get((routing.agent, record.region))
            if service is None or service.load_balancer_dns is None or service.load_balancer_zone_id is None:
                continue
            placement = plan.agent(routing.agent).placement(record.region)
            endpoints[record.region] = RegionalEndpoint(
                dns_name=service.load_balancer_dns,
                zone_id=service.load_balancer_zone_id,
                healthy_alarms=tuple(service.healthy_alarms),
                pilot_light=placement is not None and placement.desired == 0,
                synthetic_alarm=self.synthetics[record.region].alarm
                if record.region in self.synthetics and routing.synthetic is not None and routing.synthetic.failover
                else None,
            )
        if len(endpoints) != len(routing.records):
            return None
        switch_checks: dict[str, list[pulumi.Output[str]]] = {}
        for rs_plan in self.region_switch:
            for region, check in rs_plan.health_check_ids.items():
                switch_checks.setdefault(region, []).append(check)
        return FailoverRouting(
            naming.resource(plan.system, "routing"),
            FailoverRoutingArgs(
                routing=routing,
                tags=self.tags,
                endpoints=endpoints,
                private_zone_vpcs={
                    r.name: self.networks[r.name].vpc_id for r in plan.regions if not r.network.is_existing
                },
                switch_checks=switch_checks,
                zone_id=self._zone_id,
            ),
            opts=self._child_opts,
        )

    # --- ARC Region switch and Resilience Hub ------------------------------------------------

    def _region_switch(self) -> list[RegionSwitch]:
        """One Region switch plan per pair of the primary with another region
        (blueprints/plan/region_switch.py decides the steps; timing.py counts the same ones)."""
        from blueprints.plan.region_switch import region_switch_plans
        from components.aws.region_switch_plan import (
            RegionSwitch,
            RegionSwitchArgs,
            SwitchAlarm,
            SwitchCache,
            SwitchDatabase,
            SwitchReports,
            SwitchRouting,
            SwitchService,
        )

        out = []
        for rsp in region_switch_plans(self.plan):
            alarms = {}
            for r in rsp.regions:
                name, arn = self.slo_burn[r].alarm_name, self.slo_burn[r].alarm_arn
                if name is not None and arn is not None:
                    alarms[r] = SwitchAlarm(name=name, arn=arn)
            out.append(
                RegionSwitch(
                    rsp.name,
                    RegionSwitchArgs(
                        plan=rsp,
                        tags=self.tags,
                        account_id=self.account_id,
                        partition=self.partition,
                        services={
                            (a, r): SwitchService(cluster_arn=self.clusters[r].arn, service_arn=s.service_arn)
                            for (a, r), s in self.services.items()
                        },
                        databases={
                            n: SwitchDatabase(
                                global_cluster_id=d.global_cluster_id,
                                global_cluster_arn=d.global_cluster_arn,
                                cluster_arns=d.cluster_arns,
                            )
                            for n, d in self.databases.items()
                            if d.global_cluster_id is not None and d.global_cluster_arn is not None
                        },
                        caches={
                            n: SwitchCache(global_group_id=c.global_group_id, group_ids=c.group_ids)
                            for n, c in self.caches.items()
                            if c.global_group_id is not None
                        },
                        alarms=alarms,
                        # reports land where the failover runs (the pair's other region), encrypted with its key
                        reports=SwitchReports(region=rsp.regions[1], key_arn=self.keys[rsp.regions[1]].key_arn),
                        routing=SwitchRouting(hosted_zone_id=self._zone_id, record_name=self.plan.routing.domain)
                        if rsp.routes_traffic and self._zone_id is not None and self.plan.routing is not None
                        else None,
                    ),
                    opts=self._child_opts,
                )
            )
        return out

    def _resilience(self) -> ResiliencePolicy | None:
        """A Resilience Hub resiliency policy from the objectives (none without zone and application ones)."""
        from components.aws.resilience_policy import Objective, ResiliencePolicy, ResiliencePolicyArgs

        plan = self.plan

        def objective(disruption: str) -> Objective | None:
            def find(kind: str) -> float | None:
                return next(
                    (e.objective for e in plan.estimates if e.kind == kind and e.disruption == disruption), None
                )

            rto, rpo = find("rto"), find("rpo")
            return Objective(rto_s=rto, rpo_s=rpo) if rto is not None and rpo is not None else None

        zone, application = objective("zone"), objective("application")
        if zone is None or application is None:
            return None
        return ResiliencePolicy(
            naming.resource(plan.system, "resilience"),
            ResiliencePolicyArgs(
                name=self.tags.scope,
                tags=self.tags,
                availability_percent=plan.observability.availability_objective,
                zone=zone,
                application=application,
                region=objective("region") if len(plan.regions) > 1 else None,
                home_region=plan.primary_region.name,
                regions=tuple(r.name for r in plan.regions),
            ),
            opts=self._child_opts,
        )

    # --- chaos drills -------------------------------------------------------------------------

    def _chaos(self) -> ChaosDrills | None:
        """FIS experiment templates for the plan's drills, in the primary region (none without drills)."""
        plan = self.plan
        if not plan.chaos.drills:
            return None
        region = plan.primary_region
        name = region.name
        service = None
        agent = crash_agent(plan)
        if agent is not None and (agent.name, name) in self.services:
            service = ServiceTarget(
                agent=agent.name,
                cluster_name=self.clusters[name].name,
                service_name=self.services[(agent.name, name)].service_name,
                stop_count=crash_count(agent, name),
            )
        zone = None
        outage = outage_zone(region)
        index = private_subnet_index(region, outage) if outage is not None else None
        if outage is not None and index is not None:
            network = self.networks[name]
            zone = ZoneTarget(
                zone=outage,
                vpc_id=network.vpc_id,
                subnet_ids=[network.private_subnet_ids[index]],
                databases=[
                    ZoneStore(
                        store=s.name,
                        tags=self._identity_tags(s.name, "cluster", name),
                        arn=self.databases[s.name].cluster_arns[name],
                    )
                    for s in zone_databases(plan, name)
                    if s.name in self.databases
                ],
                caches=[
                    ZoneStore(store=s.name, tags=self._identity_tags(s.name, "cache", name))
                    for s in zone_caches(plan, name)
                    if s.name in self.caches
                ],
            )
        databases = tuple(
            DatabaseTarget(store=s.name, cluster_arn=self.databases[s.name].cluster_arns[name])
            for s in failover_stores(plan)
            if s.name in self.databases
        )
        return ChaosDrills(
            naming.resource(plan.system, "chaos-drills", None, name),
            ChaosDrillsArgs(
                drills=plan.chaos.drills,
                region=name,
                tags=self.tags,
                account_id=self.account_id,
                partition=self.partition,
                # The SLO burn alarm, not the region-health composite: that one ORs the unhealthy-host,
                # below-minimum and dead-letter alarms the drills trip on purpose.
                abort_alarm_name=self.slo_burn[name].alarm_name,
                abort_condition=self.slo_burn[name].abort_condition,
                service=service,
                zone=zone,
                databases=databases,
            ),
            opts=self._child_opts,
        )

    def _identity_tags(self, part: str, role: str, region: str) -> dict[str, str]:
        """The tags that single out one store's resource of this stack in `region` (FIS targets)."""
        keep = ("agentha:system", "agentha:environment", "agentha:part", "agentha:role", "agentha:region")
        return {k: v for k, v in self.tags.tags(part, role, region=region).items() if k in keep}

    # --- outputs --------------------------------------------------------------------------------

    def exports(self) -> dict[str, Any]:
        """What the stack exports: endpoints, names and the commands that set secret values."""
        self._stages.require_done()
        return dict(self._exports)

    def _build_exports(self) -> dict[str, Any]:
        plan = self.plan
        regions: dict[str, Any] = {}
        for r in plan.regions:
            name = r.name
            regions[name] = {
                "vpc_id": self.networks[name].vpc_id,
                "cluster": self.clusters[name].name,
                "alert_topic": self.topics[name].topic_arn,
                "kms_key": self.keys[name].key_arn,
                "dashboard": self.observability[name].dashboard_name,
                "dashboard_url": self.observability[name].dashboard_url,
                "agents": {
                    a: {"service": s.service_name, "load_balancer": s.load_balancer_dns, "strategy": s.strategy}
                    for (a, reg), s in sorted(self.services.items())
                    if reg == name
                },
                "queues": {q: built.queue_url for (q, reg), built in sorted(self.queues.items()) if reg == name},
            }
        out: dict[str, Any] = {
            "regions": regions,
            "tables": {n: t.table_name for n, t in sorted(self.tables.items())},
            "databases": {n: d.endpoints for n, d in sorted(self.databases.items())},
            "caches": {n: c.endpoints for n, c in sorted(self.caches.items())},
            "secrets": {n: s.arn for n, s in sorted(self.secrets.items())},
            "set_secret_values": [s.put_value_command() for _, s in sorted(self.secrets.items())],
        }
        if self.chaos is not None and self.chaos.start_commands:
            out["chaos_drills"] = dict(sorted(self.chaos.start_commands.items()))
        if plan.routing is not None:
            out["ingress_url"] = f"https://{plan.routing.domain}"
        if self.region_switch:
            out["region_switch"] = {
                rs._args.plan.name: {
                    "plan_arn": rs.plan_arn,
                    "start": dict(sorted(rs.start_commands.items())),
                    **({"reports": rs.reports_location} if rs.reports_location is not None else {}),
                }
                for rs in self.region_switch
            }
        if self.resilience is not None:
            out["resilience_hub"] = {
                "policy_arn": self.resilience.policy_arn,
                "assess": self.resilience.commands,
            }
        return out
