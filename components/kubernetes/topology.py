"""KubernetesTopology: a whole `TopologyPlan` on Kubernetes, one cluster per region.

Each region's cluster is reached through its own explicit `kubernetes.Provider` (the kubeconfig
context named for that region in stack config); every object in a region goes through it. In each
region: the namespace, the stores (primary or replica cluster), the broker and queues, the agents
wired to what they use, the ingress and (multi-region) the k8gb global routing, the observability
objects, and in the primary region the chaos drills.

Nothing here holds a secret value: the Secrets the objects reference by name are listed in
`exports()["kubernetes"]["requiredSecrets"]`, to be created out of band (or by cert-manager and
External Secrets) before the first deploy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints.plan import gateway, naming
from blueprints.plan.models import TopologyPlan
from components.kubernetes.agent_workload import AgentWorkload, AgentWorkloadArgs
from components.kubernetes.meta import RegionScope, env_name, object_name, tag_labels
from components.kubernetes.wiring import EnvVar, Peer, Wiring
from components.stages import Stages

DEFAULT_INGRESS_CLASS = "nginx"
DEFAULT_PRIVATE_INGRESS_CLASS = "nginx-internal"
"""IngressClass for `ingress.public: false`: an ingress controller whose load balancer is internal."""


@dataclass(frozen=True)
class RequiredSecret:
    """A Secret the objects reference by name; its value is set out of band, never in a manifest."""

    name: str
    keys: tuple[str, ...]
    purpose: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "keys": list(self.keys), "purpose": self.purpose}


@dataclass(frozen=True)
class KubernetesTopologyArgs:
    plan: TopologyPlan
    contexts: Mapping[str, str]
    """Kubeconfig context per region (stack config `agentha:kubeContexts`)."""
    kubeconfig: str | None = None
    tls_secret_name: str | None = None
    """The ingress's TLS Secret (default `<system>-tls`)."""
    namespace: str | None = None
    """Namespace in every cluster (default: the system's name)."""
    ingress_class_name: str | None = DEFAULT_INGRESS_CLASS
    """IngressClass of a public ingress (stack config `agentha:ingressClass`)."""
    private_ingress_class_name: str = DEFAULT_PRIVATE_INGRESS_CLASS
    """IngressClass of a private ingress (stack config `agentha:privateIngressClass`)."""
    otlp_endpoint: str | None = None
    """OTLP/HTTP endpoint of the agents' traces (stack config `agentha:otlpEndpoint`; default the
    `otel-collector` Service in the monitoring namespace, port 4318)."""
    ingress_namespace: str = "ingress-nginx"
    ingress_service: str = "ingress-nginx-controller"
    """The ingress controller's Service in `ingress_namespace`: the synthetic Probe's target."""
    monitoring_namespace: str = "monitoring"
    blackbox_exporter: str | None = None
    """blackbox-exporter's host:port (default `blackbox-exporter.<monitoring namespace>.svc:9115`)."""
    prometheus_url: str | None = None
    cnpg_namespace: str = "cnpg-system"
    rabbitmq_namespace: str = "rabbitmq-system"
    redis_operator_namespace: str = "ot-operators"
    keda_namespace: str = "keda"
    backup_destination: str | None = None
    """Object-store URL for PostgreSQL backups (default `s3://<system>-backups`)."""
    backup_credentials_secret: str | None = None
    storage_class: str | None = None
    external_https: bool = True


class KubernetesTopology(pulumi.ComponentResource):
    """Every region's cluster objects for one plan (see the module docstring)."""

    namespace: str
    regions: dict[str, dict[str, Any]]
    required_secrets: dict[str, list[RequiredSecret]]

    def __init__(
        self,
        name: str,
        args: KubernetesTopologyArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        staged: bool = False,
    ) -> None:
        """Build every region; with `staged=True`, only check the arguments: the caller runs `stages()`."""
        super().__init__("agentha:kubernetes:Topology", name, None, opts)
        plan = args.plan
        missing = [r.name for r in plan.regions if r.name not in args.contexts]
        if missing:
            raise ValueError(
                f"no kubeconfig context for region(s) {', '.join(missing)}: set stack config "
                f"agentha:kubeContexts to a map of region to context, e.g. "
                f'{{"{missing[0]}": "<context name>"}}'
            )
        clashes = names_in_conflict(plan)
        if clashes:
            raise ValueError(
                "on Kubernetes these names would give two objects (Services, budgets, policies) the same "
                f"name in one namespace: {', '.join(clashes)}; rename the agent or store"
            )
        self._args = args
        self.namespace = args.namespace or plan.system
        self.regions = {}
        self.required_secrets = {}
        self._tags = tag_labels(plan.tags, plan.owner)
        self._stages = Stages(self._build())
        if not staged:
            self._stages.run()

    def stages(self) -> Iterator[str]:
        """The construction, per region: its stores and broker, each agent, then its ingress,
        observability and drills. Each step builds a stage's objects and yields its label; the stack
        program may let the SDK finish registering a stage before it asks for the next (see
        `stacks.program.main`). The objects, their inputs and options do not depend on that pace."""
        return self._stages.take()

    def _build(self) -> Iterator[str]:
        for region in self._args.plan.regions:
            yield from self._region(region.name)
        self.register_outputs({"namespace": self.namespace, "regions": self.regions})

    # --- one region ------------------------------------------------------------------------------

    def _region(self, region: str) -> Iterator[str]:
        import pulumi_kubernetes as k8s

        from components.kubernetes.namespace import SystemNamespace, SystemNamespaceArgs

        args, plan = self._args, self._args.plan
        system = plan.system
        context = args.contexts[region]
        provider = k8s.Provider(
            f"{system}-{region}",
            context=context,
            kubeconfig=args.kubeconfig,
            # Replace the provider (and so every object) only if the region changes, not when its
            # credentials or context name do.
            cluster_identifier=f"{system}-{region}",
            opts=pulumi.ResourceOptions(parent=self),
        )
        base = RegionScope(
            system=system, region=region, namespace=self.namespace, provider=provider, tag_labels=self._tags
        )
        ns = SystemNamespace(
            base.resource_name("system-namespace"), SystemNamespaceArgs(scope=base), pulumi.ResourceOptions(parent=self)
        )
        scope = dataclasses.replace(base, depends_on=(ns.namespace,))
        secrets: dict[str, RequiredSecret] = {}
        summary: dict[str, Any] = {"context": context, "namespace": self.namespace}

        stores = self._stores(scope, secrets)
        summary["stores"] = stores
        broker = self._queues(scope, secrets)
        if broker:
            summary["broker"] = broker
        yield f"stores and queues in {region}"
        agents = yield from self._agents(scope, secrets)
        summary["agents"] = {
            a.name: {"kind": w.kind, "replicas": w.replicas, "minAvailable": w.min_available} for a, w in agents
        }
        ingress_name = self._ingress(scope, agents, secrets)
        if ingress_name:
            summary["ingress"] = ingress_name
        self._observability(scope, agents, broker is not None)
        if region == plan.primary_region.name:
            self._chaos(scope, agents)
        self.regions[region] = summary
        self.required_secrets[region] = sorted(secrets.values(), key=lambda s: s.name)
        yield f"ingress, observability and drills in {region}"

    def _stores(self, scope: RegionScope, secrets: dict[str, RequiredSecret]) -> dict[str, str]:
        from components.kubernetes.state_store import (
            REDIS_TLS_KEYS,
            StateStore,
            StateStoreArgs,
            backup_credential_keys,
            postgres_credentials_secret,
            postgres_rw_service,
            redis_tls_secret,
        )

        args, plan = self._args, self._args.plan
        out: dict[str, str] = {}
        for store in plan.stores:
            if scope.region not in store.regions:
                continue
            users = tuple(object_name(plan.system, a) for a in store.users)
            others = tuple(c for r in store.regions if r != scope.region for c in plan.region(r).pod_cidrs)
            if store.engine == "cockroachdb":
                out[store.name] = self._cockroachdb(scope, store, users, others, secrets)
                continue
            credentials = args.backup_credentials_secret or object_name(plan.system, "backup-credentials")
            destination = args.backup_destination or f"s3://{plan.system}-backups"
            component = StateStore(
                scope.resource_name(store.name, "store"),
                StateStoreArgs(
                    scope=scope,
                    store=store,
                    user_instances=users,
                    backup_destination=destination,
                    backup_credentials_secret=credentials,
                    storage_class=args.storage_class,
                    operator_namespace=args.cnpg_namespace
                    if store.engine == "postgres"
                    else args.redis_operator_namespace,
                    monitoring_namespace=args.monitoring_namespace,
                    regions=store.regions,
                    fenced=plan.region(scope.region).fenced,
                    peer_cidrs=others,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            out[store.name] = component.name
            if store.engine == "postgres":
                secrets[credentials] = RequiredSecret(
                    credentials,
                    backup_credential_keys(destination),
                    f"object-store credentials for PostgreSQL WAL archiving and backups ({destination})",
                )
                if len(store.regions) > 1:
                    app = postgres_credentials_secret(plan.system, store.name)
                    rw = postgres_rw_service(plan.system, store.name)
                    secrets[app] = RequiredSecret(
                        app,
                        ("username", "password", "uri"),
                        f"owner of store {store.name}'s database, the same in every region (type "
                        f"kubernetes.io/basic-auth; username app; uri postgresql://app:<password>@"
                        f"{rw}.{scope.namespace}.svc:5432/app)",
                    )
                    if store.writes == "primary-region" and scope.region != store.primary_region:
                        from components.kubernetes.state_store import postgres_cluster_name

                        primary_ca = f"{postgres_cluster_name(plan.system, store.name, store.primary_region, True)}-ca"
                        secrets[primary_ca] = RequiredSecret(
                            primary_ca,
                            ("ca.crt",),
                            f"a copy of {store.primary_region}'s CloudNativePG CA Secret {primary_ca} (ca.crt only): "
                            f"agents here verify the primary region's server certificate when they write store "
                            f"{store.name}",
                        )
            else:
                auth = f"{component.name}-auth"
                secrets[auth] = RequiredSecret(auth, ("password",), f"Redis password of store {store.name}")
                tls = redis_tls_secret(plan.system, store.name)
                secrets[tls] = RequiredSecret(
                    tls,
                    tuple(REDIS_TLS_KEYS.values()),
                    f"TLS certificate of Redis store {store.name} and its Sentinels (DNS names "
                    f"{component.name}.{scope.namespace}.svc, {component.name}-sentinel.{scope.namespace}.svc; "
                    "clients verify the CA, not the name: Sentinel hands out pod IPs)",
                )
        return out

    def _cockroachdb(
        self,
        scope: RegionScope,
        store: Any,
        users: tuple[str, ...],
        others: tuple[str, ...],
        secrets: dict[str, RequiredSecret],
    ) -> str:
        from components.kubernetes.crdb_cluster import (
            CockroachCluster,
            CockroachClusterArgs,
            app_credentials_secret,
            ca_secret,
            client_tls_secret,
            node_tls_secret,
            public_host,
        )

        args, plan = self._args, self._args.plan
        component = CockroachCluster(
            scope.resource_name(store.name, "crdb"),
            CockroachClusterArgs(
                scope=scope,
                store=store,
                user_instances=users,
                peer_cidrs=others,
                storage_class=args.storage_class,
                monitoring_namespace=args.monitoring_namespace,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        one_ca = "signed by ONE CA shared by every region (the same ca.crt everywhere)"
        node = node_tls_secret(plan.system, store.name)
        secrets[node] = RequiredSecret(
            node,
            ("ca.crt", "tls.crt", "tls.key"),
            f"in namespace {component.namespace}: CockroachDB node certificate of store {store.name}, {one_ca}; "
            f"SANs: localhost, 127.0.0.1, {component.name}-public, every node's "
            f"{component.name}-<i>.{component.name}.{component.namespace}(.svc.cluster.local) and "
            f"*.{component.name}.{component.namespace}.svc.cluster.local (cockroach cert create-node)",
        )
        root = client_tls_secret(plan.system, store.name)
        secrets[root] = RequiredSecret(
            root,
            ("ca.crt", "tls.crt", "tls.key"),
            f"in namespace {component.namespace}: client certificate of user root for store {store.name}, {one_ca}",
        )
        app = app_credentials_secret(plan.system, store.name)
        secrets[app] = RequiredSecret(
            app,
            ("uri",),
            f"the agents' SQL user of store {store.name} (create it and its grants in SQL once): uri "
            f"postgresql://<user>:<password>@{public_host(plan.system, store.name, scope.region, scope.namespace)}"
            f":26257/<database>",
        )
        ca = ca_secret(plan.system, store.name)
        secrets[ca] = RequiredSecret(ca, ("ca.crt",), f"the CA certificate of store {store.name}'s nodes ({one_ca})")
        return component.name

    def _queues(self, scope: RegionScope, secrets: dict[str, RequiredSecret]) -> str | None:
        from components.kubernetes.durable_queue import DurableQueue, DurableQueueArgs, queue_names
        from components.kubernetes.message_broker import (
            BrokerUser,
            MessageBroker,
            MessageBrokerArgs,
            tls_secret,
        )

        args, plan = self._args, self._args.plan
        queues = [q for q in plan.queues if scope.region in q.regions]
        if not queues:
            return None
        users = []
        for agent in plan.agents:
            if agent.placement(scope.region) is None or not (agent.consumes or agent.produces):
                continue
            users.append(
                BrokerUser(
                    agent=agent.name,
                    instance=object_name(plan.system, agent.name),
                    writes=tuple(queue_names(plan.queue(q)).exchange for q in agent.produces),
                    reads=tuple(queue_names(plan.queue(q)).queue for q in agent.consumes),
                )
            )
        scaled = any(
            a.scale_backlog_per_replica is not None
            and a.placement(scope.region) is not None
            and any(scope.region in plan.queue(q).regions for q in a.consumes)
            for a in plan.agents
        )
        broker = MessageBroker(
            scope.resource_name("broker"),
            MessageBrokerArgs(
                scope=scope,
                users=tuple(users),
                keda=scaled,
                storage_class=args.storage_class,
                operator_namespace=args.rabbitmq_namespace,
                keda_namespace=args.keda_namespace,
                monitoring_namespace=args.monitoring_namespace,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        for queue in queues:
            DurableQueue(
                scope.resource_name(queue.name, "durable-queue"),
                DurableQueueArgs(scope=scope, queue=queue, broker=broker.name, vhost=broker.vhost),
                pulumi.ResourceOptions(parent=self, depends_on=[broker]),
            )
        tls = tls_secret(plan.system)
        secrets[tls] = RequiredSecret(
            tls,
            ("tls.crt", "tls.key", "ca.crt"),
            f"TLS certificate of the RabbitMQ broker (DNS name {broker.name}.{scope.namespace}.svc)",
        )
        return broker.name

    def _agents(
        self, scope: RegionScope, secrets: dict[str, RequiredSecret]
    ) -> Generator[str, None, list[tuple[Any, AgentWorkload]]]:
        """Each agent placed in the region, a stage each; returns the agents with their workloads."""
        from components.kubernetes.durable_queue import queue_names
        from components.kubernetes.message_broker import backlog_source, broker_wiring
        from components.kubernetes.state_store import store_wiring

        args, plan = self._args, self._args.plan
        region = scope.region
        prometheus = args.prometheus_url or f"http://prometheus-operated.{args.monitoring_namespace}.svc:9090"
        secret_names = {s.name: object_name(s.resource, limit=253) for s in plan.secrets}
        out: list[tuple[Any, AgentWorkload]] = []
        gw = plan.gateway
        for agent in plan.workloads:
            placement = agent.placement(region)
            if placement is None:
                continue
            wiring = Wiring()
            ingress_peers: tuple[Peer, ...] = ()
            external_https = args.external_https
            if gw is not None and agent.name == gateway.GATEWAY:
                # Its configuration for this region (regional endpoints), written to a file at start.
                agent = dataclasses.replace(agent, env=(*agent.env, (gateway.CONFIG_ENV, gw.config(region))))
                ingress_peers = tuple(
                    Peer((("app.kubernetes.io/instance", object_name(plan.system, c)),), (gateway.PORT,))
                    for c in gw.callers
                )
            elif gw is not None and agent.name in gw.callers:
                url = f"http://{object_name(plan.system, gateway.GATEWAY)}.{scope.namespace}.svc:{gateway.PORT}"
                wiring = wiring + Wiring(
                    env=(
                        EnvVar(gateway.URL_ENV, value=url),
                        EnvVar(gateway.OPENAI_BASE_URL_ENV, value=f"{url}/v1"),
                        *(EnvVar(k, value=v) for k, v in gateway.api_key_placeholder(agent.secrets, agent.env).items()),
                    ),
                    peers=(
                        Peer(
                            (("app.kubernetes.io/instance", object_name(plan.system, gateway.GATEWAY)),),
                            (gateway.PORT,),
                        ),
                    ),
                )
                # Its model calls go through the gateway: no HTTPS to the internet unless it calls another
                # kind of dependency (an HTTP API, an MCP server) directly.
                external_https = args.external_https and direct_dependencies(plan, agent.name)
            for used in agent.uses:
                store = plan.store(used)
                if region not in store.regions:
                    continue
                if store.engine == "cockroachdb":
                    from components.kubernetes.crdb_cluster import crdb_wiring

                    wiring = wiring + crdb_wiring(plan.system, scope.namespace, store, region)
                else:
                    primary_cidrs = plan.region(store.primary_region).pod_cidrs
                    wiring = wiring + store_wiring(plan.system, scope.namespace, store, region, primary_cidrs)
            queues = [plan.queue(q) for q in (*agent.consumes, *agent.produces)]
            in_region = [q for q in queues if region in q.regions]
            if in_region:
                wiring = wiring + broker_wiring(plan.system, scope.namespace, agent.name)
                queue_env = []
                for q in in_region:
                    names = queue_names(q)
                    prefix = f"AGENTHA_QUEUE_{env_name(q.name)}"
                    if q.name in agent.consumes:
                        queue_env.append(EnvVar(f"{prefix}_NAME", value=names.queue))
                    if q.name in agent.produces:
                        queue_env += [
                            EnvVar(f"{prefix}_EXCHANGE", value=names.exchange),
                            EnvVar(f"{prefix}_ROUTING_KEY", value=names.routing_key),
                        ]
                wiring = wiring + Wiring(env=tuple(queue_env))
            backlog = ()
            if agent.scale_backlog_per_replica is not None:
                backlog = tuple(
                    backlog_source(plan.system, scope.namespace, queue_names(plan.queue(q)).queue)
                    for q in agent.consumes
                    if region in plan.queue(q).regions
                )
            for name in agent.secrets:
                secrets[secret_names[name]] = RequiredSecret(
                    secret_names[name], ("value",), f"spec secret {name}: {plan_secret(plan, name)}"
                )
            workload = AgentWorkload(
                scope.resource_name(agent.name, "agent"),
                AgentWorkloadArgs(
                    scope=scope,
                    agent=agent,
                    placement=placement,
                    rollout=plan.rollout,
                    alarms=plan.observability.alarms,
                    wiring=wiring,
                    secret_names=tuple((n, secret_names[n]) for n in agent.secrets),
                    backlog=backlog,
                    ingress_namespace=args.ingress_namespace if agent.ingress else None,
                    monitoring_namespace=args.monitoring_namespace,
                    prometheus_url=prometheus,
                    external_https=external_https,
                    otlp_endpoint=args.otlp_endpoint,
                    dead_letter_queues=tuple(
                        queue_names(plan.queue(q)).dead_letter_queue
                        for q in agent.consumes
                        if region in plan.queue(q).regions
                    ),
                    vhost=plan.system if in_region else None,
                    ingress_peers=ingress_peers,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            out.append((agent, workload))
            yield f"agent {agent.name} in {region}"
        return out

    def _ingress(
        self, scope: RegionScope, agents: list[tuple[Any, AgentWorkload]], secrets: dict[str, RequiredSecret]
    ) -> str | None:
        from components.kubernetes.global_routing import GlobalRouting, GlobalRoutingArgs
        from components.kubernetes.ingress import AgentIngress, AgentIngressArgs

        args, plan = self._args, self._args.plan
        routing = plan.routing
        if routing is None:
            return None
        workload = next((w for a, w in agents if a.name == routing.agent), None)
        if workload is None or workload.service_name is None:
            return None
        tls = args.tls_secret_name or object_name(plan.system, "tls")
        ingress = AgentIngress(
            scope.resource_name(routing.agent, "agent-ingress"),
            AgentIngressArgs(
                scope=scope,
                routing=routing,
                service=workload.service_name,
                tls_secret_name=tls,
                ingress_class_name=args.ingress_class_name,
                private_ingress_class_name=args.private_ingress_class_name,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        secrets[tls] = RequiredSecret(tls, ("tls.crt", "tls.key"), f"TLS certificate for {routing.domain}")
        if routing.mode in ("failover", "latency"):
            GlobalRouting(
                scope.resource_name(routing.agent, "global-routing"),
                GlobalRoutingArgs(
                    scope=scope, routing=routing, ingress_name=ingress.name, primary_region=plan.primary_region.name
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[ingress]),
            )
        return ingress.name

    def _observability(self, scope: RegionScope, agents: list[tuple[Any, AgentWorkload]], has_broker: bool) -> None:
        from components.kubernetes.durable_queue import queue_names
        from components.kubernetes.message_broker import broker_name
        from components.kubernetes.observability import (
            Observability,
            ObservabilityArgs,
            WatchedAgent,
            WatchedQueue,
            WatchedStore,
        )
        from components.kubernetes.state_store import postgres_cluster_name, redis_name

        plan = self._args.plan
        obs = plan.observability
        watched = tuple(
            WatchedAgent(name=a.name, workload=w.name, service=w.service_name, planned=w.replicas) for a, w in agents
        )
        slo = tuple(w.service_name for a, w in agents if a.ingress and w.service_name)
        if not slo:
            slo = tuple(w.service_name for _, w in agents if w.service_name)
        queues = tuple(
            WatchedQueue(name=q.name, queue=queue_names(q).queue, dead_letter_queue=queue_names(q).dead_letter_queue)
            for q in plan.queues
            if scope.region in q.regions
        )
        stores = [s for s in plan.stores if scope.region in s.regions]
        Observability(
            scope.resource_name("observability"),
            ObservabilityArgs(
                scope=scope,
                agents=watched,
                alarms=obs.alarms,
                availability_objective=obs.availability_objective,
                slo_services=slo,
                queues=queues,
                vhost=plan.system if has_broker else None,
                broker=broker_name(plan.system) if has_broker else None,
                postgres_stores=tuple(
                    WatchedStore(
                        name=s.name,
                        cluster=postgres_cluster_name(plan.system, s.name, scope.region, len(s.regions) > 1),
                        primary=s.primary_region == scope.region,
                    )
                    for s in stores
                    if s.engine == "postgres"
                ),
                redis_replications=tuple(redis_name(plan.system, s.name) for s in stores if s.engine == "redis"),
                dashboard=obs.dashboard,
                gateway=self._watched_gateway(agents),
                synthetic=self._synthetic_probe(scope, agents),
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _watched_gateway(self, agents: list[tuple[Any, AgentWorkload]]) -> Any:
        from components.kubernetes.gateway_rules import WatchedGateway, WatchedProvider

        plan = self._args.plan
        gw = plan.gateway
        workload = next((w for a, w in agents if a.name == gateway.GATEWAY), None)
        if gw is None or workload is None or workload.service_name is None:
            return None
        tpm = {name: t for name, _, t in gw.rate_limits}
        threshold = plan.observability.alarms.error_rate_percent
        return WatchedGateway(
            service=workload.service_name,
            providers=tuple(
                WatchedProvider(
                    name=name,
                    timeout_s=gw.timeout(name),
                    tokens_per_minute=(t / gw.limit_regions) if (t := tpm.get(name)) else None,
                )
                for name in gw.providers
            ),
            error_ratio=(threshold if threshold is not None else 1.0) / 100,
            running=workload.replicas > 0,
        )

    def _synthetic_probe(self, scope: RegionScope, agents: list[tuple[Any, AgentWorkload]]) -> Any:
        """The synthetic transaction through this cluster's ingress controller (None where the spec
        names none, or the ingress agent runs no replica here)."""
        from components.kubernetes.observability import SyntheticProbe

        args = self._args
        routing = args.plan.routing
        syn = routing.synthetic if routing is not None else None
        if routing is None or syn is None or scope.region not in syn.regions:
            return None
        if not any(a.ingress and w.replicas > 0 for a, w in agents):
            return None
        return SyntheticProbe(
            target=f"https://{args.ingress_service}.{args.ingress_namespace}.svc{syn.path}",
            domain=routing.domain,
            method=syn.method,
            body=syn.body,
            expect_status=syn.expect_status,
            body_contains=syn.body_contains,
            interval_s=syn.interval_s,
            timeout_s=syn.timeout_s,
            failure_threshold=syn.failure_threshold,
            prober_url=args.blackbox_exporter or f"blackbox-exporter.{args.monitoring_namespace}.svc:9115",
        )

    def _chaos(self, scope: RegionScope, agents: list[tuple[Any, AgentWorkload]]) -> None:
        from components.kubernetes.chaos import ChaosDrills, ChaosDrillsArgs
        from components.kubernetes.message_broker import broker_name
        from components.kubernetes.state_store import postgres_cluster_name, redis_name

        plan = self._args.plan
        if not plan.chaos.drills or plan.chaos.schedule == "manual":
            return
        running = [(a, w) for a, w in agents if w.replicas > 0]
        # Crash a queue consumer if there is one: that drill exercises redelivery and idempotency.
        crash = next((w for a, w in running if a.consumes), running[0][1] if running else None)
        ingress = next((w for a, w in running if a.ingress), None)
        stores = [s for s in plan.stores if scope.region in s.regions]
        postgres = next((s for s in stores if s.engine == "postgres"), None)
        redis = next((s for s in stores if s.engine == "redis"), None)
        ChaosDrills(
            scope.resource_name("chaos"),
            ChaosDrillsArgs(
                scope=scope,
                drills=plan.chaos.drills,
                schedule=plan.chaos.schedule,
                zone=plan.region(scope.region).zones[0],
                crash_target=crash.name if crash else None,
                ingress_target=ingress.name if ingress else None,
                postgres_cluster=postgres_cluster_name(
                    plan.system, postgres.name, scope.region, len(postgres.regions) > 1
                )
                if postgres
                else None,
                redis_replication=redis_name(plan.system, redis.name) if redis else None,
                replicated_stores=tuple(s.name for s in stores if s.engine == "postgres" and len(s.regions) > 1),
                broker=broker_name(plan.system) if any(scope.region in q.regions for q in plan.queues) else None,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    # --- outputs ---------------------------------------------------------------------------------

    def exports(self) -> dict[str, Any]:
        """What the stack exports: per region its context and objects, and the Secrets to create."""
        self._stages.require_done()
        return {
            "kubernetes": {
                "namespace": self.namespace,
                "regions": self.regions,
                "requiredSecrets": {
                    region: [s.to_json() for s in secrets] for region, secrets in sorted(self.required_secrets.items())
                },
            }
        }


def direct_dependencies(plan: TopologyPlan, agent: str) -> bool:
    """Whether the agent calls a dependency the model gateway does not front (an HTTP API, an MCP server)."""
    return any(d.kind != "model-provider" and agent in d.callers for d in plan.dependencies)


def plan_secret(plan: TopologyPlan, name: str) -> str:
    return next((s.description for s in plan.secrets if s.name == name), "") or "set out of band"


RESERVED = naming.KUBERNETES_RESERVED
"""Names the broker's own objects (and its operator's Service) use under `<system>-`."""


def names_in_conflict(plan: TopologyPlan) -> list[str]:
    """Agents and stores whose objects would share names: an agent and a store of the same name, or
    either named like the broker."""
    agents = {a.name for a in plan.agents}
    stores = {s.name for s in plan.stores}
    out = [f"'{n}' (agent and store)" for n in sorted(agents & stores)]
    if plan.queues:
        out += [f"'{n}' (reserved for the broker)" for n in sorted((agents | stores) & set(RESERVED))]
    return out
