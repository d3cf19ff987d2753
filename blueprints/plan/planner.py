"""`plan(spec, environment) -> TopologyPlan`: pure, deterministic, no Pulumi, no clock, no network.

Decides everything that can be decided before a resource exists: per-region roles and compute
levels, per-zone subnet layout, replicas per zone (static stability through one zone's loss), where
each store's primary and replicas live, where each queue and secret lives, failover routing, names,
drills — then estimates availability, RTO and RPO against the objectives (`estimates.py`) and, for
each objective missed, the cheapest change that would meet it (`advice.py`).
"""

from __future__ import annotations

import dataclasses

from blueprints.capacity import (
    region_vpc_range,
    replicas_for_zone_loss,
    spread,
    survivors_after_zone_loss,
    synchronous_durability,
)
from blueprints.engine_versions import AURORA_POSTGRESQL_DEFAULT
from blueprints.figures import Figures, for_spec
from blueprints.plan import collector, egress, naming, timing
from blueprints.plan.aws_findings import aws_findings
from blueprints.plan.models import (
    DEV_ENVIRONMENT,
    AccessLogPlan,
    AgentPlan,
    AlarmPlan,
    BreakerPlan,
    ChaosPlan,
    DependencyPlan,
    DrillPlan,
    Finding,
    FlowLogPlan,
    GatewayPlan,
    NetworkPlan,
    ObservabilityPlan,
    Placement,
    ProbePlan,
    QueuePlan,
    RegionPlan,
    RetryPlan,
    RolloutPlan,
    RoutingPlan,
    RoutingRecord,
    SecretPlan,
    StorePlan,
    Subnet,
    SyntheticPlan,
    TaskSize,
    TopologyPlan,
    WafPlan,
)
from blueprints.plan.timing import build_timing
from blueprints.region_sets import dsql_witness_region, witness_region
from blueprints.spec.models import CLOUDWATCH_RETENTION_DAYS, Agent, HASpec, Probe, Store
from blueprints.spec.rules.stores import ALWAYS_SYNC_ENGINES, store_writes
from blueprints.units import format_duration

MULTI_REGION = ("active-passive", "active-active")
DEFAULT_STANDBY = "warm"
"""active-passive without `standby`: warm (serves `min` at once on failover; no cold start)."""

DEFAULT_INSTANCE_CLASS = {"aurora-postgresql": "db.r6g.large", "valkey": "cache.r7g.large"}
QUORUM_REPLICAS = 3
"""RabbitMQ nodes and Redis Sentinels per cluster: the smallest majority-tolerant size."""

# ALB target-group health-check bounds (interval 5-300 s, unhealthy threshold 2-10, timeout 2-120 s
# and below the interval): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
LB_INTERVAL = (5.0, 300.0)
LB_THRESHOLD = (2, 10)
LB_TIMEOUT = (2.0, 120.0)


def plan(spec: HASpec, environment: str | None = None, *, advise: bool = True) -> TopologyPlan:
    """Plan the topology of a validated spec and estimate what it delivers."""
    from blueprints.plan.estimates import estimate

    core = plan_core(spec, environment)
    figs = for_spec(spec.assumptions)
    if core.routing is not None and core.routing.mechanism == "k8gb":
        core = dataclasses.replace(
            core, routing=dataclasses.replace(core.routing, reconcile_s=figs.value("k8gb-reconcile"))
        )
    core = dataclasses.replace(core, timing=build_timing(spec, core, figs))
    core = dataclasses.replace(core, findings=core.findings + _cross_region_paths(core, figs))
    estimates = estimate(spec, core, figs)
    if advise:
        from blueprints.plan.advice import with_advice

        estimates = with_advice(spec, environment, estimates)
    drills = _drills(spec, core, estimates)
    return dataclasses.replace(core, estimates=estimates, chaos=drills)


def plan_core(spec: HASpec, environment: str | None = None) -> TopologyPlan:
    """Everything but estimates and drill expectations."""
    system = spec.metadata.name
    topo = spec.topology
    standby = (topo.standby or DEFAULT_STANDBY) if topo.pattern == "active-passive" else None
    findings: list[Finding] = []
    regions = tuple(_region(spec, i, standby, findings) for i in range(len(topo.regions)))
    agents = tuple(_agent(spec, i, regions, findings) for i in range(len(spec.agents)))
    gateway_plan = _gateway(spec, regions, findings)
    agents = egress.apply(spec, regions, agents, findings)
    stores = tuple(_store(spec, s, regions) for s in spec.stores)
    queues = tuple(_queue(spec, q.name, regions, environment) for q in spec.queues)
    secrets = tuple(
        SecretPlan(
            name=s.name,
            resource=naming.resource(system, s.name, "secret"),
            description=s.description,
            primary_region=regions[0].name if regions else "",
            replica_regions=tuple(r.name for r in regions[1:]) if topo.pattern in MULTI_REGION else (),
            users=tuple(a.name for a in spec.agents if s.name in a.secrets)
            # The model gateway reads the providers' keys; the agents calling through it need none.
            + (("model-gateway",) if any(s.name in d.secrets for d in _providers(spec)) else ()),
        )
        for s in spec.secrets
    )
    routing = _routing(spec, regions, findings)
    obs = spec.observability
    alarms = obs.alarms
    observability = ObservabilityPlan(
        topic_resource=naming.resource(system, "alerts", "topic"),
        alarms=AlarmPlan(
            error_rate_percent=alarms.error_rate_percent,
            latency_p99_s=_s(alarms.latency_p99),
            oldest_message_age_s=_s(alarms.oldest_message_age),
            dead_letters=alarms.dead_letters,
            replication_lag_s=_s(alarms.replication_lag),
            unhealthy_hosts=alarms.unhealthy_hosts,
            running_below_min=alarms.running_below_min,
            no_healthy_host=timing.healthy_host_alarm(spec),
            standby_activation=timing.standby_activation_alarm(spec),
        ),
        emails=tuple(obs.notify.email),
        tracing=obs.tracing,
        dashboard=obs.dashboard,
        availability_objective=spec.objectives.availability,
        access_logs=_access_logs(spec, environment),
        flow_logs=_flow_logs(spec, environment),
    )
    rollout = RolloutPlan(
        strategy=spec.rollout.strategy,
        steps=tuple(spec.rollout.steps),
        bake_s=spec.rollout.bake_time.total_seconds(),
        auto_rollback=spec.rollout.auto_rollback,
    )
    _network_findings(spec, findings)
    _quorum_findings(spec, regions, findings)
    _readiness_findings(spec, findings)
    findings += aws_findings(spec, regions, agents)
    primary = _primary_region_name(regions)
    ordered_regions = tuple(sorted(regions, key=lambda r: (r.name != primary, regions.index(r))))
    return TopologyPlan(
        system=system,
        environment=environment,
        target=spec.target,
        pattern=topo.pattern,
        standby=standby,
        owner=spec.metadata.owner,
        tags=tuple(sorted(spec.metadata.tags.items())),
        regions=ordered_regions,
        agents=agents,
        stores=stores,
        queues=queues,
        secrets=secrets,
        routing=routing,
        observability=observability,
        rollout=rollout,
        chaos=ChaosPlan(spec.chaos.schedule, ()),
        estimates=(),
        findings=tuple(findings),
        dependencies=_dependencies(spec),
        gateway=gateway_plan,
        image_caches=egress.caches(spec),
        zonal_autoshift=spec.target == "aws" and topo.zonal_autoshift,
    )


def _logs_on(enabled: bool | None, spec: HASpec, environment: str | None) -> bool:
    if spec.target != "aws":
        return False
    return enabled if enabled is not None else environment != DEV_ENVIRONMENT


def _access_logs(spec: HASpec, environment: str | None) -> AccessLogPlan | None:
    logs = spec.observability.access_logs
    if not _logs_on(logs.enabled, spec, environment):
        return None
    return AccessLogPlan(retention_days=round(logs.retention.total_seconds() / 86400))


def _flow_logs(spec: HASpec, environment: str | None) -> FlowLogPlan | None:
    logs = spec.observability.flow_logs
    if not _logs_on(logs.enabled, spec, environment):
        return None
    days = round(logs.retention.total_seconds() / 86400)
    return FlowLogPlan(
        retention_days=next(d for d in CLOUDWATCH_RETENTION_DAYS if d >= days),
        traffic=logs.traffic,
    )


def _s(value: object) -> float | None:
    from datetime import timedelta

    return value.total_seconds() if isinstance(value, timedelta) else None


def _primary_region_name(regions: tuple[RegionPlan, ...]) -> str:
    return next((r.name for r in regions if r.role in ("primary", "active")), regions[0].name if regions else "")


# --- regions and networks ------------------------------------------------------------------------


def _region(spec: HASpec, index: int, standby: str | None, findings: list[Finding]) -> RegionPlan:
    region = spec.topology.regions[index]
    role = region.role
    failover = spec.topology.failover
    if failover.current_primary is not None and standby is not None:
        # After a failover the region that took over is the primary, and the old primary a standby: the
        # roles every region's objects are rendered from (CloudNativePG primary, k8gb primary geo tag).
        if region.name == failover.current_primary:
            role = "primary"
        elif role == "primary":
            role = "standby"
    # Fenced (validated: kubernetes active-passive, or active-active with a single-writer PostgreSQL store):
    # returning from an outage after a failover, until its database is rebuilt as a replica.
    fenced = spec.target == "kubernetes" and region.name in failover.fenced
    if fenced:
        compute = "none"  # no agents: no traffic reaches it, nothing is consumed or written there
    elif role == "standby":
        compute = {"hot": "full", "warm": "reduced", "pilot-light": "none"}[standby or DEFAULT_STANDBY]
    else:
        compute = "full"
    return RegionPlan(
        name=region.name,
        role=role,
        zones=tuple(region.zones),
        serving=role in ("primary", "active") and not fenced,
        compute=compute,  # type: ignore[arg-type]
        network=_network(spec, index),
        fenced=fenced,
        pod_cidrs=tuple(region.pod_cidrs),
    )


def _network(spec: HASpec, index: int) -> NetworkPlan:
    region = spec.topology.regions[index]
    name = naming.resource(spec.metadata.name, "network", None, region.name)
    if spec.target != "aws":
        return NetworkPlan(name=name, cidr=None, nat="none")
    existing = spec.network.existing.get(region.name)
    if existing is not None:
        return NetworkPlan(
            name=name,
            cidr=None,
            nat=spec.network.nat,
            existing_vpc_id=existing.vpc_id,
            existing_private_subnet_ids=tuple(existing.private_subnet_ids),
            existing_public_subnet_ids=tuple(existing.public_subnet_ids),
        )
    # Each region gets the next block of the same size, so VPCs never overlap (peering stays possible).
    vpc = region_vpc_range(spec.network.cidr, index)
    slices = list(vpc.subnets(prefixlen_diff=4))  # 16 slices: private zones 0-7, public zones 8-15
    subnets: list[Subnet] = []
    for j, zone in enumerate(region.zones[:8]):
        subnets.append(Subnet(zone=zone, cidr=str(slices[j]), public=False))
        subnets.append(Subnet(zone=zone, cidr=str(slices[8 + j]), public=True))
    return NetworkPlan(name=name, cidr=str(vpc), nat=spec.network.nat, subnets=tuple(subnets))


def _network_findings(spec: HASpec, findings: list[Finding]) -> None:
    if spec.target != "aws":
        return
    if spec.network.nat == "single":
        findings.append(
            Finding(
                "warning",
                "single-nat",
                "network.nat is single: one NAT gateway serves every zone, so losing its zone cuts egress to the "
                "internet in all zones (AWS services stay reachable through VPC endpoints)",
                "set network.nat: per-zone",
                "network.nat",
            )
        )


def _quorum_findings(spec: HASpec, regions: tuple[RegionPlan, ...], findings: list[Finding]) -> None:
    if spec.target != "kubernetes":
        return
    quorum_parts = [f"queue '{q.name}' (RabbitMQ quorum)" for q in spec.queues]
    quorum_parts += [f"store '{s.name}' (Redis Sentinel)" for s in spec.stores if s.engine == "redis"]
    for index, region in enumerate(regions):
        per_zone = spread(QUORUM_REPLICAS, len(region.zones))
        survivors = survivors_after_zone_loss(per_zone)
        if quorum_parts and survivors <= QUORUM_REPLICAS // 2:
            findings.append(
                Finding(
                    "warning",
                    "quorum-zone-loss",
                    f"region {region.name} has {len(region.zones)} zone(s): {QUORUM_REPLICAS} quorum members spread "
                    f"{list(per_zone)} lose their majority with the fullest zone, which stops "
                    + ", ".join(quorum_parts),
                    f"use 3 zones in {region.name}",
                    f"topology.regions[{index}].zones",
                )
            )


# --- agents --------------------------------------------------------------------------------------


def _probe(probe: Probe | None) -> ProbePlan | None:
    if probe is None:
        return None
    return ProbePlan(
        path=probe.path,
        period_s=probe.period.total_seconds(),
        failure_threshold=probe.failure_threshold,
        timeout_s=probe.timeout.total_seconds(),
    )


def lb_health_check(readiness: ProbePlan | None) -> ProbePlan | None:
    """The load balancer's health check from the readiness probe, fitted to ALB's bounds."""
    if readiness is None:
        return None
    interval = min(max(readiness.period_s, LB_INTERVAL[0]), LB_INTERVAL[1])
    threshold = min(max(readiness.failure_threshold, LB_THRESHOLD[0]), LB_THRESHOLD[1])
    timeout = min(max(readiness.timeout_s, LB_TIMEOUT[0]), LB_TIMEOUT[1], interval - 1)
    return ProbePlan(path=readiness.path, period_s=interval, failure_threshold=threshold, timeout_s=timeout)


def agent_env(spec: HASpec, agent: Agent) -> tuple[tuple[str, str], ...]:
    """Resilience settings the agent reads from its environment (sorted, deterministic)."""
    r = agent.retries
    env: dict[str, str] = {
        "AGENTHA_SYSTEM": spec.metadata.name,
        "AGENTHA_AGENT": agent.name,
        "AGENTHA_RETRY_MAX_ATTEMPTS": str(r.max_attempts),
        "AGENTHA_RETRY_BACKOFF": r.backoff,
        "AGENTHA_RETRY_BASE_DELAY_MS": str(round(r.base_delay.total_seconds() * 1000)),
        "AGENTHA_RETRY_MAX_DELAY_MS": str(round(r.max_delay.total_seconds() * 1000)),
        "AGENTHA_RETRY_JITTER": r.jitter,
        "AGENTHA_MAX_STEP_SECONDS": f"{agent.max_step_duration.total_seconds():g}",
    }
    cb = agent.circuit_breaker
    env["AGENTHA_CIRCUIT_BREAKER_ENABLED"] = "true" if cb else "false"
    if cb is not None:
        env["AGENTHA_CIRCUIT_BREAKER_FAILURE_RATE_PERCENT"] = f"{cb.failure_rate_percent:g}"
        env["AGENTHA_CIRCUIT_BREAKER_WINDOW_SECONDS"] = f"{cb.window.total_seconds():g}"
        env["AGENTHA_CIRCUIT_BREAKER_OPEN_SECONDS"] = f"{cb.open_for.total_seconds():g}"
    if agent.idempotency is not None:
        env["AGENTHA_IDEMPOTENCY_STORE"] = agent.idempotency.store
        env["AGENTHA_IDEMPOTENCY_TTL_SECONDS"] = f"{agent.idempotency.ttl.total_seconds():g}"
    if spec.observability.tracing == "otel":
        env["OTEL_SERVICE_NAME"] = f"{spec.metadata.name}-{agent.name}"
        env["OTEL_TRACES_EXPORTER"] = "otlp"
    env.update(agent.env)
    return tuple(sorted(env.items()))


def _agent(spec: HASpec, index: int, regions: tuple[RegionPlan, ...], findings: list[Finding]) -> AgentPlan:
    return _workload(spec, spec.agents[index], f"agents[{index}]", regions, findings)


def _workload(
    spec: HASpec, agent: Agent, path: str, regions: tuple[RegionPlan, ...], findings: list[Finding]
) -> AgentPlan:
    """An agent (or the model gateway, planned like one): placements per region, probes, settings."""
    placements: list[Placement] = []
    raised_max = False
    for region in regions:
        zones = len(region.zones)
        full = (
            replicas_for_zone_loss(agent.replicas.min, zones)
            if agent.replicas.static_stability
            else max(agent.replicas.min, zones)
        )
        maximum = max(agent.replicas.max, full)
        raised_max = raised_max or maximum > agent.replicas.max
        if region.compute == "full":
            desired = full
        elif region.compute == "reduced":
            desired = max(agent.replicas.min, zones)
        else:
            desired = 0
        per_zone = tuple(spread(desired, zones))
        placements.append(
            Placement(
                region=region.name,
                zones=region.zones,
                per_zone=per_zone,
                desired=desired,
                min=desired,
                max=maximum,
                survivors_after_zone_loss=survivors_after_zone_loss(list(per_zone)),
            )
        )
    full_placement = next((p for p in placements if p.desired and p.region == _primary_region_name(regions)), None)
    if full_placement and full_placement.desired > agent.replicas.min:
        findings.append(
            Finding(
                "info",
                "static-stability",
                f"{_what(agent)}: {full_placement.desired} replicas {list(full_placement.per_zone)} per serving "
                f"region (min {agent.replicas.min}), so losing any one zone still leaves "
                f"{full_placement.survivors_after_zone_loss} serving",
                None,
                f"{path}.replicas",
            )
        )
    if raised_max:
        findings.append(
            Finding(
                "warning",
                "max-raised",
                f"{_what(agent)}: max raised to {placements[0].max} to hold the zone-loss floor",
                "raise replicas.max in the spec",
                f"{path}.replicas.max",
            )
        )
    uses = list(agent.uses)
    if agent.idempotency is not None and agent.idempotency.store not in uses:
        uses.append(agent.idempotency.store)  # the agent must be allowed to write its idempotency keys
    readiness = _probe(agent.probes.readiness) if agent.port is not None else None
    cb = agent.circuit_breaker
    r = agent.retries
    ingress = spec.ingress is not None and spec.ingress.agent == agent.name
    return AgentPlan(
        name=agent.name,
        resource=naming.resource(spec.metadata.name, agent.name),
        image=agent.image,
        port=agent.port,
        cpu=agent.cpu,
        memory_mib=agent.memory,
        liveness=_probe(agent.probes.liveness) if agent.port is not None else None,
        readiness=readiness,
        startup=_probe(agent.probes.startup) if agent.port is not None else None,
        consumes=tuple(agent.consumes),
        produces=tuple(agent.produces),
        uses=tuple(uses),
        secrets=tuple(agent.secrets),
        env=agent_env(spec, agent),
        retries=RetryPlan(
            r.max_attempts, r.backoff, r.base_delay.total_seconds(), r.max_delay.total_seconds(), r.jitter
        ),
        circuit_breaker=(
            BreakerPlan(cb.failure_rate_percent, cb.window.total_seconds(), cb.open_for.total_seconds()) if cb else None
        ),
        idempotency_store=agent.idempotency.store if agent.idempotency else None,
        idempotency_ttl_s=agent.idempotency.ttl.total_seconds() if agent.idempotency else None,
        max_step_s=agent.max_step_duration.total_seconds(),
        lb_health_check=lb_health_check(readiness),
        scale_cpu_percent=agent.scale_on.cpu_percent,
        scale_backlog_per_replica=agent.scale_on.backlog_per_replica if agent.consumes else None,
        ingress=ingress,
        public=ingress and spec.ingress is not None and spec.ingress.public,
        waf=_waf(spec) if ingress else None,
        placements=tuple(placements),
        read_only_root=agent.read_only_root,
        readiness_covers=_covers(agent),
        calls=tuple(agent.calls),
        callers=tuple(a.name for a in spec.agents if agent.name in a.calls and a.name != agent.name),
        task=_task(spec, agent),
    )


def _task(spec: HASpec, agent: Agent) -> TaskSize | None:
    """aws: the Fargate task the agent runs in, its collector sidecar included (blueprints/plan/collector.py)."""
    if spec.target != "aws":
        return None
    from blueprints.plan.gateway import GATEWAY

    sidecar = collector.runs_sidecar(spec.observability.tracing, gateway=agent.name == GATEWAY)
    return collector.task(agent.cpu, agent.memory, sidecar=sidecar)


def _providers(spec: HASpec) -> list:
    from blueprints.plan.gateway import providers

    return providers(spec)


def _gateway_needed(spec: HASpec) -> bool:
    return bool(_providers(spec))


def _what(agent: Agent) -> str:
    from blueprints.plan.gateway import GATEWAY

    return "the model gateway" if agent.name == GATEWAY else f"agent '{agent.name}'"


def _gateway(spec: HASpec, regions: tuple[RegionPlan, ...], findings: list[Finding]) -> GatewayPlan | None:
    """The model gateway (blueprints/plan/gateway.py), in every region agents run in."""
    from blueprints.plan import gateway

    if not gateway.needed(spec):
        return None
    service = _workload(spec, gateway.workload(spec), "gateway", regions, findings)
    service = dataclasses.replace(
        service,
        env=tuple(
            sorted(
                {
                    "AGENTHA_SYSTEM": spec.metadata.name,
                    "AGENTHA_AGENT": gateway.GATEWAY,
                    "HOME": "/tmp",
                    # LiteLLM's `otel` callback exports where the components point OTEL_EXPORTER_OTLP_ENDPOINT
                    # (the task's collector, the monitoring namespace's) when these say tracing is on.
                    **(
                        {"OTEL_SERVICE_NAME": f"{spec.metadata.name}-{gateway.GATEWAY}", "OTEL_TRACES_EXPORTER": "otlp"}
                        if spec.observability.tracing == "otel"
                        else {}
                    ),
                }.items()
            )
        ),
        command=gateway.command(),
        health_command=gateway.health_command(),
        uses=(spec.gateway.rate_limit_store,) if spec.gateway.rate_limit_store else (),
        callers=gateway.callers(spec),
    )
    providers = gateway.providers(spec)
    return GatewayPlan(
        service=service,
        configs=tuple((r.name, gateway.render(spec, r.name)) for r in regions),
        providers=tuple(d.name for d in providers),
        fallbacks=tuple((d.name, tuple(d.fallback)) for d in providers if d.fallback),
        callers=gateway.callers(spec),
        rate_limit_store=spec.gateway.rate_limit_store,
        retries=spec.gateway.retries,
        cooldown_s=spec.gateway.cooldown.total_seconds(),
        allowed_fails=spec.gateway.allowed_fails,
        rate_limits=tuple(
            (d.name, d.rate_limits.requests_per_minute, d.rate_limits.tokens_per_minute)
            for d in providers
            if d.rate_limits is not None
        ),
        timeouts=tuple((d.name, d.timeout.total_seconds()) for d in providers),
        limit_regions=gateway.serving_regions(spec),
    )


# --- stores, queues --------------------------------------------------------------------------------

ZONE_LOSS = {
    "dynamodb": "no effect: DynamoDB replicates every write across three zones before acknowledging it",
    "aurora-dsql": "no effect: Aurora DSQL commits every transaction to a log replicated across three zones",
    "aurora-postgresql": "Aurora promotes a reader in another zone; storage keeps six copies over three zones",
    "valkey": "ElastiCache promotes the replica with the least lag in another zone (asynchronous: may lose "
    "the last writes)",
    "postgres": "CloudNativePG promotes a standby in another zone",
    "redis": "Redis Sentinel promotes a replica in another zone (asynchronous: may lose the last writes)",
    "cockroachdb": "no write lost: a write commits on a majority of its range's replicas; the ranges whose "
    "leaseholder was in the lost zone are served by another replica once its lease expires",
}


WAF_WINDOW_S = 300
"""The rate-based rule counts each client's requests over 5 minutes (AWS WAF's default window)."""


def _waf(spec: HASpec) -> WafPlan | None:
    """The web ACL a public AWS ingress gets unless the spec turns it off."""
    ingress = spec.ingress
    if spec.target != "aws" or ingress is None or not ingress.public or not ingress.waf.enabled:
        return None
    waf = ingress.waf
    return WafPlan(
        rate_limit=waf.rate_limit,
        window_s=WAF_WINDOW_S,
        managed_rule_groups=tuple(dict.fromkeys(waf.managed_rule_groups)),
    )


def _cross_region_paths(plan: TopologyPlan, figs: Figures) -> tuple[Finding, ...]:
    """kubernetes active-active: the network path and round trip of every store reached across regions."""
    if plan.target != "kubernetes" or plan.pattern != "active-active":
        return ()
    rtt_ms = figs.value("cross-region-rtt") * 1000
    out: list[Finding] = []
    for store in plan.stores:
        if len(store.regions) < 2:
            continue
        if store.writes == "primary-region":
            others = ", ".join(store.replica_regions)
            out.append(
                Finding(
                    "info",
                    "cross-region-writes",
                    f"store '{store.name}': agents in {others} write to PostgreSQL in {store.primary_region} over the "
                    f"cross-region pod network (TLS, verify-full) and read their own region's replica; each write "
                    f"statement pays a round trip to {store.primary_region} (assumed {rtt_ms:.0f} ms, figure "
                    f"cross-region-rtt); while {store.primary_region} is lost their writes fail until a replica "
                    "region is promoted",
                    "measure the round trip between your clusters; keep write transactions short (one round trip "
                    "per statement)",
                    f"stores.{store.name}",
                )
            )
        elif store.engine == "cockroachdb":
            out.append(
                Finding(
                    "info",
                    "cross-region-writes",
                    f"store '{store.name}': CockroachDB nodes in {', '.join(store.regions)} replicate over the "
                    f"cross-region pod network (node-to-node TLS); a write commits once a replica in another region "
                    f"holds it: at least one round trip (assumed {rtt_ms:.0f} ms, figure cross-region-rtt) per "
                    "commit; a read is local only when the range's leaseholder is in the agent's region",
                    "measure the round trip between your clusters; for region-local reads and writes set table "
                    "localities in SQL (docs/kubernetes.md)",
                    f"stores.{store.name}",
                )
            )
    return tuple(out)


def _mrsc(store: Store) -> bool:
    """DynamoDB with multi-region strong consistency."""
    return store.engine == "dynamodb" and store.replication == "sync"


def _store(spec: HASpec, store: Store, regions: tuple[RegionPlan, ...]) -> StorePlan:
    system = spec.metadata.name
    multi = spec.topology.pattern in MULTI_REGION
    placed = regions if multi else regions[:1]
    primary = _primary_region_name(regions)
    serverless = store.engine in ("dynamodb", "aurora-dsql")
    current = spec.topology.failover.current_primary
    if spec.topology.pattern == "active-active" and store_writes(store, spec.target) == "primary-region" and current:
        primary = current  # kubernetes: promoted after the first region's loss (spec failover.current_primary)
    # Sized per region from its own zones: one instance per zone, 2 to 3 (a synchronous store with 3
    # instances over 3 zones keeps a standby through any zone's loss).
    floor = 3 if store.engine == "cockroachdb" else 2  # CockroachDB: one node per zone, three at least
    by_region = tuple(
        (r.name, 0 if serverless else (store.instances or max(floor, min(len(r.zones), 3)))) for r in placed
    )
    instances = min((n for _, n in by_region), default=0)
    zone_rpo = spec.objectives.disruptions.zone
    sync_in_region = store.engine == "postgres" and zone_rpo is not None and zone_rpo.rpo.total_seconds() == 0
    writes = store_writes(store, spec.target) if spec.topology.pattern == "active-active" else None
    witness: str | None = None
    if not multi:
        replication = "none"
        region_loss = "lost with the region: backups stay in the region (no copy elsewhere)"
    else:
        # Redis is never copied across regions (each region runs its own): say none, whatever the spec says.
        replication = (
            "none" if store.engine == "redis" else "sync" if store.engine in ALWAYS_SYNC_ENGINES else store.replication
        )
        names = [r.name for r in placed]
        if _mrsc(store):
            witness = witness_region(names)
        elif store.engine == "aurora-dsql":
            witness = dsql_witness_region(names)
        if replication != "sync":
            consistency = "asynchronous: the last second of writes may be lost"
        elif witness is not None:
            consistency = f"strongly consistent, with a witness in {witness}: nothing lost"
        else:
            consistency = "strongly consistent: nothing lost"
        others = ", ".join(r.name for r in placed if r.name != primary)
        if writes == "primary-region":
            copy = {
                "aurora-postgresql": "Aurora global database; the secondaries forward writes to the primary cluster",
                "postgres": "CloudNativePG replica clusters; agents elsewhere write to the primary region's service",
            }[store.engine]
            region_loss = (
                f"single writer in {primary} ({copy}): losing {primary} stops writes in every region until a "
                f"secondary ({others}) is promoted (loses the replication lag); reads go on in every other region. "
                f"Losing another region costs only its own reads"
            )
        elif store.engine == "cockroachdb":
            region_loss = (
                f"writes continue in every other region: one CockroachDB cluster over {', '.join(names)}, each "
                "range's 3 replicas in 3 different regions (the region tier of the nodes' locality), so a "
                f"region's loss leaves a majority of every range; {consistency}. Each write waits for a replica in "
                "another region (one cross-region round trip)"
            )
        else:
            region_loss = {
                "dynamodb": f"writes continue in the other regions' replicas (global table, {consistency})",
                "aurora-dsql": f"writes continue in the other region's peered cluster (Aurora DSQL multi-Region, "
                f"{consistency})",
                "aurora-postgresql": "promote the secondary cluster of the global database (loses the replication lag)",
                "valkey": "promote the secondary of the global datastore (loses the replication lag)",
                "postgres": "promote the replica cluster in the standby region (loses WAL not yet shipped)",
                "redis": "no cross-region copy: the standby region starts with its own empty Redis",
            }[store.engine]
    if spec.topology.pattern == "single-zone" and not serverless:
        zone_loss = "down with its only zone until the zone returns (single-zone pattern: no other zone)"
    elif store.engine == "postgres" and sync_in_region:
        zone_loss = "CloudNativePG promotes a synchronous standby in another zone (nothing lost)"
        if any(
            synchronous_durability(n, len(r.zones)) == "preferred" for (_, n), r in zip(by_region, placed, strict=True)
        ):
            # dataDurability `required` would stop every commit while the only standby's zone is down.
            zone_loss += (
                "; where a region has fewer than 3 instances over 3 zones, durability is `preferred`: "
                "commits go on uncopied while the standby's zone is down"
            )
    else:
        zone_loss = ZONE_LOSS[store.engine]
    return StorePlan(
        name=store.name,
        resource=naming.resource(system, store.name),
        engine=store.engine,
        primary_region=primary,
        regions=tuple(r.name for r in placed),
        zones=tuple((r.name, r.zones) for r in placed),
        replication=replication,  # type: ignore[arg-type]
        multi_writer=multi and writes == "multi-region",
        writes=writes,
        instances_per_region=instances,
        instances_by_region=by_region,
        instance_class=store.instance_class or DEFAULT_INSTANCE_CLASS.get(store.engine),
        point_in_time_recovery=store.backup.point_in_time_recovery,
        backup_retention_days=max(1, round(store.backup.retention.total_seconds() / 86400)),
        partition_key=store.keys.partition,
        sort_key=store.keys.sort,
        ttl_attribute=store.ttl_attribute,
        storage_mib=store.storage,
        cache=store.cache,
        synchronous_in_region=sync_in_region,
        users=tuple(
            a.name
            for a in spec.agents
            if store.name in a.uses or (a.idempotency is not None and a.idempotency.store == store.name)
        )
        # The model gateway keeps its shared rate-limit counters there.
        + (("model-gateway",) if spec.gateway.rate_limit_store == store.name and _gateway_needed(spec) else ()),
        on_zone_loss=zone_loss,
        on_region_loss=region_loss,
        witness_region=witness,
        engine_version=(store.engine_version or AURORA_POSTGRESQL_DEFAULT)
        if store.engine == "aurora-postgresql"
        else None,
        sentinel_down_after_s=timing.REDIS_SENTINEL_DOWN_AFTER_S if store.engine == "redis" else None,
        sentinel_failover_timeout_s=timing.REDIS_SENTINEL_FAILOVER_TIMEOUT_S if store.engine == "redis" else None,
    )


def _queue(spec: HASpec, name: str, regions: tuple[RegionPlan, ...], environment: str | None) -> QueuePlan:
    system = spec.metadata.name
    # Physical names carry the environment, so dev and prod of one system can share an account.
    scope = naming.join(system, environment)
    queue = spec.queue(name)
    assert queue is not None
    fifo = queue.ordering == "fifo"
    suffix = ".fifo" if fifo else ""
    multi = spec.topology.pattern in MULTI_REGION
    return QueuePlan(
        name=queue.name,
        resource=naming.resource(system, queue.name, "queue"),
        physical_name=naming.physical(scope, queue.name, None, "sqs", suffix=suffix),
        fifo=fifo,
        visibility_timeout_s=queue.visibility_timeout.total_seconds(),
        retention_s=queue.retention.total_seconds(),
        max_receive_count=queue.max_receive_count,
        dead_letter_resource=naming.resource(system, queue.name, "dlq"),
        dead_letter_physical_name=naming.physical(scope, queue.name, "dlq", "sqs", suffix=suffix),
        dead_letter_retention_s=queue.dead_letter.retention.total_seconds(),
        regions=tuple(r.name for r in (regions if multi else regions[:1])),
        consumers=tuple(a.name for a in spec.agents if name in a.consumes),
        producers=tuple(a.name for a in spec.agents if name in a.produces),
    )


# --- routing -------------------------------------------------------------------------------------


def _routing(spec: HASpec, regions: tuple[RegionPlan, ...], findings: list[Finding]) -> RoutingPlan | None:
    ingress = spec.ingress
    if ingress is None:
        return None
    failover = spec.topology.failover
    pattern = spec.topology.pattern
    if pattern == "active-active":
        mode = "latency"
        records = tuple(RoutingRecord(r.name, None, r.name) for r in regions)
    elif pattern == "active-passive":
        mode = "failover"
        primary = next(r for r in regions if r.role == "primary")
        standbys = [r for r in regions if r.role == "standby"]
        records = (
            RoutingRecord(primary.name, "PRIMARY", f"{primary.name}-primary"),
            RoutingRecord(standbys[0].name, "SECONDARY", f"{standbys[0].name}-secondary"),
        )
        if len(standbys) > 1:
            findings.append(
                Finding(
                    "info",
                    "extra-standby",
                    f"DNS failover has one secondary ({standbys[0].name}); standby regions "
                    f"{', '.join(r.name for r in standbys[1:])} hold replicas but take traffic only by manual change",
                    None,
                    "topology.regions",
                )
            )
    else:
        mode = "single"
        records = (RoutingRecord(regions[0].name, None, regions[0].name),)
    if timing.dns_ttl_ignored(spec):
        findings.append(
            Finding(
                "info" if failover.dns_ttl.total_seconds() == timing.ALIAS_TTL_S else "warning",
                "dns-ttl-ignored",
                f"failover.dns_ttl is {format_duration(failover.dns_ttl.total_seconds())}, but on aws the ingress "
                "records are aliases to the load balancer, which carry its fixed 60 s TTL: the setting changes nothing",
                "remove failover.dns_ttl from the spec (the region RTO counts the 60 s alias TTL)",
                "topology.failover.dns_ttl",
            )
        )
    if timing.health_check_ignored(spec):
        by = (
            "k8gb, which fails a region over on the ingress agent's endpoint readiness and its reconcile interval"
            if spec.target == "kubernetes"
            else "the 'no healthy host' CloudWatch alarm (a private ingress cannot be probed by Route 53)"
        )
        findings.append(
            Finding(
                "warning",
                "health-check-ignored",
                f"failover.health_check is set but not built: regions fail over on {by}",
                "tune the ingress agent's readiness probe instead, and remove failover.health_check",
                "topology.failover.health_check",
            )
        )
    return RoutingPlan(
        mode=mode,
        automatic=failover.mode == "automatic",
        agent=ingress.agent,
        domain=ingress.domain,  # type: ignore[arg-type]
        hosted_zone=ingress.hosted_zone.rstrip("."),
        public=ingress.public,
        health_path=failover.health_check.path,
        interval_s=float(timing.route53_request_interval(failover.health_check.interval.total_seconds())),
        failure_threshold=failover.health_check.failure_threshold,
        ttl_s=timing.client_ttl_s(spec),
        records=records,
        mechanism=timing.ingress_mechanism(spec),  # type: ignore[arg-type]
        synthetic=_synthetic(spec, regions),
    )


def _synthetic(spec: HASpec, regions: tuple[RegionPlan, ...]) -> SyntheticPlan | None:
    """The synthetic transaction, in every region where the ingress agent runs replicas (a pilot-light
    standby has none until traffic arrives: a canary there would wake it every run)."""
    ingress = spec.ingress
    synthetic = ingress.synthetic if ingress is not None else None
    if ingress is None or synthetic is None:
        return None
    interval = int(synthetic.interval.total_seconds())
    return SyntheticPlan(
        path=synthetic.path,
        method=synthetic.method,
        body=synthetic.body,
        expect_status=synthetic.expect.status,
        body_contains=synthetic.expect.body_contains,
        interval_s=interval,
        timeout_s=int(synthetic.timeout.total_seconds()),
        failure_threshold=synthetic.failure_threshold,
        failover=synthetic.failover,
        regions=tuple(r.name for r in regions if r.compute != "none"),
        alarm=timing.synthetic_alarm(interval, synthetic.failure_threshold),
    )


# --- dependencies and what readiness covers ------------------------------------------------------


def _covers(agent: Agent) -> tuple[str, ...] | None:
    readiness = agent.probes.readiness
    if agent.port is None or readiness is None or readiness.covers is None:
        return None
    return tuple(readiness.covers)


def _dependencies(spec: HASpec) -> tuple[DependencyPlan, ...]:
    from blueprints.plan.gateway import fallback_switch

    figs = for_spec(spec.assumptions)
    out = []
    for dep in spec.dependencies:
        fid = None if dep.availability is not None else f"dependency-{dep.kind}"
        switch = (
            fallback_switch(spec.gateway.retries, dep.timeout.total_seconds(), dep.name)
            if dep.kind == "model-provider" and dep.fallback
            else (None, "")
        )
        out.append(
            DependencyPlan(
                name=dep.name,
                kind=dep.kind,
                availability_percent=dep.availability.percent if dep.availability else figs.value(fid or ""),
                basis=dep.availability.basis if dep.availability else figs[fid or ""].basis,
                source=dep.availability.source if dep.availability else figs[fid or ""].source,
                figure=fid,
                fallback=tuple(dep.fallback),
                callers=tuple(dep.callers) or tuple(a.name for a in spec.agents),
                replicas=dep.replicas,
                session="stateless" if dep.stateless else ("sticky" if dep.sticky else "stateful"),
                switch_s=switch[0],
                switch_label=switch[1],
            )
        )
    return tuple(out)


def _readiness_findings(spec: HASpec, findings: list[Finding]) -> None:
    """Say when the readiness path does not state what it exercises: the estimates then assume it
    covers nothing, so an outage of a store, queue or dependency is not failed over."""
    for i, agent in enumerate(spec.agents):
        readiness = agent.probes.readiness
        if agent.port is None or readiness is None:
            continue
        parts = (
            list(agent.uses)
            + list(dict.fromkeys(agent.consumes + agent.produces))
            + [d.name for d in spec.dependencies if not d.callers or agent.name in d.callers]
        )
        if not parts:
            continue
        covered = set(readiness.covers or ())
        missing = [p for p in parts if p not in covered]
        if readiness.covers is None:
            findings.append(
                Finding(
                    "info",
                    "readiness-covers-unstated",
                    f"agent '{agent.name}': its readiness probe does not say what it exercises, so the plan assumes "
                    f"it covers none of {', '.join(parts)}: an outage of any of them leaves the agent 'ready' and "
                    "is counted in series, not failed over",
                    "list what the readiness path checks under probes.readiness.covers",
                    f"agents[{i}].probes.readiness",
                )
            )
        elif missing:
            findings.append(
                Finding(
                    "info",
                    "readiness-covers-partly",
                    f"agent '{agent.name}': its readiness probe does not cover {', '.join(missing)}; an outage of "
                    "those is counted in series, not failed over",
                    None,
                    f"agents[{i}].probes.readiness.covers",
                )
            )


# --- drills --------------------------------------------------------------------------------------


def _drills(spec: HASpec, core: TopologyPlan, estimates: tuple) -> ChaosPlan:
    from blueprints.plan.failure_modes import DRILLS, KUBERNETES_REGION_OUTAGE, KUBERNETES_REGION_OUTAGE_SINGLE_WRITER

    by_key = {(e.kind, e.disruption): e for e in estimates}
    drills = []
    replicated = any(s.engine == "postgres" and len(s.regions) > 1 for s in core.stores)
    for name in spec.chaos.drills:
        drill = DRILLS[name]
        disruption, steps = drill.disruption, drill.steps
        if name == "region-outage" and spec.target == "kubernetes" and replicated:
            steps = (
                KUBERNETES_REGION_OUTAGE_SINGLE_WRITER if core.pattern == "active-active" else KUBERNETES_REGION_OUTAGE
            )
        rto = by_key.get(("rto", disruption))
        rpo = by_key.get(("rpo", disruption))
        drills.append(
            DrillPlan(
                name=name,
                disruption=disruption,  # type: ignore[arg-type]
                target={
                    "zone": "one zone of the primary region",
                    "region": f"region {core.primary_region.name}",
                    "application": "one agent",
                }[disruption],
                expected_rto_s=rto.value if rto else None,
                expected_rpo_s=rpo.value if rpo else None,
                runbook=steps + _expect(name, core),
                expects=drill.expects.get(spec.target, ""),
            )
        )
    return ChaosPlan(schedule=spec.chaos.schedule, drills=tuple(drills))


def _expect(name: str, core: TopologyPlan) -> tuple[str, ...]:
    """What the drill should show, timed by the plan's timing record (the mechanisms as built)."""
    t = core.timing
    if t is None:
        return ()
    if name == "region-outage" and t.region_detection.mechanism != "none":
        manual = (
            f" + operator response {format_duration(t.manual_response_s)}" if t.manual_response_s is not None else ""
        )
        return (
            f"Expect (plan's timing): {t.region_detection.label} within {format_duration(t.region_detection.seconds)}"
            f"{manual}, then {t.region_switch.label} within {format_duration(t.region_switch.seconds)}; "
            "a slower drill means the deployed mechanism is not the one the plan counts.",
        )
    if name == "zone-outage" and t.zone_recovery:
        slowest = max(t.zone_recovery, key=lambda s: s.seconds)
        return (
            f"Expect (plan's timing): every part serves again within {format_duration(slowest.seconds)} "
            f"(slowest: {slowest.label}).",
        )
    return ()
