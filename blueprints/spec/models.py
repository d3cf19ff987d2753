"""The HA spec: the one YAML document a team writes (apiVersion agentha.dev/v1, kind HASpec).

Every field has a docstring (it becomes the JSON Schema description and editor hover text), a unit
where it has one, and a default where a safe one exists. Unknown fields are rejected everywhere, so
a misspelt key is an error instead of a silently ignored setting.

These models check each field on its own; relations between fields (a zone that belongs to
another region, a queue an agent names but nobody declares) are checked by `blueprints.spec.rules`,
which report every problem at once with its position in the file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from blueprints.spec.docstrings import attribute_docstrings
from blueprints.spec.types import Cpu, DnsName, Duration, MemoryMiB, Percent, SystemName
from blueprints.units import format_duration

SPEC_API_VERSION = "agentha.dev/v1"

Target = Literal["aws", "kubernetes"]
Pattern = Literal["single-zone", "multi-zone", "active-passive", "active-active"]
Standby = Literal["pilot-light", "warm", "hot"]
RegionRole = Literal["primary", "standby", "active"]
Engine = Literal["dynamodb", "aurora-postgresql", "aurora-dsql", "valkey", "postgres", "redis", "cockroachdb"]
Writes = Literal["multi-region", "primary-region"]
DependencyKind = Literal["model-provider", "http-api", "mcp-server"]
FigureBasis = Literal["published", "secondary", "assumption"]
Drill = Literal["zone-outage", "region-outage", "agent-crash", "store-failover", "queue-outage", "network-latency"]

AWS_ENGINES: tuple[str, ...] = ("dynamodb", "aurora-postgresql", "aurora-dsql", "valkey")
KUBERNETES_ENGINES: tuple[str, ...] = ("postgres", "redis", "cockroachdb")


class Model(BaseModel):
    """Base for every spec model: unknown fields rejected, field docstrings become descriptions."""

    # Field docstrings are read once for the whole module (`attribute_docstrings`), not by pydantic's
    # `use_attribute_docstrings`, which tokenizes each class's source again and walks the import
    # frames (0.05 s of every `validate`). pydantic is told to wait with the schema until they are
    # set; it is then built at once, as before (built on first use instead, each nested model's
    # schema is built again on its own: 0.08 s more).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        docs = attribute_docstrings(cls)
        for name, info in cls.__pydantic_fields__.items():
            if info.description is None and name in docs:
                info.description = docs[name]
        cls.model_rebuild(raise_errors=False, _parent_namespace_depth=0)


class Metadata(Model):
    """Who owns the system and what its resources are called and tagged."""

    name: SystemName
    """DNS-safe name of the system, starting with a letter; the prefix of every resource name (at most 40
    characters)."""
    owner: str | None = None
    """Team that owns the system; added as a tag on every resource."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags (AWS) or labels (Kubernetes) put on every resource."""


class RecoveryObjective(Model):
    """How fast service must return (RTO) and how much recent data may be lost (RPO)."""

    rto: Duration
    """Recovery time objective: longest acceptable time until service is back after this disruption."""
    rpo: Duration
    """Recovery point objective: longest acceptable window of acknowledged writes lost (0s = none)."""


class Disruptions(Model):
    """Recovery objectives per kind of disruption; leave one out when it is not an objective."""

    zone: RecoveryObjective | None = None
    """Loss of one availability zone in a region."""
    region: RecoveryObjective | None = None
    """Loss of a whole region. Leave out (or set null in an environment) when not an objective."""
    application: RecoveryObjective | None = None
    """A bad deploy or crash loop of an agent."""


class Objectives(Model):
    """What the system must deliver: an availability SLO and recovery objectives."""

    availability: Annotated[float, Field(ge=90, lt=100)] = 99.9
    """Availability SLO in percent over a 30-day window (90 ≤ value < 100)."""
    disruptions: Disruptions = Field(default_factory=Disruptions)
    """Recovery objectives (RTO/RPO) per disruption type."""


class HealthCheck(Model):
    """How each region's endpoint is probed to decide failover: read by the Route 53 HTTPS check of a
    public ingress on aws only. A private aws ingress fails over on the "no healthy host" CloudWatch
    alarm, and k8gb on the ingress agent's readiness; the plan warns when this is set but not built."""

    path: str = "/readyz"
    """HTTP path probed on each region's endpoint to decide failover."""
    interval: Duration = timedelta(seconds=10)
    """Time between health checks (Route 53 allows 10s or 30s)."""
    failure_threshold: Annotated[int, Field(ge=1, le=10)] = 3
    """Consecutive failed checks before an endpoint is considered unhealthy (1-10)."""


class Failover(Model):
    """How traffic moves from a lost region to another one."""

    mode: Literal["automatic", "manual"] = "automatic"
    """automatic: DNS fails over on health checks; manual: an operator promotes the standby."""
    health_check: HealthCheck = Field(default_factory=HealthCheck)
    """How each region's endpoint is probed."""
    dns_ttl: Duration = timedelta(seconds=60)
    """kubernetes: TTL of k8gb's answers (the Gslb's dnsTtlSeconds); clients may keep an old answer this long.
    aws: changes nothing (alias records to a load balancer keep its fixed 60 s TTL; the plan says so)."""
    manual_response: Duration = timedelta(minutes=15)
    """manual mode only: time for an operator to notice and act (used in the RTO estimate)."""
    current_primary: str | None = None
    """kubernetes, active-passive: the region whose database takes writes NOW, when a failover moved it away
    from the region with `role: primary` (set it in the environment that failed over). Every region's
    manifests then name it as the CloudNativePG primary and the k8gb primary geo tag; render all regions
    again after changing it. Leave unset while the `role: primary` region is the primary. kubernetes,
    active-active: the region whose PostgreSQL takes the writes of `writes: primary-region` stores after a
    promotion (default: the first region); every region's agents then write there."""
    fenced: list[str] = Field(default_factory=list)
    """kubernetes, active-passive: regions returning from an outage after a failover. A fenced region runs no
    agents (so it receives no traffic and consumes nothing) and its PostgreSQL instances are fenced (not
    running) while CloudNativePG demotes them to a read-only replica of the current primary: nothing writes
    there. Rebuild its database as a replica, then remove it from this list (see the FAILOVER.md that
    `render` writes). kubernetes, active-active with a `writes: primary-region` PostgreSQL store: the old
    writer region returning after `current_primary` moved the writes, the same way (it serves again once
    unfenced)."""


class Region(Model):
    """A region the system runs in, its role and its availability zones."""

    name: str = Field(min_length=1)
    """Region name (us-east-1 on AWS; the cluster's region or a name of your choice on Kubernetes)."""
    role: RegionRole = "primary"
    """primary (takes writes), standby (active-passive failover target) or active (active-active)."""
    zones: list[str] = Field(default_factory=list)
    """Availability zones used in this region, e.g. [us-east-1a, us-east-1b, us-east-1c]."""
    pod_cidrs: list[Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]] = Field(default_factory=list)
    """kubernetes, active-active with a cross-region store (cockroachdb, or postgres with `writes:
    primary-region`): the pod address ranges of this region's cluster, routable from the other regions'
    clusters (a flat pod network: peered VPCs with VPC-native pods, Cilium ClusterMesh). The stores'
    NetworkPolicies admit them and the agents may reach them; see docs/kubernetes.md for the DNS part."""


class Topology(Model):
    """The deployment pattern, its regions and zones, and failover between regions."""

    pattern: Pattern = "multi-zone"
    """single-zone, multi-zone (one region), active-passive or active-active (several regions)."""
    standby: Standby | None = None
    """active-passive only: pilot-light (no compute), warm (reduced compute) or hot (full compute)."""
    regions: list[Region] = Field(min_length=1)
    """The regions used and each one's zones. An environment override replaces this list whole."""
    failover: Failover = Field(default_factory=Failover)
    """How traffic moves between regions."""
    zonal_autoshift: bool = False
    """aws: let AWS shift traffic away from a zone it sees impaired (ARC zonal autoshift) on the load
    balancers, with weekly practice runs guarded by the SLO alarms. Zonal shift by hand is always on."""


class SyntheticExpect(Model):
    """What a synthetic transaction's answer must be for the run to pass."""

    status: Annotated[int, Field(ge=100, le=599)] = 200
    """HTTP status the answer must have."""
    body_contains: str | None = Field(default=None, min_length=1)
    """Text the answer's body must contain (e.g. a field of the agent's reply); unset: any body."""


SYNTHETIC_MAX_TIMEOUT_S = 840
"""A CloudWatch Synthetics run may last at most 14 minutes (and no longer than its interval)."""


class SyntheticTransaction(Model):
    """A scheduled request to the ingress agent, through its load balancer, in every serving region: a
    CloudWatch Synthetics canary on aws, a blackbox-exporter `Probe` on kubernetes. It exercises the real
    agent path end to end and detects what load-balancer metrics cannot: a total outage in which no request
    reaches a target."""

    path: str = Field(pattern=r"^/")
    """HTTP path of the agent transaction to exercise, e.g. /v1/chat (not only a health path)."""
    method: Literal["GET", "POST"] = "GET"
    """HTTP method of the request."""
    body: str | None = None
    """POST only: the request body, sent as application/json (a fixed test conversation; no secrets)."""
    expect: SyntheticExpect = Field(default_factory=SyntheticExpect)
    """What the answer must be."""
    interval: Duration = timedelta(minutes=1)
    """Time between runs, in whole minutes (1m-60m). Each run is billed (see docs/aws.md)."""
    timeout: Duration = timedelta(seconds=30)
    """How long one run may take before it fails (15s and more, at most the interval)."""
    failure_threshold: Annotated[int, Field(ge=1, le=10)] = 2
    """Consecutive failed runs before the region's synthetic alarm fires (1-10)."""
    failover: bool = True
    """The region's DNS failover health check includes the synthetic alarm (aws), so a region whose agent
    transaction fails is failed over even while its load balancer answers. false: alarm only."""

    @field_validator("interval")
    @classmethod
    def _whole_minutes(cls, value: timedelta) -> timedelta:
        seconds = value.total_seconds()
        if seconds < 60 or seconds > 3600 or seconds % 60:
            raise ValueError(
                f"interval must be whole minutes from 1m to 60m (a canary schedule is `rate(N minutes)`), got "
                f"{seconds:g}s; write e.g. 1m or 5m"
            )
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout_fits(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        seconds = value.total_seconds()
        interval = info.data.get("interval")
        limit = min(SYNTHETIC_MAX_TIMEOUT_S, interval.total_seconds()) if interval else SYNTHETIC_MAX_TIMEOUT_S
        if seconds < 15 or seconds > limit:
            raise ValueError(
                f"timeout must be from 15s (a run starts cold) to {limit:g}s (the interval, at most 14m), got "
                f"{seconds:g}s"
            )
        return value

    @field_validator("body")
    @classmethod
    def _body_needs_post(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("method") != "POST":
            raise ValueError("a body is sent with POST only: set `method: POST`, or remove `body`")
        return value


WAF_MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


class Waf(Model):
    """aws: the web application firewall in front of a public ingress: an AWS WAF web ACL on each
    region's load balancer, with AWS managed rule groups and a per-client rate limit."""

    enabled: bool = True
    """Build the web ACL for a public ingress (on by default: every call to a public agent costs model
    tokens). A private ingress never gets one."""
    rate_limit: Annotated[int, Field(ge=10, le=2_000_000_000)] = 1000
    """Requests one client IP may send in any 5 minutes; further requests from it are blocked (HTTP 403)
    until its rate falls below the limit (AWS WAF rate-based rule; 10 at least)."""
    managed_rule_groups: list[Annotated[str, Field(pattern=r"^AWSManagedRules[A-Za-z0-9]+$")]] = Field(
        default_factory=lambda: list(WAF_MANAGED_RULE_GROUPS)
    )
    """AWS managed rule groups applied in this order (names as AWS WAF lists them), e.g.
    AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet,
    AWSManagedRulesAmazonIpReputationList."""


class Ingress(Model):
    """The agent users reach, under which domain, and whether it is public."""

    agent: str
    """Name of the agent that users reach."""
    domain: str = Field(pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$")
    """Fully qualified domain name users call, e.g. support.acme.example."""
    hosted_zone: str = Field(pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}\.?$")
    """DNS zone that holds the records (Route 53 hosted zone on AWS)."""
    public: bool = False
    """Reachable from the internet (HTTPS 443 only). Private to the network unless set."""
    synthetic: SyntheticTransaction | None = None
    """A scheduled synthetic transaction through each serving region's ingress, alarmed and part of the SLO
    signals. Unset: none is built, and a total outage with no traffic shows only in DNS health checks."""
    waf: Waf = Field(default_factory=Waf)
    """aws, public ingress: the web application firewall (managed rule groups and a rate limit per IP)."""


class RegionNetwork(Model):
    """An existing VPC and its subnets in one region (bring your own network)."""

    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]+$")
    """Existing VPC id in this region."""
    public_subnet_ids: list[str] = Field(default_factory=list)
    """Existing public subnets, one per zone (needed only for a public load balancer)."""
    private_subnet_ids: list[str] = Field(min_length=1)
    """Existing private subnets, one per zone, in the same order as the region's zones."""


ImageRegistry = Literal["ghcr.io", "public.ecr.aws", "docker.io", "quay.io", "registry.k8s.io", "registry.gitlab.com"]


class ImageCache(Model):
    """An ECR pull-through cache for one upstream registry (target aws), built in every region.

    Agent images (and their trace collector's) from `registry` are pulled as
    `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<path>` through the region's ECR VPC endpoints, so
    an agent that reaches model providers only through the gateway needs no HTTPS to the internet.
    ECR's first pull of a new tag over VPC endpoints still needs a route to the internet: pull each tag
    once through its cache URI before deploying it (docs/aws.md)."""

    registry: ImageRegistry
    """Upstream registry host as images name it (docker.io also covers images without a host)."""
    prefix: str = Field(
        min_length=2, max_length=30, pattern=r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"
    )
    """ECR repository prefix of the cached images (2-30 characters, ECR's repository-name syntax), e.g. ghcr."""
    credential: str | None = Field(default=None, pattern=r"^ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+$")
    """Name of the Secrets Manager secret (`username` and `accessToken`) that ECR signs in to the upstream
    with; its name must start with `ecr-pullthroughcache/` and you create it in every region before
    `pulumi up`. Required for ghcr.io, docker.io and registry.gitlab.com; the others take none."""


class Network(Model):
    """Networking on target aws: a new VPC per region, or existing ones."""

    cidr: str = Field(default="10.0.0.0/16", pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")
    """IPv4 range of each new VPC (/16 to /24); zones get equal slices of it."""
    nat: Literal["per-zone", "single", "none"] = "per-zone"
    """NAT gateways: one per zone (default), a single one (a single point of failure), or none."""
    existing: dict[str, RegionNetwork] = Field(default_factory=dict)
    """Bring your own VPC and subnets, keyed by region name; other regions get a new VPC."""
    image_cache: list[ImageCache] = Field(default_factory=list)
    """ECR pull-through caches for upstream registries: agents whose images they cover (or whose images
    are already on ECR in each region) and that call model providers only through the gateway get no
    HTTPS egress to the internet, only to the region's VPC endpoints."""


class Replicas(Model):
    """How many replicas of an agent run in each serving region."""

    min: Annotated[int, Field(ge=1, le=1000)] = 2
    """Replicas the agent needs serving at all times in each active region."""
    max: Annotated[int, Field(ge=1, le=1000)] = 10
    """Upper bound for autoscaling in each active region."""
    static_stability: bool = True
    """Provision enough replicas that losing one zone still leaves `min` serving (no scale-up needed)."""

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: int, info: ValidationInfo) -> int:
        # A field validator (not a model validator) so the error points at `max`, and at the
        # environment override that wrote it, rather than at the whole `replicas` mapping.
        minimum = info.data.get("min")
        if minimum is not None and value < minimum:
            raise ValueError(f"max ({value}) is below min ({minimum}); set max ≥ min")
        return value


class ScaleOn(Model):
    """The signals an agent autoscales on."""

    cpu_percent: Annotated[int, Field(ge=10, le=95)] | None = 70
    """Target average CPU utilisation (percent) for autoscaling; null disables CPU scaling."""
    backlog_per_replica: Annotated[int, Field(ge=1)] | None = None
    """Target queue messages per replica on the consumed queues; null disables backlog scaling."""


class Probe(Model):
    """An HTTP probe on the agent's port."""

    path: str = Field(pattern=r"^/")
    """HTTP path probed on the agent's port."""
    period: Duration = timedelta(seconds=10)
    """Time between probes."""
    failure_threshold: Annotated[int, Field(ge=1, le=100)] = 3
    """Consecutive failures before the probe counts as failed."""
    timeout: Duration = timedelta(seconds=2)
    """How long one probe may take."""
    covers: list[str] | None = None
    """Readiness only: the stores, queues and dependencies (by name) this path exercises, so a region
    whose readiness fails when they fail is failed over. Unset: the plan assumes it covers nothing and
    says so; then each of them is in series with the region (its outage is not failed over)."""


class Probes(Model):
    """Liveness, readiness and startup probes of an agent."""

    liveness: Probe | None = Field(default_factory=lambda: Probe(path="/healthz"))
    """Restart the replica when this fails."""
    readiness: Probe | None = Field(default_factory=lambda: Probe(path="/readyz", period=timedelta(seconds=5)))
    """Take the replica out of load balancing when this fails."""
    startup: Probe | None = None
    """Hold liveness checks until the agent has started (slow model loads)."""


class Idempotency(Model):
    """Where an agent records processed actions, and for how long."""

    store: str
    """Store that records processed action keys."""
    ttl: Duration = timedelta(hours=24)
    """How long an idempotency key is remembered; should exceed the longest redelivery window."""


class Retries(Model):
    """The retry policy an agent applies to calls to its dependencies."""

    max_attempts: Annotated[int, Field(ge=1, le=100)] = 3
    """Attempts per call, the first included."""
    backoff: Literal["exponential", "linear", "constant"] = "exponential"
    """How the delay grows between attempts."""
    base_delay: Duration = timedelta(milliseconds=100)
    """Delay before the second attempt."""
    max_delay: Duration = timedelta(seconds=10)
    """Cap on any single delay."""
    jitter: Literal["full", "equal", "decorrelated", "none"] = "full"
    """Randomisation of delays, so retries from many replicas do not synchronise."""


class CircuitBreaker(Model):
    """The circuit breaker an agent puts in front of calls to its dependencies."""

    failure_rate_percent: Percent = 50
    """Failure rate (percent) over the window that opens the breaker."""
    window: Duration = timedelta(seconds=30)
    """Sliding window over which the failure rate is measured."""
    open_for: Duration = timedelta(seconds=60)
    """How long the breaker stays open before letting a trial call through."""


class Agent(Model):
    """One agent: its image, size, replicas, probes, and the queues, stores and secrets it uses."""

    name: DnsName
    """Unique DNS-safe name of the agent."""
    image: str = Field(min_length=1)
    """Container image, pinned to a tag or digest."""
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """Port the agent serves HTTP on; leave out for a pure queue worker."""
    cpu: Cpu = 0.5
    """vCPU per replica (0.25, 0.5, 1, 2, 4 ... on Fargate)."""
    memory: MemoryMiB = 1024
    """Memory per replica, e.g. 512Mi or 2Gi."""
    replicas: Replicas = Field(default_factory=Replicas)
    """Replica bounds per active region."""
    scale_on: ScaleOn = Field(default_factory=ScaleOn)
    """Autoscaling signals."""
    probes: Probes = Field(default_factory=Probes)
    """Health probes; they need `port`. Set a probe to null to turn it off."""
    consumes: list[str] = Field(default_factory=list)
    """Queues this agent reads from."""
    produces: list[str] = Field(default_factory=list)
    """Queues this agent writes to."""
    uses: list[str] = Field(default_factory=list)
    """Stores this agent reads and writes."""
    calls: list[str] = Field(default_factory=list)
    """Agents (with a `port`) this agent calls over HTTP in its own region. On aws each called agent gets an
    internal load balancer that only its callers' tasks may reach; an agent nobody calls and users do not
    reach gets none."""
    idempotency: Idempotency | None = None
    """Where the agent records processed actions so redelivered messages are not acted on twice."""
    retries: Retries = Field(default_factory=Retries)
    """Retry policy handed to the agent for calls to dependencies."""
    circuit_breaker: CircuitBreaker | None = Field(default_factory=CircuitBreaker)
    """Circuit breaker handed to the agent for calls to dependencies; null disables it."""
    max_step_duration: Duration = timedelta(minutes=1)
    """Longest single agent step (one message handled end to end)."""
    secrets: list[str] = Field(default_factory=list)
    """Names of spec secrets injected into this agent; values never appear in the spec."""
    env: dict[str, str] = Field(default_factory=dict)
    """Plain, non-secret environment variables."""
    read_only_root: bool = True
    """Run with a read-only root filesystem and a writable /tmp (safe default). Set false for an image
    that writes elsewhere; on ECS a non-root image needs `VOLUME ["/tmp"]` in its Dockerfile to write /tmp."""


class Secret(Model):
    """A secret an agent needs, by name only; its value is set out of band."""

    name: DnsName
    """Secret name; its value is set out of band, never in the spec."""
    description: str = ""
    """What the secret is for."""


class Backup(Model):
    """Backups and point-in-time recovery of a store."""

    point_in_time_recovery: bool = True
    """Continuous backups that restore to any second in the retention window."""
    retention: Duration = timedelta(days=7)
    """How long backups are kept (1d-35d)."""


class Keys(Model):
    """Primary key attributes of a key-value store."""

    partition: str = "pk"
    """Partition (hash) key attribute (key-value stores)."""
    sort: str | None = None
    """Sort (range) key attribute, if any."""


class Store(Model):
    """A durable state store and how it replicates and is backed up."""

    name: DnsName
    """Unique DNS-safe name of the store."""
    engine: Engine
    """aws: dynamodb | aurora-postgresql | aurora-dsql | valkey; kubernetes: postgres | redis | cockroachdb.
    aurora-dsql is Aurora DSQL (PostgreSQL-compatible, serverless, IAM authentication only): in two regions, a
    multi-Region cluster that takes strongly consistent writes in both, with a witness in a third region of
    their set. cockroachdb (active-active, 3 or more regions) is one CockroachDB cluster over every region's
    Kubernetes cluster, run by the CockroachDB operator: every region writes, raft-replicated (PostgreSQL
    wire protocol; licence terms in docs/kubernetes.md)."""
    writes: Writes | None = None
    """active-active only: which regions write this store. `multi-region`: every region writes the same data
    (aws: dynamodb global tables, aurora-dsql multi-Region clusters; kubernetes: cockroachdb).
    `primary-region`: every region reads its own copy and runs agents, but writes go to the primary (first)
    region (aws: aurora-postgresql global database, secondaries forward writes; kubernetes: postgres, agents
    in other regions write to the primary region's service); when the primary region is lost, writes stop
    everywhere until a secondary is promoted. Default: multi-region for dynamodb, aurora-dsql and cockroachdb;
    a single-writer engine must say primary-region."""
    replication: Literal["async", "sync"] = "async"
    """Cross-region replication: async (lag of about a second) or sync (no loss; engine limits apply).
    aurora-dsql is always synchronous across its regions: leave this out."""
    backup: Backup = Field(default_factory=Backup)
    """Backups and point-in-time recovery."""
    keys: Keys = Field(default_factory=Keys)
    """Primary key (dynamodb)."""
    ttl_attribute: str | None = None
    """Attribute holding an expiry time; expired items are deleted (dynamodb)."""
    instance_class: str | None = None
    """Instance or node type (aurora-postgresql: db.r6g.large; valkey: cache.r7g.large by default)."""
    engine_version: str | None = None
    """aurora-postgresql only: a major version (`17`: AWS's default minor of it when the cluster is created)
    or a major.minor one (`17.6`) AWS still offers for new clusters. Default: 17."""
    instances: Annotated[int, Field(ge=1, le=15)] | None = None
    """Instances per region (defaults: one per zone, at most 3)."""
    storage: MemoryMiB = 10240
    """Volume size per instance on Kubernetes (e.g. 20Gi)."""
    cache: bool = False
    """The store only caches what can be rebuilt from elsewhere; its loss does not count toward RPO."""

    @field_validator("engine_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # YAML reads 17 as a number (fine) but 16.10 as the number 16.1 (a different version).
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            raise ValueError(f"write the version in quotes ('{value}'): YAML reads 16.10 as the number 16.1")
        return value


class DeadLetter(Model):
    """A queue's dead-letter queue, where messages go after too many failed deliveries."""

    retention: Duration = timedelta(days=14)
    """How long dead letters are kept for inspection; at least the queue's retention."""


class Queue(Model):
    """A durable queue between agents, with its dead-letter queue."""

    name: DnsName
    """Unique DNS-safe name of the queue."""
    ordering: Literal["standard", "fifo"] = "standard"
    """standard (at-least-once, best-effort order) or fifo (ordered per group, exactly-once enqueue)."""
    visibility_timeout: Duration = timedelta(minutes=5)
    """How long a received message stays hidden; must exceed every consumer's max_step_duration."""
    retention: Duration = timedelta(days=4)
    """How long an unprocessed message is kept (60s-14d on SQS)."""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5
    """Deliveries before a message moves to the dead-letter queue."""
    dead_letter: DeadLetter = Field(default_factory=DeadLetter)
    """The dead-letter queue (always created)."""


class Alarms(Model):
    """The alarms on service-level indicators; null turns one off."""

    error_rate_percent: Percent | None = 1
    """Alarm when 5xx responses exceed this percentage of requests."""
    latency_p99: Duration | None = timedelta(seconds=3)
    """Alarm when p99 latency exceeds this."""
    oldest_message_age: Duration | None = timedelta(minutes=5)
    """Alarm when the oldest message in a queue is older than this."""
    dead_letters: Annotated[int, Field(ge=1)] | None = 1
    """Alarm when this many messages sit in a dead-letter queue."""
    replication_lag: Duration | None = timedelta(seconds=30)
    """Alarm when cross-region replication lags more than this."""
    unhealthy_hosts: bool = True
    """Alarm when a load balancer sees an unhealthy target."""
    running_below_min: bool = True
    """Alarm when fewer replicas run than the planned minimum."""


class Notify(Model):
    """Where alarm notifications go."""

    email: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(default_factory=list)
    """Addresses that receive alarm notifications (each must confirm the subscription)."""


CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days."""


def _whole_days(value: timedelta, most: int) -> timedelta:
    days = value.total_seconds() / 86400
    if days < 1 or days > most or days != int(days):
        raise ValueError(
            f"retention must be whole days from 1d to {most}d, got {format_duration(value)}; write e.g. 90d"
        )
    return value


class AccessLogs(Model):
    """aws: access logs of the application load balancers: one line per request (client, path, status,
    latencies, target), written every 5 minutes to an S3 bucket per region."""

    enabled: bool | None = None
    """Write them. Unset: on in every environment except one named `dev`."""
    retention: Duration = timedelta(days=90)
    """How long a log file is kept before S3 deletes it (whole days, 1d to 3653d)."""

    @field_validator("retention")
    @classmethod
    def _retention_days(cls, value: timedelta) -> timedelta:
        return _whole_days(value, 3653)


class FlowLogs(Model):
    """aws: VPC flow logs: the IP traffic of every network interface in each new VPC (source, destination,
    ports, bytes, accepted or rejected), sent to a CloudWatch Logs group per VPC encrypted with the region's key."""

    enabled: bool | None = None
    """Record them. Unset: on in every environment except one named `dev`."""
    retention: Duration = timedelta(days=30)
    """How long records are kept; rounded up to the next period CloudWatch Logs offers (1, 3, 5, 7, 14, 30,
    60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days)."""
    traffic: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    """Which flows to record: all, only accepted or only rejected ones (REJECT costs least and still shows
    what security groups and network ACLs refused)."""

    @field_validator("retention")
    @classmethod
    def _retention_days(cls, value: timedelta) -> timedelta:
        return _whole_days(value, CLOUDWATCH_RETENTION_DAYS[-1])


class Observability(Model):
    """Alarms, notifications, tracing and dashboards."""

    alarms: Alarms = Field(default_factory=Alarms)
    """SLI alarms; set one to null to leave it out."""
    notify: Notify = Field(default_factory=Notify)
    """Who is told when an alarm fires."""
    tracing: Literal["otel", "none"] = "otel"
    """Distributed tracing handed to agents (OpenTelemetry)."""
    dashboard: bool = True
    """Build a dashboard of the SLIs."""
    access_logs: AccessLogs = Field(default_factory=AccessLogs)
    """aws: access logs of the application load balancers (S3, a bucket per region)."""
    flow_logs: FlowLogs = Field(default_factory=FlowLogs)
    """aws: VPC flow logs of each new VPC (CloudWatch Logs, encrypted with the region's key)."""


class Rollout(Model):
    """How a new version of an agent replaces the old one."""

    strategy: Literal["rolling", "canary", "blue-green", "linear"] = "rolling"
    """How a new version replaces the old one."""
    steps: list[Annotated[int, Field(ge=1, le=100)]] = Field(default_factory=lambda: [100])
    """Traffic percentages per step, increasing and ending at 100 (canary and linear)."""
    bake_time: Duration = timedelta(minutes=5)
    """Time at each step, watching the SLO alarms, before moving on."""
    auto_rollback: bool = True
    """Roll back automatically when an SLO alarm fires or the deployment fails."""


class Chaos(Model):
    """Chaos drills to rehearse, and how often."""

    drills: list[Drill] = Field(default_factory=list)
    """Disruptions to rehearse; each comes with a runbook and the expected RTO/RPO."""
    schedule: Literal["daily", "weekly", "monthly", "manual"] = "manual"
    """How often drills run."""


class Outages(Model):
    """Mean length of one outage, per level: how long a failure lasts until the provider fixes it.
    Unset levels use the data table's figures (`outage-region`, `outage-zone`, `outage-service`,
    `outage-dependency`)."""

    region: Duration | None = None
    """A whole region (every service in it) unavailable."""
    zone: Duration | None = None
    """One availability zone unavailable."""
    service: Duration | None = None
    """One cloud service in one region unavailable (a queue, a database, the load balancer)."""
    dependency: Duration | None = None
    """One external dependency (a model provider, an API) unavailable."""


class Assumptions(Model):
    """Overrides of the figures (SLAs, timings) the estimates are computed from."""

    slas: dict[str, Annotated[float, Field(gt=0, le=100)]] = Field(default_factory=dict)
    """Override an availability figure (percent) of the data table by its id, e.g. {k8s-control-plane: 99.95}."""
    timings: dict[str, Duration] = Field(default_factory=dict)
    """Override a timing of the data table by its id, e.g. {fargate-task-start: 90s}."""
    outages: Outages = Field(default_factory=Outages)
    """Mean outage length per level (region, zone, service, dependency), e.g. {region: 30m, zone: 1h}."""
    common_cause: Annotated[float, Field(ge=0, le=100)] | None = None
    """Share (percent) of region failures that hit every region at once (shared control planes, global
    services, one bad change pushed everywhere). Unset: the data table's `common-cause-region` (2 %)."""


class DependencyAvailability(Model):
    """How available an external dependency is, and what that figure rests on."""

    percent: Annotated[float, Field(gt=0, le=100)]
    """Monthly availability, percent. A published SLA is a credit threshold, not measured availability."""
    basis: FigureBasis = "assumption"
    """published (the provider's own SLA page), secondary (quoted by someone else) or assumption."""
    source: str | None = None
    """Where the figure comes from (a URL); expected unless the basis is an assumption."""


class RateLimits(Model):
    """What the provider lets this account send per minute; the model gateway enforces it."""

    requests_per_minute: Annotated[int, Field(ge=1)] | None = None
    """Requests per minute the provider allows (its RPM quota)."""
    tokens_per_minute: Annotated[int, Field(ge=1)] | None = None
    """Tokens (input + output) per minute the provider allows (its TPM quota)."""


class Dependency(Model):
    """An external service the agents call: a model provider, an HTTP API or an MCP server."""

    name: DnsName
    """Unique among dependencies, stores and queues (readiness `covers` names it)."""
    kind: DependencyKind
    """model-provider, http-api or mcp-server."""
    availability: DependencyAvailability | None = None
    """Its availability figure; unset: the data table's assumption for its kind (`dependency-<kind>`)."""
    fallback: list[str] = Field(default_factory=list)
    """Other dependencies (by name) the callers switch to when this one fails, in order; the call fails
    only when this one and every fallback are down."""
    callers: list[str] = Field(default_factory=list)
    """Agents that call it (by name); empty: every agent."""
    description: str = ""
    """What the agents use it for."""
    model: str | None = Field(default=None, min_length=1)
    """model-provider: the model as the gateway (LiteLLM) names it, `<provider>/<model>` (e.g. openai/gpt-4o,
    anthropic/claude-sonnet-4-5, bedrock/<model id>). Agents ask the gateway for the dependency's name; the
    gateway calls this model, then the fallbacks' models in order. A cheaper or larger-context model is a
    fallback of its own with another `model`."""
    endpoints: dict[str, Annotated[str, Field(pattern=r"^https://[^\s/]+(/\S*)?$")]] = Field(default_factory=dict)
    """Base URL per region of the topology, for a provider with regional endpoints (e.g.
    {us-east-1: https://eastus.example.openai.azure.com}); key `default` for every other region. Unset: the
    provider's own default endpoint. HTTPS only."""
    rate_limits: RateLimits | None = None
    """The provider's quota for this account, enforced by the gateway (shared across its replicas through
    `gateway.rate_limit_store`, else split between them)."""
    timeout: Duration = timedelta(seconds=60)
    """Longest one call to it may take before the gateway gives up on that attempt."""
    secrets: list[str] = Field(default_factory=list)
    """Spec secrets (by name) needed to call it; for a model provider the first is its API key, which only the
    gateway receives (from the secret store, never as a plain value)."""
    replicas: Annotated[int, Field(ge=1, le=1000)] = 1
    """mcp-server: instances behind its load balancer."""
    stateless: bool = False
    """mcp-server: keeps no session between requests, so any instance may answer any request."""
    sticky: bool = False
    """mcp-server: its load balancer keeps a session on one instance (session affinity)."""


DEFAULT_GATEWAY_IMAGE = "ghcr.io/berriai/litellm:main-v1.110.2"
"""LiteLLM proxy, the version whose configuration keys, health routes and metric names the gateway's
config, probes and alerts were checked against (PyPI litellm 1.110.2, MIT licence)."""


class Gateway(Model):
    """The model gateway each serving region runs in front of the model providers (LiteLLM proxy): agents
    call it instead of the providers; it falls back in the spec's order, retries, cools a failing provider
    down and enforces the providers' rate limits. Built when a `model-provider` dependency exists."""

    image: str = Field(default=DEFAULT_GATEWAY_IMAGE, min_length=1)
    """Container image of the LiteLLM proxy, pinned to a tag or digest."""
    replicas: Replicas = Field(default_factory=lambda: Replicas(min=2, max=6))
    """Replicas per serving region, spread over its zones like an agent's."""
    cpu: Cpu = 0.5
    """vCPU per replica."""
    memory: MemoryMiB = 1024
    """Memory per replica, e.g. 1Gi."""
    retries: Annotated[int, Field(ge=0, le=5)] = 1
    """Retries of a failed call on the same provider before its fallback (LiteLLM `num_retries`): the retry
    budget of one request. Agents calling through the gateway should not retry as well (nested retries)."""
    retry_after: Duration = timedelta(0)
    """Least wait before a retry (LiteLLM `retry_after`); a provider's own Retry-After is honoured above it."""
    allowed_fails: Annotated[int, Field(ge=1, le=100)] = 3
    """Failures within a minute that take a provider out of rotation (LiteLLM `allowed_fails`)."""
    cooldown: Duration = timedelta(seconds=60)
    """How long a failing provider stays out of rotation before it is tried again (LiteLLM `cooldown_time`)."""
    rate_limit_store: str | None = None
    """A `valkey` or `redis` store (by name) where the replicas share rate-limit counters and cooldowns.
    Unset: each replica enforces its share of every limit (limit ÷ its maximum replicas), which under-uses
    the quota while fewer replicas run."""


class HASpec(Model):
    """An HA spec: objectives, topology and the parts of an AI agent system."""

    model_config = ConfigDict(title="agentha-blueprint HA spec")

    apiVersion: Literal["agentha.dev/v1"]
    """Spec format version."""
    kind: Literal["HASpec"]
    """Always HASpec."""
    metadata: Metadata
    """Name, owner and tags."""
    objectives: Objectives = Field(default_factory=Objectives)
    """Availability SLO and recovery objectives."""
    target: Target = "aws"
    """Where it runs: aws or kubernetes."""
    topology: Topology
    """Pattern, regions and zones, failover."""
    ingress: Ingress | None = None
    """The agent users reach, and its domain."""
    network: Network = Field(default_factory=Network)
    """Networking (aws): new VPCs or existing ones."""
    agents: list[Agent] = Field(min_length=1)
    """The agents."""
    secrets: list[Secret] = Field(default_factory=list)
    """Secrets the agents need (names only)."""
    stores: list[Store] = Field(default_factory=list)
    """Durable state stores."""
    queues: list[Queue] = Field(default_factory=list)
    """Durable queues, each with a dead-letter queue."""
    dependencies: list[Dependency] = Field(default_factory=list)
    """External services the agents call (model providers, APIs, MCP servers) and their availability."""
    gateway: Gateway = Field(default_factory=Gateway)
    """The model gateway in front of the model providers (built when a model-provider dependency exists)."""
    observability: Observability = Field(default_factory=Observability)
    """Alarms, notifications, tracing, dashboards."""
    rollout: Rollout = Field(default_factory=Rollout)
    """How new versions roll out."""
    chaos: Chaos = Field(default_factory=Chaos)
    """Chaos drills to rehearse."""
    assumptions: Assumptions = Field(default_factory=Assumptions)
    """Overrides for the figures the estimates use."""
    environments: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    """Per-environment overrides merged over the base (named list items matched by name); an empty
    override (`prod:` or `prod: {}`) uses the base as written."""

    def agent(self, name: str) -> Agent | None:
        return next((a for a in self.agents if a.name == name), None)

    def store(self, name: str) -> Store | None:
        return next((s for s in self.stores if s.name == name), None)

    def queue(self, name: str) -> Queue | None:
        return next((q for q in self.queues if q.name == name), None)

    def dependency(self, name: str) -> Dependency | None:
        return next((d for d in self.dependencies if d.name == name), None)
