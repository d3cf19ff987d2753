"""The topology plan: small, frozen, serialisable records that components turn into resources.

Everything here is plain data in plain units (seconds, MiB, vCPU, percent), decided by the pure
planner before any resource exists: zone placement, replica counts per zone, names, failover mode,
estimates. Components read these records and never the spec models.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Disruption = Literal["zone", "region", "application"]
EstimateKind = Literal["availability", "rto", "rpo"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Subnet:
    zone: str
    cidr: str
    public: bool


@dataclass(frozen=True)
class NetworkPlan:
    """A region's network: a new VPC with per-zone subnets, or existing ids."""

    name: str
    cidr: str | None
    nat: Literal["per-zone", "single", "none"]
    subnets: tuple[Subnet, ...] = ()
    existing_vpc_id: str | None = None
    existing_private_subnet_ids: tuple[str, ...] = ()
    existing_public_subnet_ids: tuple[str, ...] = ()

    @property
    def is_existing(self) -> bool:
        return self.existing_vpc_id is not None


@dataclass(frozen=True)
class RegionPlan:
    """A region: its role, zones, whether it serves traffic now, and how much compute it runs."""

    name: str
    role: Literal["primary", "standby", "active"]
    zones: tuple[str, ...]
    serving: bool
    compute: Literal["full", "reduced", "none"]
    network: NetworkPlan
    fenced: bool = False
    """Returning from an outage after a failover (spec `topology.failover.fenced`): no agents run and its
    database copies are fenced until they are rebuilt as replicas of the current primary."""
    pod_cidrs: tuple[str, ...] = ()
    """kubernetes: the pod address ranges of this region's cluster, routable from the other regions' clusters
    (spec `topology.regions[].pod_cidrs`): what cross-region stores admit and agents may reach."""


@dataclass(frozen=True)
class ProbePlan:
    path: str
    period_s: float
    failure_threshold: int
    timeout_s: float


@dataclass(frozen=True)
class Placement:
    """An agent's replicas in one region: per zone (same order as the region's zones) and bounds."""

    region: str
    zones: tuple[str, ...]
    per_zone: tuple[int, ...]
    desired: int
    min: int
    max: int
    survivors_after_zone_loss: int


@dataclass(frozen=True)
class RetryPlan:
    max_attempts: int
    backoff: str
    base_delay_s: float
    max_delay_s: float
    jitter: str


@dataclass(frozen=True)
class BreakerPlan:
    failure_rate_percent: float
    window_s: float
    open_for_s: float


@dataclass(frozen=True)
class WafPlan:
    """The AWS WAF web ACL on a public ingress's load balancers (spec `ingress.waf`)."""

    rate_limit: int
    """Requests per client IP per `window_s` before the rate-based rule blocks it."""
    window_s: int
    managed_rule_groups: tuple[str, ...]


@dataclass(frozen=True)
class CachedImage:
    """An image pulled through an ECR pull-through cache: the task names
    `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<path>` (blueprints/plan/egress.py)."""

    prefix: str
    path: str
    """Repository and tag (or digest) after the upstream registry's host, e.g. acme/support-agent:1.8.0."""


@dataclass(frozen=True)
class ImageCachePlan:
    """One ECR pull-through cache rule, built in every region (spec network.image_cache)."""

    registry: str
    upstream_url: str
    """The rule's upstream registry URL (docker.io's is registry-1.docker.io)."""
    prefix: str
    credential: str | None
    """Secrets Manager secret name the user creates in every region; None for anonymous upstreams."""


@dataclass(frozen=True)
class TaskSize:
    """aws: the Fargate task an agent (or the gateway) runs in, as the task definition states it
    (blueprints/plan/collector.py `task`): the spec's size is the agent container's own, and the ADOT collector
    sidecar's memory comes on top, rounded up to a size Fargate offers."""

    cpu_units: int
    """The task's CPU (1024 = 1 vCPU)."""
    memory_mib: int
    """The task's memory."""
    collector: bool
    """Whether an ADOT collector sidecar shares the task (tracing otel; the gateway's metrics always)."""

    @property
    def vcpu(self) -> float:
        return self.cpu_units / 1024


@dataclass(frozen=True)
class AgentPlan:
    """One agent: image and size, probes, what it touches, and its placements per region."""

    name: str
    resource: str
    image: str
    port: int | None
    cpu: float
    memory_mib: int
    liveness: ProbePlan | None
    readiness: ProbePlan | None
    startup: ProbePlan | None
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    uses: tuple[str, ...]
    secrets: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    retries: RetryPlan
    circuit_breaker: BreakerPlan | None
    idempotency_store: str | None
    idempotency_ttl_s: float | None
    max_step_s: float
    lb_health_check: ProbePlan | None
    scale_cpu_percent: int | None
    scale_backlog_per_replica: int | None
    ingress: bool
    public: bool
    placements: tuple[Placement, ...]
    read_only_root: bool = True
    readiness_covers: tuple[str, ...] | None = None
    """Stores, queues and dependencies the readiness path exercises (spec `probes.readiness.covers`);
    None: not stated, and the estimates assume it covers nothing."""
    calls: tuple[str, ...] = ()
    """Agents this one calls (spec `calls`)."""
    waf: WafPlan | None = None
    """aws public ingress with `ingress.waf.enabled`: the web ACL on its load balancers."""
    callers: tuple[str, ...] = ()
    """Agents that call this one; on aws an agent with callers (or the ingress) gets a load balancer."""
    command: tuple[str, ...] = ()
    """Replaces the image's entrypoint when set (the model gateway writes its configuration, then starts)."""
    health_command: tuple[str, ...] = ()
    """aws: the container health check's command when the image cannot be assumed to have curl or wget."""
    image_cache: CachedImage | None = None
    """aws: the agent's image comes through this ECR pull-through cache instead of its upstream registry."""
    collector_image_cache: CachedImage | None = None
    """aws: the trace collector sidecar's image comes through this cache."""
    task: TaskSize | None = None
    """aws: the Fargate task size the task definition states (the agent's size plus the collector sidecar's);
    None on kubernetes, where the collector is not in the pod."""
    narrow_egress: bool = False
    """aws: its tasks get no HTTPS to the internet, only to the region's VPC endpoints, the S3 (and DynamoDB)
    prefix lists and what the topology names (the gateway, stores, called agents). Why not, when not: the
    plan's egress finding for the agent."""

    def placement(self, region: str) -> Placement | None:
        return next((p for p in self.placements if p.region == region), None)


@dataclass(frozen=True)
class StorePlan:
    """A state store: engine, where its primary and replicas live, and what happens on loss."""

    name: str
    resource: str
    engine: str
    primary_region: str
    regions: tuple[str, ...]
    zones: tuple[tuple[str, tuple[str, ...]], ...]
    replication: Literal["async", "sync", "none"]
    multi_writer: bool
    instances_per_region: int
    instance_class: str | None
    point_in_time_recovery: bool
    backup_retention_days: int
    partition_key: str
    sort_key: str | None
    ttl_attribute: str | None
    storage_mib: int
    cache: bool
    synchronous_in_region: bool
    users: tuple[str, ...]
    on_zone_loss: str
    on_region_loss: str
    witness_region: str | None = None
    """DynamoDB strong consistency over two regions: the third region of their set that holds the
    witness (no replica, a vote in the quorum that lets either region go on alone)."""
    engine_version: str | None = None
    """aurora-postgresql: the major (AWS's default minor at creation) or major.minor to create."""
    sentinel_down_after_s: float | None = None
    """redis: how long Sentinel waits before it calls the master down (down-after-milliseconds), as
    built; the zone RTO counts this value (blueprints/plan/timing.py)."""
    sentinel_failover_timeout_s: float | None = None
    """redis: Sentinel's failover-timeout, as built (bounds a stuck failover attempt)."""
    instances_by_region: tuple[tuple[str, int], ...] = ()
    """Instances in each region, sized from that region's own zones (`instances_per_region` is the
    smallest of them)."""
    writes: Literal["multi-region", "primary-region"] | None = None
    """active-active only: `multi-region` (every region writes: DynamoDB global tables, Aurora DSQL
    multi-Region) or `primary-region` (one writer region, `primary_region`; the others read a replica
    and send writes there: Aurora write forwarding, or the agents connect to the primary's service)."""

    @property
    def replica_regions(self) -> tuple[str, ...]:
        return tuple(r for r in self.regions if r != self.primary_region)

    def zones_in(self, region: str) -> tuple[str, ...]:
        return dict(self.zones).get(region, ())

    def instances_in(self, region: str) -> int:
        return dict(self.instances_by_region).get(region, self.instances_per_region)


@dataclass(frozen=True)
class QueuePlan:
    """A durable queue and its dead-letter queue, present in every planned region."""

    name: str
    resource: str
    physical_name: str
    fifo: bool
    visibility_timeout_s: float
    retention_s: float
    max_receive_count: int
    dead_letter_resource: str
    dead_letter_physical_name: str
    dead_letter_retention_s: float
    regions: tuple[str, ...]
    consumers: tuple[str, ...]
    producers: tuple[str, ...]


@dataclass(frozen=True)
class SecretPlan:
    name: str
    resource: str
    description: str
    primary_region: str
    replica_regions: tuple[str, ...]
    users: tuple[str, ...]


@dataclass(frozen=True)
class HealthAlarmTiming:
    """The "no healthy host" alarm a private AWS ingress fails a region over on (Route 53 reads it
    through a `CLOUDWATCH_METRIC` health check). Decided once by `blueprints.plan.timing`; the
    component builds exactly these values and the region RTO counts exactly these."""

    metric: str
    period_s: int
    evaluation_periods: int
    datapoints: int


@dataclass(frozen=True)
class DependencyPlan:
    """An external service the agents call (spec `dependencies`), with its availability figure."""

    name: str
    kind: str
    availability_percent: float
    basis: str
    source: str | None
    figure: str | None
    """The data table's figure id when the spec gives no availability of its own."""
    fallback: tuple[str, ...]
    callers: tuple[str, ...]
    replicas: int = 1
    """mcp-server: instances behind its load balancer."""
    session: Literal["stateful", "stateless", "sticky"] = "stateful"
    """mcp-server: whether any instance may answer any request (stateless), the load balancer keeps a session
    on one instance (sticky), or neither is stated (stateful)."""
    switch_s: float | None = None
    """model-provider with a fallback, behind the model gateway: how long its calls go unanswered when it fails
    before the gateway answers from the fallback (blueprints/plan/gateway.py `fallback_switch`). None: nothing
    the blueprint builds times the switch (an agent's own fallback to an http-api or mcp-server)."""
    switch_label: str = ""


@dataclass(frozen=True)
class GatewayPlan:
    """The model gateway (LiteLLM proxy) every region with agents runs in front of the model providers
    (blueprints/plan/gateway.py): its workload, planned like an agent's, and its configuration per region."""

    service: AgentPlan
    """The gateway's workload: image, port, probes, placements per region, the provider keys it reads."""
    configs: tuple[tuple[str, str], ...]
    """(region, LiteLLM config YAML): regional endpoints differ between regions."""
    providers: tuple[str, ...]
    """Model-provider dependencies it routes, in the spec's order."""
    fallbacks: tuple[tuple[str, tuple[str, ...]], ...]
    """(dependency, its fallbacks in order)."""
    callers: tuple[str, ...]
    """Agents that call a model provider: they get the gateway's address and may reach it."""
    rate_limit_store: str | None
    """The valkey/redis store holding shared rate-limit counters (None: each replica enforces its share)."""
    retries: int
    """Retries of one call on the same provider before its fallback (LiteLLM num_retries)."""
    cooldown_s: float
    allowed_fails: int
    rate_limits: tuple[tuple[str, int | None, int | None], ...] = ()
    """(dependency, requests per minute, tokens per minute) as the spec states the provider's quota."""
    timeouts: tuple[tuple[str, float], ...] = ()
    """(dependency, seconds one attempt may take)."""
    limit_regions: int = 1
    """Regions whose gateways share each provider's quota at once (all of an active-active topology)."""

    def timeout(self, provider: str) -> float:
        return dict(self.timeouts).get(provider, 60.0)

    def config(self, region: str) -> str:
        return dict(self.configs)[region]


@dataclass(frozen=True)
class RoutingRecord:
    region: str
    failover_role: Literal["PRIMARY", "SECONDARY"] | None
    set_identifier: str


@dataclass(frozen=True)
class SyntheticPlan:
    """The ingress agent's synthetic transaction (spec `ingress.synthetic`), run in every region where the
    ingress agent has replicas: a CloudWatch Synthetics canary (aws) or a blackbox-exporter Probe
    (kubernetes). `alarm` is decided by `blueprints.plan.timing`; the components build exactly it."""

    path: str
    method: str
    body: str | None
    expect_status: int
    body_contains: str | None
    interval_s: int
    timeout_s: int
    failure_threshold: int
    failover: bool
    """aws: the region's Route 53 failover health check includes the synthetic alarm."""
    regions: tuple[str, ...]
    alarm: HealthAlarmTiming


@dataclass(frozen=True)
class RoutingPlan:
    """How users reach the ingress agent: one region, failover records or latency records."""

    mode: Literal["single", "failover", "latency"]
    automatic: bool
    agent: str
    domain: str
    hosted_zone: str
    public: bool
    health_path: str
    interval_s: float
    """Route 53 HTTPS check request interval as built (10 or 30 s); public AWS ingress only."""
    failure_threshold: int
    ttl_s: float
    """The TTL clients cache the answer for, as built: 60 s on AWS (alias records to a load balancer
    take the load balancer's fixed TTL), k8gb's `dnsTtlSeconds` on Kubernetes."""
    records: tuple[RoutingRecord, ...]
    mechanism: Literal["route53-https", "route53-alarm", "k8gb", "none"] = "none"
    """What decides that a region is unhealthy, as the components build it."""
    reconcile_s: float | None = None
    """k8gb's reconcile interval (`reconcileRequeueSeconds`) the plan assumes; Kubernetes only."""
    synthetic: SyntheticPlan | None = None
    """The synthetic transaction through the ingress, per region (None when the spec names none)."""


@dataclass(frozen=True)
class AlarmPlan:
    error_rate_percent: float | None
    latency_p99_s: float | None
    oldest_message_age_s: float | None
    dead_letters: int | None
    replication_lag_s: float | None
    unhealthy_hosts: bool
    running_below_min: bool
    no_healthy_host: HealthAlarmTiming | None = None
    """The alarm a private AWS ingress fails over on (None where nothing fails over on it)."""
    standby_activation: HealthAlarmTiming | None = None
    """aws pilot light: the alarms that scale the standby from zero when requests or messages reach it."""


DEV_ENVIRONMENT = "dev"
"""The environment in which load balancer access logs and VPC flow logs are off unless the spec turns them on
(the planner's default and the policy rules that require them read the same name)."""


@dataclass(frozen=True)
class AccessLogPlan:
    """Access logs of the application load balancers (spec `observability.access_logs`), aws only."""

    retention_days: int
    """S3 expires a log file this many days after it is written."""


@dataclass(frozen=True)
class FlowLogPlan:
    """Flow logs of each new VPC (spec `observability.flow_logs`), aws only."""

    retention_days: int
    """A retention period CloudWatch Logs accepts (the spec's, rounded up)."""
    traffic: Literal["ALL", "ACCEPT", "REJECT"]


@dataclass(frozen=True)
class ObservabilityPlan:
    topic_resource: str
    alarms: AlarmPlan
    emails: tuple[str, ...]
    tracing: str
    dashboard: bool
    availability_objective: float
    access_logs: AccessLogPlan | None = None
    """None: no load balancer writes access logs (off in the spec, the `dev` environment, or target kubernetes)."""
    flow_logs: FlowLogPlan | None = None
    """None: no VPC flow logs (off in the spec, the `dev` environment, or target kubernetes)."""


@dataclass(frozen=True)
class RolloutPlan:
    strategy: Literal["rolling", "canary", "blue-green", "linear"]
    steps: tuple[int, ...]
    bake_s: float
    auto_rollback: bool


@dataclass(frozen=True)
class DrillPlan:
    """A chaos drill with what it breaks, the recovery it should show, and a runbook."""

    name: str
    disruption: Disruption
    target: str
    expected_rto_s: float | None
    expected_rpo_s: float | None
    runbook: tuple[str, ...]
    expects: str = ""
    """What the drill expects to see on this target (blueprints/plan/failure_modes.py): the hypothesis
    the AWS FIS template's description carries and the runbook page quotes."""


@dataclass(frozen=True)
class ChaosPlan:
    schedule: str
    drills: tuple[DrillPlan, ...]


@dataclass(frozen=True)
class Term:
    """One input of an estimate: a figure from the data table, the spec, or the plan."""

    label: str
    value: float | None
    unit: Literal["percent", "seconds", "count"]
    figure: str | None = None
    source: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class Step:
    """One timed step of a recovery: what it is, how long, which built mechanism sets it, and the
    inputs (figures, spec values, built settings) it is computed from."""

    label: str
    seconds: float
    mechanism: str
    terms: tuple[Term, ...] = ()
    part: str | None = None
    """What recovers (`agent:<name>`, `store:<name>`, `queue:<name>`), so that the blast radius and the
    runbooks read a component's own step instead of matching labels."""


@dataclass(frozen=True)
class TimingPlan:
    """Every detection, switch and recovery time of the plan, from the mechanisms the components
    build (`blueprints.plan.timing`). Estimates, drills and runbooks read these; so do the
    components' settings (the same records sit on RoutingPlan / AlarmPlan)."""

    region_detection: Step
    """Time from a region failing until the routing layer calls it unhealthy."""
    region_switch: Step
    """Time from detection until clients are moved (DNS answer changed and cached answers expired)."""
    manual_response_s: float | None
    """Operator response before the switch when failover is manual; None when automatic."""
    store_promotion: tuple[Step, ...] = ()
    """Per store that needs promoting in another region (explicit action + the engine's promotion)."""
    zone_recovery: tuple[Step, ...] = ()
    """Per agent, store and queue: time until it serves again after one zone is lost."""
    standby_start: Step | None = None
    """A pilot-light standby's compute starting from zero (runs beside the DNS switch)."""
    notes: tuple[str, ...] = ()
    """What the timing rests on that a reader should know (settings that do nothing, assumptions)."""
    switch_plan: tuple[Step, ...] = ()
    """aws multi-region: the failover workflow of the ARC Region switch plan the stack builds
    (blueprints/plan/region_switch.py), step by step; a store's promotion counts these steps."""

    @property
    def region_failover_s(self) -> float:
        """Detection + operator response (manual) + switch: how long clients are not served."""
        return self.region_detection.seconds + (self.manual_response_s or 0.0) + self.region_switch.seconds


@dataclass(frozen=True)
class Estimate:
    """An availability, RTO or RPO estimate, shown with its formula, inputs and assumptions.

    `value` is None when the topology cannot recover from the disruption at all (unbounded).
    """

    kind: EstimateKind
    disruption: Disruption | None
    value: float | None
    objective: float | None
    formula: str
    terms: tuple[Term, ...]
    assumptions: tuple[str, ...]
    suggestion: str | None = None

    @property
    def met(self) -> bool | None:
        if self.objective is None:
            return None
        if self.value is None:
            return False
        return self.value >= self.objective if self.kind == "availability" else self.value <= self.objective

    @property
    def margin(self) -> float | None:
        """How far inside (positive) or outside (negative) the objective; None without one."""
        if self.objective is None or self.value is None:
            return None
        return self.value - self.objective if self.kind == "availability" else self.objective - self.value


@dataclass(frozen=True)
class Finding:
    """Something the planner decided or noticed that a person should know."""

    severity: Severity
    code: str
    message: str
    fix: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class TopologyPlan:
    """The whole plan: deterministic for a given spec and environment."""

    system: str
    environment: str | None
    target: Literal["aws", "kubernetes"]
    pattern: str
    standby: str | None
    owner: str | None
    tags: tuple[tuple[str, str], ...]
    regions: tuple[RegionPlan, ...]
    agents: tuple[AgentPlan, ...]
    stores: tuple[StorePlan, ...]
    queues: tuple[QueuePlan, ...]
    secrets: tuple[SecretPlan, ...]
    routing: RoutingPlan | None
    observability: ObservabilityPlan
    rollout: RolloutPlan
    chaos: ChaosPlan
    estimates: tuple[Estimate, ...]
    findings: tuple[Finding, ...] = field(default=())
    zonal_autoshift: bool = False
    """aws: ARC zonal autoshift on the load balancers (spec topology.zonal_autoshift)."""
    timing: TimingPlan | None = None
    """Detection, switch and recovery times (set by the planner; None only inside the planner)."""
    dependencies: tuple[DependencyPlan, ...] = ()
    """External services the agents call, with the availability figure each rests on."""
    gateway: GatewayPlan | None = None
    """The model gateway in front of the model providers (None when the agents call none)."""
    image_caches: tuple[ImageCachePlan, ...] = ()
    """aws: ECR pull-through cache rules built in every region (spec network.image_cache)."""

    @property
    def primary_region(self) -> RegionPlan:
        return next(r for r in self.regions if r.role in ("primary", "active"))

    def region(self, name: str) -> RegionPlan:
        return next(r for r in self.regions if r.name == name)

    def agent(self, name: str) -> AgentPlan:
        return next(a for a in self.agents if a.name == name)

    @property
    def workloads(self) -> tuple[AgentPlan, ...]:
        """The agents and, when there is one, the model gateway (built like an agent)."""
        return self.agents + ((self.gateway.service,) if self.gateway is not None else ())

    def workload(self, name: str) -> AgentPlan:
        """An agent, or the model gateway's workload, by name."""
        return next(a for a in self.workloads if a.name == name)

    def store(self, name: str) -> StorePlan:
        return next(s for s in self.stores if s.name == name)

    def queue(self, name: str) -> QueuePlan:
        return next(q for q in self.queues if q.name == name)

    @property
    def objectives_met(self) -> bool:
        return all(e.met is not False for e in self.estimates)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (estimates carry `met` and `margin` too, timing its `region_failover_s`)."""
        data = dataclasses.asdict(self)
        data["tags"] = dict(self.tags)
        for est, raw in zip(self.estimates, data["estimates"], strict=True):
            raw["met"] = est.met
            raw["margin"] = est.margin
        for agent in data["agents"]:
            agent["env"] = dict(agent["env"])
        for store in data["stores"]:
            store["zones"] = {r: list(z) for r, z in store["zones"]}
        if self.timing is not None:
            data["timing"]["region_failover_s"] = self.timing.region_failover_s
        return data
