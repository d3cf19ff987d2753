"""AgentService: one agent in one region — an ECS Fargate service behind its load balancer.

- **Placement**: tasks run in the private subnet of every planned zone, `desired` from the plan
  (static stability: losing a zone still leaves `min` serving), availability-zone rebalancing on.
- **Load balancer**: the ingress agent gets an ALB (public only when `ingress.public`) with an HTTPS
  listener on the region's ACM certificate and HTTP redirected to HTTPS; in a single-zone region,
  where an ALB cannot run (it needs two zones), a TLS NLB. Other agents with a port get an internal
  NLB. Target-group health checks come from the plan's `lb_health_check` (the readiness probe
  fitted to ELB's bounds); the container health check from the liveness probe.
- **Rollout**: ECS's own deployment strategies. With an ALB, `blue-green`, `canary` and `linear`
  run natively: a second (green) target group, a production listener rule whose weights ECS shifts,
  and an infrastructure role that lets ECS edit them. Without an ALB (NLB or no port) the service
  rolls (the strategy needs a listener ECS can shift). Rolling updates keep 100 % healthy and use
  the deployment circuit breaker; every strategy rolls back on the SLO alarms when `auto_rollback`
  (5xx rate and p99 latency; dead letters page but never roll a deployment back).
- **Scaling**: target tracking on CPU and on queue backlog per running task (metric math over the
  consumed queues and Container Insights' RunningTaskCount). A pilot-light standby runs no task:
  an alarm on work arriving while no task runs (the load balancer answering 503, messages waiting
  with RunningTaskCount at 0) sets it to the serving regions' count through a step-scaling policy,
  and target tracking never scales it in again (failback is a deliberate step of the runbook).
- **IAM**: the task role may touch only the queues, tables, databases and nothing else the agent
  names, with explicit actions; the execution role may read only the agent's secrets (and decrypt
  them), write its log group, and pull from ECR only when the image is on ECR; through a pull-through
  cache (import, create the repository) only under that cache's prefix (components/aws/image_cache.py).
- **Alarms** (to the region's alert topic): 5xx rate (metric math), p99 latency, unhealthy hosts per
  target group, running tasks below the planned minimum.
- **Container hardening**: read-only root filesystem with a task-scoped scratch volume (Fargate
  ephemeral storage) at /tmp, every Linux capability dropped (NET_BIND_SERVICE kept only for a port
  below 1024), an init process as PID 1. The user is the image's: a numeric `user` here would break
  images built to run as a named user, so images should set a non-root USER themselves.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_aws import appautoscaling, arczonalshift, cloudwatch, ecs, iam, lb
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs as BacklogSpec,
)
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs as BacklogMetric,
)
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs as BacklogStat,
)
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs as BacklogStatMetric,  # noqa: E501
)
from pulumi_aws.appautoscaling import (
    PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs as BacklogDimension,  # noqa: E501
)

from blueprints.plan import collector, gateway, naming
from blueprints.plan.models import AgentPlan, AlarmPlan, CachedImage, Placement, ProbePlan, RolloutPlan
from blueprints.plan.timing import STANDBY_ACTIVATION_ALARM
from components.aws.alarms import AlarmTarget, error_ratio_queries, expression_alarm, metric_alarm, metric_query
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.lift import combine, lift
from components.aws.security_groups import LoadBalancerKind
from components.aws.tags import TagContext

TOKEN = "agentha:aws:AgentService"

LOG_RETENTION_DAYS = 30
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only (the ELB default for new listeners)."""
FARGATE_MAX_STOP_S = 120
ALB_IDLE_TIMEOUT_S = (60, 4000)
"""ALB connection idle timeout bounds (ELB's default and maximum)."""
IDLE_MARGIN_S = 15
"""Headroom over the longest agent step before the ALB drops a silent connection."""
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)"
)
INFRASTRUCTURE_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"

STRATEGIES = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}

SCRATCH_VOLUME = "tmp"
SCRATCH_PATH = "/tmp"
"""The only writable path: a task volume without a host path, which Fargate backs with the task's
ephemeral storage (root-owned, mode 0755, unless the image declares `VOLUME /tmp`, whose owner and
mode are then copied)."""
DEFAULT_CAPABILITIES = (
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
)
"""The container runtime's default capability set (Docker's and containerd's defaults)."""
PRIVILEGED_PORT_MAX = 1023


@dataclass(frozen=True)
class QueueAccess:
    name: str
    arn: pulumi.Input[str]
    url: pulumi.Input[str]
    queue_name: pulumi.Input[str]


@dataclass(frozen=True)
class CacheAuth:
    """How an agent authenticates to a Valkey store in this region: as its own IAM-enabled ElastiCache
    user, with a SigV4 token for the replication group (components/aws/valkey_cache.py)."""

    user: str
    cache_name: str
    """The replication group id: the host name the IAM token is signed for."""
    group_arn: pulumi.Input[str]
    user_arn: pulumi.Input[str]


@dataclass(frozen=True)
class AgentAccess:
    """The resources this agent may use in this region, with the ARNs its roles are scoped to."""

    consumes: tuple[QueueAccess, ...] = ()
    produces: tuple[QueueAccess, ...] = ()
    tables: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    """store name -> (table name, table ARN in this region)"""
    databases: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    """store name -> (endpoint, cluster resource id) for Aurora (IAM database authentication)"""
    caches: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """store name -> primary endpoint for Valkey"""
    cache_auth: Mapping[str, CacheAuth] = field(default_factory=dict)
    """store name -> the agent's IAM-authenticated user on that Valkey store in this region"""
    dsql: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    """store name -> (endpoint, cluster ARN in this region) for Aurora DSQL (IAM authentication tokens)"""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """secret name -> ARN to read in this region"""
    calls: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """called agent -> its URL in this region (`http://<internal load balancer>:<port>`)"""
    env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Further plain variables: the model gateway's address for its callers, the gateway's own config."""


@dataclass(frozen=True)
class CollectorSidecar:
    """An ADOT collector in every task (observability.tracing: otel; blueprints/plan/collector.py): the agent's
    spans to X-Ray and, with `metrics_path`, the container's own Prometheus endpoint to CloudWatch (EMF)."""

    traces: bool = True
    """Receive the container's spans (OTLP on 127.0.0.1) and send them to X-Ray (observability.tracing: otel)."""
    metrics_path: str | None = None
    """Scrape this path on the agent's port into CloudWatch (the model gateway's /metrics, whatever the tracing:
    its provider alarms read these metrics)."""


@dataclass(frozen=True)
class AccessLogTarget:
    """Where an application load balancer writes its access logs (components/aws/access_logs.py)."""

    bucket: pulumi.Input[str]
    prefix: str
    ready: pulumi.Resource
    """The bucket policy: Elastic Load Balancing checks it may write when logging is turned on."""


@dataclass(frozen=True)
class AgentServiceArgs:
    agent: AgentPlan
    placement: Placement
    tags: TagContext
    cluster_arn: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    task_security_group_id: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    topic_arn: pulumi.Input[str]
    rollout: RolloutPlan
    alarms: AlarmPlan
    access: AgentAccess = field(default_factory=AgentAccess)
    load_balancer: LoadBalancerKind | None = None
    load_balancer_security_group_id: pulumi.Input[str] | None = None
    certificate_arn: pulumi.Input[str] | None = None
    activate_count: int = 0
    """Tasks a pilot-light standby scales to when work arrives (the serving regions' count)."""
    zonal_autoshift: bool = False
    """ARC zonal autoshift on this agent's load balancer (plan `zonal_autoshift`; needs SLO alarms)."""
    start: bool = True
    """False: run no task (desired count and scaling range 0), for a first deploy before secret values
    exist; stack config `agentha:startAgents`."""
    deletion_protection: bool = True
    """Deletion protection on the load balancer (stack config `agentha:deletionProtection`, default on):
    deleting it by mistake takes the agent off the network and, for the ingress, out of DNS failover."""
    collector: CollectorSidecar | None = None
    """The collector sidecar; None builds none (tracing off)."""
    access_logs: AccessLogTarget | None = None
    """Access logs of an application load balancer (spec `observability.access_logs`); None: none."""
    deployment_alarm_names: Sequence[pulumi.Input[str]] = ()
    """Further alarms that fail a deployment. Never a dead-letter alarm: a dead letter outlives the
    deployment that caused it (kept for the queue's retention) and would fail every later one."""


def _image(image: str, cache: CachedImage | None, registry: str) -> str:
    """The reference a task pulls: through this account's pull-through cache when the plan says so."""
    return image if cache is None else f"{registry}/{cache.prefix}/{cache.path}"


def env_name(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).upper().strip("_") for p in parts)


def container_health_check(probe: ProbePlan, port: int, startup: ProbePlan | None) -> dict[str, Any]:
    """The liveness probe as an ECS container health check, fitted to ECS's bounds.

    The command runs inside the container, so the image needs curl or wget; it writes only to
    /dev/null, so the read-only root filesystem does not get in its way.
    """
    url = f"http://localhost:{port}{probe.path}"
    start = startup.period_s * startup.failure_threshold if startup else 0
    return {
        "command": ["CMD-SHELL", f"curl -fsS -o /dev/null {url} || wget -q -O /dev/null {url} || exit 1"],
        "interval": int(min(max(probe.period_s, 5), 300)),
        "timeout": int(min(max(probe.timeout_s, 2), 60)),
        "retries": int(min(max(probe.failure_threshold, 1), 10)),
        "startPeriod": int(min(max(start, 0), 300)),
    }


def dropped_capabilities(port: int | None) -> list[str]:
    """Capabilities to drop: all of them, except NET_BIND_SERVICE when the agent listens below 1024.

    Fargate lets a task add no capability but SYS_PTRACE, so a privileged port cannot be served by
    dropping ALL and adding NET_BIND_SERVICE back: the other defaults are dropped one by one instead.
    """
    if port is not None and port <= PRIVILEGED_PORT_MAX:
        return [c for c in DEFAULT_CAPABILITIES if c != "NET_BIND_SERVICE"]
    return ["ALL"]


def container_hardening(port: int | None, read_only_root: bool = True) -> dict[str, Any]:
    """Container-definition settings that hold on Fargate whatever user the image runs as.

    Read-only root with one writable scratch mount at /tmp, capabilities dropped, and an init
    process as PID 1 (it forwards the stop signal to the agent and reaps the processes its tools
    and the health check leave behind). No `user`: see the module docstring.
    """
    return {
        "readonlyRootFilesystem": read_only_root,  # the spec's agents[].read_only_root (true by default)
        "mountPoints": [{"sourceVolume": SCRATCH_VOLUME, "containerPath": SCRATCH_PATH, "readOnly": False}],
        "linuxParameters": {
            "capabilities": {"drop": dropped_capabilities(port)},
            "initProcessEnabled": True,
        },
    }


def deployment(rollout: RolloutPlan, load_balancer: LoadBalancerKind | None) -> tuple[str, dict[str, Any]]:
    """ECS strategy and its settings for the plan's rollout; ROLLING where traffic cannot shift."""
    strategy = STRATEGIES[rollout.strategy] if load_balancer == "alb" else "ROLLING"
    bake = str(max(0, min(1440, math.ceil(rollout.bake_s / 60))))
    first = rollout.steps[0] if rollout.steps else 100
    if strategy == "CANARY":
        return strategy, {"canary_percent": float(min(max(first, 0.1), 100)), "bake": bake}
    if strategy == "LINEAR":
        return strategy, {"step_percent": float(min(max(first, 3), 100)), "bake": bake}
    if strategy == "BLUE_GREEN":
        return strategy, {"bake": bake}
    return strategy, {}


class AgentService(pulumi.ComponentResource):
    """An agent's Fargate service, load balancer, roles, autoscaling and SLI alarms in one region."""

    service_name: pulumi.Output[str]
    load_balancer_dns: pulumi.Output[str] | None
    load_balancer_zone_id: pulumi.Output[str] | None
    load_balancer_arn_suffix: pulumi.Output[str] | None
    target_group_arn_suffixes: list[pulumi.Output[str]]
    healthy_alarms: list[cloudwatch.MetricAlarm]
    """Per target group: ALARM when no target is healthy (Route 53 health checks read these)."""
    alarms: list[cloudwatch.MetricAlarm]
    """The SLI alarms (5xx rate, p99 latency, unhealthy hosts, running below minimum)."""
    activation_alarms: list[cloudwatch.MetricAlarm]
    firewall_alarms: list[cloudwatch.MetricAlarm]
    """The web firewall's alarms (public ALB ingress): they notify; not SLI alarms."""
    """Pilot light only: work arrived in this region (they scale the service out)."""
    log_group_name: pulumi.Output[str]
    metrics_log_group_name: pulumi.Output[str] | None
    """The collector's EMF log group (its scraped metrics), when it scrapes."""
    strategy: str

    def __init__(self, name: str, args: AgentServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        a = args.agent
        self._region = args.placement.region
        self._path = gateway.workload_spec_path(a.name)
        self._alarm_to = AlarmTarget(
            region=self._region, tags=args.tags, scope=args.tags.scope, topic_arn=args.topic_arn
        )
        self.alarms = []
        self.activation_alarms = []
        self._slo_alarms: list[cloudwatch.MetricAlarm] = []
        self.healthy_alarms = []
        self.firewall_alarms = []
        self.target_group_arn_suffixes = []
        self.load_balancer_dns = None
        self.load_balancer_zone_id = None
        self.load_balancer_arn_suffix = None
        self.autoshift: arczonalshift.ZonalAutoshiftConfiguration | None = None
        # Zonal shift needs somewhere to shift to: two zones or more in this region.
        self._zonal_shift = len(set(args.placement.zones)) >= 2
        self.strategy, self._strategy_settings = deployment(
            args.rollout, args.load_balancer if a.port is not None else None
        )

        log_group = self._log_group()
        self._metrics_log_group = self._emf_log_group()
        self.metrics_log_group_name = self._metrics_log_group.name if self._metrics_log_group else None
        execution_role, execution_policy = self._execution_role(log_group)
        task_role, task_policy = self._task_role()
        task_definition = self._task_definition(log_group, execution_role, task_role)
        balancing = self._load_balancer() if args.load_balancer and a.port is not None else None
        deployment_alarms = self._deployment_alarms()
        service = self._service(task_definition, balancing, deployment_alarms, [execution_policy, task_policy])
        self.service_name = service.name
        self.service_arn = service.arn
        self._scaling(service)
        self._running_alarm(service)
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "service_name": self.service_name,
                "load_balancer_dns": self.load_balancer_dns,
                "log_group_name": self.log_group_name,
                "metrics_log_group_name": self.metrics_log_group_name,
                "strategy": self.strategy,
            }
        )

    # --- helpers --------------------------------------------------------------------------------

    def _rname(self, role: str) -> str:
        return naming.resource(self._args.tags.system, self._args.agent.name, role, self._region)

    def _tags(self, role: str) -> dict[str, str]:
        return self._args.tags.tags(self._args.agent.name, role, region=self._region, spec_path=self._path)

    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _physical(self, role: str, kind: str) -> str:
        return naming.physical(
            self._args.tags.scope, self._args.agent.name, role, kind, naming.region_code(self._region)
        )

    # --- logs and roles -------------------------------------------------------------------------

    def _log_group(self) -> cloudwatch.LogGroup:
        a = self._args
        return cloudwatch.LogGroup(
            self._rname("logs"),
            cloudwatch.LogGroupArgs(
                name=f"/agentha/{a.tags.scope}/{a.agent.name}",
                retention_in_days=LOG_RETENTION_DAYS,
                kms_key_id=a.key_arn,
                region=self._region,
                tags=self._tags("log-group"),
            ),
            opts=self._opts(),
        )

    def _emf_group_name(self) -> str:
        return f"/agentha/{self._args.tags.scope}/{self._args.agent.name}/metrics"

    def _emf_log_group(self) -> cloudwatch.LogGroup | None:
        """Where the collector writes the scraped metrics as EMF events (CloudWatch extracts the metrics).
        Created here, encrypted and expiring, so the exporter never creates one of its own."""
        a = self._args
        if a.collector is None or a.collector.metrics_path is None:
            return None
        return cloudwatch.LogGroup(
            self._rname("metrics-logs"),
            cloudwatch.LogGroupArgs(
                name=self._emf_group_name(),
                retention_in_days=LOG_RETENTION_DAYS,
                kms_key_id=a.key_arn,
                region=self._region,
                tags=self._tags("metrics-log-group"),
            ),
            opts=self._opts(),
        )

    def _role(self, role: str, service: str, *, source_account: bool = True) -> iam.Role:
        a = self._args
        return iam.Role(
            self._rname(role),
            iam.RoleArgs(
                name=self._physical(role, "iam-role"),
                description=f"{a.tags.system}: {a.agent.name} {role} in {self._region}",
                assume_role_policy=trust_policy(service, a.account_id, source_account=source_account),
                max_session_duration=3600,
                tags=self._tags(role),
            ),
            opts=self._opts(),
        )

    def _execution_role(self, log_group: cloudwatch.LogGroup) -> tuple[iam.Role, iam.RolePolicy]:
        a = self._args
        role = self._role("execution-role", "ecs-tasks.amazonaws.com")
        statements = [
            Statement(
                "WriteOwnLogs",
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                [log_group.arn.apply(lambda arn: f"{arn}:*")],
            )
        ]
        secrets = list(a.access.secrets.values())
        if secrets:
            statements.append(Statement("ReadOwnSecrets", ("secretsmanager:GetSecretValue",), secrets))
            statements.append(Statement("DecryptOwnSecrets", ("kms:Decrypt",), [a.key_arn]))
        ecr = ECR_IMAGE.match(a.agent.image)
        caches = sorted({c.prefix for c in self._cached_images()})
        if caches:
            # Pull-through cache (components/aws/image_cache.py): the first pull of a tag imports it
            # from the upstream into a repository ECR creates under the rule's prefix, with the puller's
            # rights (ECR user guide, pull-through-cache-iam.html); only those repositories.
            repos = [
                pulumi.Output.all(a.partition, a.account_id).apply(
                    lambda v, prefix=prefix: f"arn:{v[0]}:ecr:{self._region}:{v[1]}:repository/{prefix}/*"
                )
                for prefix in caches
            ]
            statements.append(Statement("EcrLogin", ("ecr:GetAuthorizationToken",), ["*"]))
            statements.append(
                Statement(
                    "PullThroughCache",
                    (
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:BatchImportUpstreamImage",
                        "ecr:CreateRepository",
                        "ecr:GetDownloadUrlForLayer",
                    ),
                    repos,
                )
            )
        if ecr:
            repo = lift(a.partition, lambda p: f"arn:{p}:ecr:{ecr['region']}:{ecr['account']}:repository/{ecr['repo']}")
            if not caches:
                statements.append(Statement("EcrLogin", ("ecr:GetAuthorizationToken",), ["*"]))
            statements.append(
                Statement(
                    "PullOwnImage",
                    ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
                    [repo],
                )
            )
        policy = iam.RolePolicy(
            self._rname("execution-policy"),
            iam.RolePolicyArgs(role=role.id, policy=policy_json(statements)),
            opts=self._opts(),
        )
        return role, policy

    def _cached_images(self) -> list[CachedImage]:
        """The task's images that come through a pull-through cache (the agent's, the collector's)."""
        a = self._args
        found = [a.agent.image_cache] if a.agent.image_cache is not None else []
        if a.collector is not None and a.agent.collector_image_cache is not None:
            found.append(a.agent.collector_image_cache)
        return found

    def _registry(self) -> pulumi.Output[str]:
        """This account's ECR registry in the task's region (the cache references' host)."""
        a = self._args
        return pulumi.Output.all(a.account_id, a.partition).apply(
            lambda v: f"{v[0]}.dkr.ecr.{self._region}.amazonaws.com" + (".cn" if v[1] == "aws-cn" else "")
        )

    def _task_statements(self) -> list[Statement]:
        a = self._args
        acc = a.access
        out: list[Statement] = []
        if acc.consumes:
            out.append(
                Statement(
                    "ConsumeOwnQueues",
                    (
                        "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                        "sqs:ReceiveMessage",
                    ),
                    [q.arn for q in acc.consumes],
                )
            )
        if acc.produces:
            out.append(
                Statement(
                    "ProduceToOwnQueues",
                    ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
                    [q.arn for q in acc.produces],
                )
            )
        if acc.consumes or acc.produces:
            # SQS encrypts with the region's key on behalf of the caller.
            out.append(Statement("UseQueueKey", ("kms:Decrypt", "kms:GenerateDataKey"), [a.key_arn]))
        if acc.tables:
            arns = [arn for _, arn in acc.tables.values()]
            indexes = [lift(arn, lambda v: f"{v}/index/*") for arn in arns]
            out.append(
                Statement(
                    "ReadWriteOwnTables",
                    (
                        "dynamodb:BatchGetItem",
                        "dynamodb:BatchWriteItem",
                        "dynamodb:ConditionCheckItem",
                        "dynamodb:DeleteItem",
                        "dynamodb:DescribeTable",
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:Query",
                        "dynamodb:UpdateItem",
                    ),
                    [*arns, *indexes],
                )
            )
            # Tables are encrypted with the region key; DynamoDB decrypts the table key with the
            # caller's permissions (its grants cover only background work), through DynamoDB only.
            out.append(
                Statement(
                    "UseTableKey",
                    ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"),
                    [a.key_arn],
                    condition={"StringEquals": {"kms:ViaService": f"dynamodb.{self._region}.amazonaws.com"}},
                )
            )
        if acc.databases:
            user = a.agent.name.replace("-", "_")
            users = [
                pulumi.Output.all(rid, a.account_id, a.partition).apply(
                    lambda v: f"arn:{v[2]}:rds-db:{self._region}:{v[1]}:dbuser:{v[0]}/{user}"
                )
                for _, rid in acc.databases.values()
            ]
            out.append(Statement("ConnectToOwnDatabases", ("rds-db:connect",), users))
        if acc.dsql:
            # DbConnect (a custom database role), never DbConnectAdmin (the admin role).
            out.append(
                Statement("ConnectToOwnDsqlClusters", ("dsql:DbConnect",), [arn for _, arn in acc.dsql.values()])
            )
        if acc.cache_auth:
            # IAM authentication to Valkey: this region's replication groups and the agent's own users only.
            resources = [r for c in acc.cache_auth.values() for r in (c.group_arn, c.user_arn)]
            out.append(Statement("ConnectToOwnCachesAsOwnUser", ("elasticache:Connect",), resources))
        if a.collector is not None and a.collector.traces:
            # X-Ray's PutTraceSegments names no resource type (Service Authorization Reference): "*" is the
            # only Resource it takes. Nothing else of X-Ray: the collector's telemetry and sampling calls are off.
            out.append(Statement("WriteTraces", ("xray:PutTraceSegments",), ["*"]))
        if self._metrics_log_group is not None:
            # EMF: CloudWatch Logs only (the metrics are extracted from the events; no cloudwatch:PutMetricData).
            out.append(
                Statement(
                    "WriteOwnMetricEvents",
                    ("logs:CreateLogStream", "logs:PutLogEvents"),
                    [self._metrics_log_group.arn.apply(lambda arn: f"{arn}:*")],
                )
            )
        return out

    def _task_role(self) -> tuple[iam.Role, iam.RolePolicy | None]:
        role = self._role("task-role", "ecs-tasks.amazonaws.com")
        statements = self._task_statements()
        if not statements:
            return role, None
        policy = iam.RolePolicy(
            self._rname("task-policy"),
            iam.RolePolicyArgs(role=role.id, policy=policy_json(statements)),
            opts=self._opts(),
        )
        return role, policy

    # --- task definition ------------------------------------------------------------------------

    def _environment(self) -> dict[str, pulumi.Input[str]]:
        a = self._args
        acc = a.access
        env: dict[str, pulumi.Input[str]] = dict(a.agent.env)
        env["AGENTHA_REGION"] = self._region
        for q in (*acc.consumes, *acc.produces):
            env[env_name("AGENTHA_QUEUE", q.name, "URL")] = q.url
        for store, (table, _) in acc.tables.items():
            env[env_name("AGENTHA_STORE", store, "TABLE")] = table
        for store, (endpoint, _) in acc.databases.items():
            env[env_name("AGENTHA_STORE", store, "ENDPOINT")] = endpoint
        for store, endpoint in acc.caches.items():
            env[env_name("AGENTHA_STORE", store, "ENDPOINT")] = endpoint
        for store, auth in acc.cache_auth.items():
            # TLS on 6379; AUTH <user> <SigV4 token for cache_name>, regenerated within 15 minutes.
            env[env_name("AGENTHA_STORE", store, "AUTH")] = "iam"
            env[env_name("AGENTHA_STORE", store, "USER")] = auth.user
            env[env_name("AGENTHA_STORE", store, "CACHE_NAME")] = auth.cache_name
        for store, (endpoint, _) in acc.dsql.items():
            env[env_name("AGENTHA_STORE", store, "ENDPOINT")] = endpoint
        for callee, url in acc.calls.items():
            env[env_name("AGENTHA_AGENT", callee, "URL")] = url
        env.update(acc.env)
        if a.collector is not None and a.collector.traces and "OTEL_TRACES_EXPORTER" in env:
            # The collector in the same task (shared network namespace); the spec's env wins if it sets these.
            env.setdefault("OTEL_EXPORTER_OTLP_ENDPOINT", collector.OTLP_ENDPOINT)
            env.setdefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        return env

    def _collector_container(self, group: str, registry: str) -> dict[str, Any]:
        """The ADOT collector's container definition (blueprints/plan/collector.py says what it runs and why).

        Not essential: a collector that stops costs traces (and the gateway's provider metrics, whose
        alarms then read missing data), never the agent's task; ECS restarts it in place. Read-only root
        (it writes no file), every capability dropped, the image's own non-root user, a hard memory limit.
        """
        a = self._args
        assert a.collector is not None
        scrape = None
        if a.collector.metrics_path is not None and a.agent.port is not None:
            scrape = collector.Scrape(
                port=a.agent.port,
                path=a.collector.metrics_path,
                log_group=self._emf_group_name(),
                system=a.tags.scope,
            )
        return {
            "name": collector.CONTAINER,
            "image": _image(collector.IMAGE, a.agent.collector_image_cache, registry),
            "essential": False,
            "cpu": collector.CPU_UNITS,
            "memory": collector.MEMORY_MIB,
            "user": collector.USER,
            "environment": [
                {
                    "name": collector.CONFIG_ENV,
                    "value": collector.render(self._region, scrape, traces=a.collector.traces),
                },
                {"name": "GOMEMLIMIT", "value": f"{collector.MEMORY_LIMIT_MIB}MiB"},
            ],
            "healthCheck": {
                "command": list(collector.HEALTH_COMMAND),
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 10,
            },
            "restartPolicy": {"enabled": True, "restartAttemptPeriod": 60},
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": group,
                    "awslogs-region": self._region,
                    "awslogs-stream-prefix": collector.CONTAINER,
                },
            },
            "readonlyRootFilesystem": True,
            "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
        }

    def _task_definition(
        self, log_group: cloudwatch.LogGroup, execution_role: iam.Role, task_role: iam.Role
    ) -> ecs.TaskDefinition:
        a = self._args
        agent = a.agent
        env = self._environment()
        keys = sorted(env)
        secret_names = sorted(a.access.secrets)
        # The spec's size is the agent's own: the collector's memory is added on top. The plan decided the task's
        # size (blueprints/plan/collector.py `task`) and shows it; an agent planned without one gets the same.
        task = agent.task or collector.task(agent.cpu, agent.memory_mib, sidecar=a.collector is not None)
        if task.collector != (a.collector is not None):
            counts = "counts" if task.collector else "leaves out"
            builds = "does not build" if task.collector else "builds"
            raise ValueError(
                f"agent '{agent.name}': the plan's task size {counts} a collector sidecar the component {builds}"
            )
        cpu, memory = task.cpu_units, task.memory_mib

        def render(values: list[Any]) -> str:
            env_values = values[: len(keys)]
            secret_arns = values[len(keys) : len(keys) + len(secret_names)]
            registry, group = values[-2], values[-1]
            container: dict[str, Any] = {
                "name": agent.name,
                "image": _image(agent.image, agent.image_cache, registry),
                "essential": True,
                "environment": [{"name": k, "value": str(v)} for k, v in zip(keys, env_values, strict=True)],
                "secrets": [
                    {"name": env_name(s), "valueFrom": arn} for s, arn in zip(secret_names, secret_arns, strict=True)
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": group,
                        "awslogs-region": self._region,
                        "awslogs-stream-prefix": agent.name,
                    },
                },
                # Give an in-flight step time to finish when a task is stopped (Fargate allows 120 s).
                "stopTimeout": int(min(max(agent.max_step_s, 2), FARGATE_MAX_STOP_S)),
                **container_hardening(agent.port, agent.read_only_root),
            }
            if agent.command:
                container["entryPoint"] = list(agent.command)
            if agent.port is not None:
                container["portMappings"] = [{"containerPort": agent.port, "protocol": "tcp", "name": "http"}]
                if agent.liveness is not None:
                    container["healthCheck"] = container_health_check(agent.liveness, agent.port, agent.startup)
                    if agent.health_command:
                        container["healthCheck"]["command"] = list(agent.health_command)
            containers = [container]
            if a.collector is not None:
                # CPU weights: the agent keeps all but the collector's share under contention.
                container["cpu"] = max(cpu - collector.CPU_UNITS, collector.CPU_UNITS)
                # Started first, so the spans of the agent's start-up have somewhere to go.
                container["dependsOn"] = [{"containerName": collector.CONTAINER, "condition": "START"}]
                containers.append(self._collector_container(group, registry))
            return json.dumps(containers, sort_keys=True)

        # Most env values are plain: only the Outputs among them go through the SDK (lift.combine).
        definitions = combine(
            [*[env[k] for k in keys], *[a.access.secrets[s] for s in secret_names], self._registry(), log_group.name],
            render,
        )
        return ecs.TaskDefinition(
            self._rname("task"),
            ecs.TaskDefinitionArgs(
                family=naming.fit(naming.join(a.tags.scope, agent.name, self._region), 255),
                network_mode="awsvpc",
                requires_compatibilities=["FARGATE"],
                cpu=str(cpu),
                memory=str(memory),
                execution_role_arn=execution_role.arn,
                task_role_arn=task_role.arn,
                runtime_platform=ecs.TaskDefinitionRuntimePlatformArgs(
                    operating_system_family="LINUX", cpu_architecture="X86_64"
                ),
                container_definitions=definitions,
                # No host path: Fargate backs the volume with the task's ephemeral storage.
                volumes=[ecs.TaskDefinitionVolumeArgs(name=SCRATCH_VOLUME)],
                region=self._region,
                tags=self._tags("task-definition"),
            ),
            opts=self._opts(),
        )

    # --- load balancer --------------------------------------------------------------------------

    def _target_group(self, color: str) -> lb.TargetGroup:
        a = self._args
        agent = a.agent
        check = agent.lb_health_check
        alb = a.load_balancer == "alb"
        health = lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol="HTTP",
            path=check.path if check else "/",
            interval=int(check.period_s) if check else 10,
            timeout=int(check.timeout_s) if check else 5,
            unhealthy_threshold=check.failure_threshold if check else 3,
            healthy_threshold=2,
            matcher="200-399",
        )
        assert agent.port is not None
        group = lb.TargetGroup(
            self._rname(f"tg-{color}"),
            lb.TargetGroupArgs(
                name=self._physical(f"tg-{color}", "target-group"),
                port=agent.port,
                protocol="HTTP" if alb else "TCP",
                target_type="ip",
                vpc_id=a.vpc_id,
                # Let an in-flight step finish before a deregistered task is cut off.
                deregistration_delay=int(min(max(agent.max_step_s, 30), 300)),
                health_check=health,
                # Zonal shift on a cross-zone NLB requires its target groups to keep connections to
                # unhealthy targets (ELB's prerequisite for zonal shift); they drain instead.
                target_health_states=[
                    lb.TargetGroupTargetHealthStateArgs(enable_unhealthy_connection_termination=False)
                ]
                if not alb and self._zonal_shift
                else None,
                region=self._region,
                tags=self._tags("target-group"),
            ),
            opts=self._opts(),
        )
        self.target_group_arn_suffixes.append(group.arn_suffix)
        return group

    def _load_balancer(self) -> tuple[list[lb.TargetGroup], list[pulumi.Resource], pulumi.Output[str] | None]:
        """Load balancer, target groups, listeners; returns (target groups, listeners, production rule)."""
        a = self._args
        agent = a.agent
        kind = a.load_balancer
        assert kind is not None and agent.port is not None
        alb = kind == "alb"
        public = agent.public
        # Access logs: application load balancers only (an NLB logs TLS handshakes only, none of the TCP
        # listeners the internal ones carry; docs/policies.md).
        logs = a.access_logs if alb else None
        balancer = lb.LoadBalancer(
            self._rname(kind),
            lb.LoadBalancerArgs(
                name=self._physical(kind, "alb"),
                load_balancer_type="application" if alb else "network",
                internal=not public,
                subnets=list(a.public_subnet_ids if public else a.private_subnet_ids),
                security_groups=[a.load_balancer_security_group_id] if a.load_balancer_security_group_id else None,
                drop_invalid_header_fields=True if alb else None,
                # The default 60 s would cut a request whose agent step is silent longer than that
                # (the client sees a 504): wait for the longest step the spec declares.
                idle_timeout=int(
                    min(max(agent.max_step_s + IDLE_MARGIN_S, ALB_IDLE_TIMEOUT_S[0]), ALB_IDLE_TIMEOUT_S[1])
                )
                if alb
                else None,
                enable_cross_zone_load_balancing=None if alb else True,
                # ARC zonal shift: move this load balancer's traffic out of an impaired zone without a
                # deploy (by hand, or zonal autoshift below). Needs two zones to shift to.
                enable_zonal_shift=True if self._zonal_shift else None,
                enable_deletion_protection=a.deletion_protection,
                access_logs=lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket, prefix=logs.prefix, enabled=True)
                if logs is not None
                else None,
                region=self._region,
                tags=self._tags(kind),
            ),
            opts=self._opts(depends_on=[logs.ready] if logs is not None else None),
        )
        self.load_balancer_dns = balancer.dns_name
        self.load_balancer_zone_id = balancer.zone_id
        self.load_balancer_arn_suffix = balancer.arn_suffix
        shifting = self.strategy != "ROLLING"
        groups = [self._target_group("blue")]
        if shifting:
            groups.append(self._target_group("green"))
        listeners: list[pulumi.Resource] = []
        rule_arn: pulumi.Output[str] | None = None
        if alb:
            # Production traffic: the blue group; with a shifting strategy the production rule below
            # takes every request and ECS moves its weights, so this default is only a fallback.
            forward = lb.ListenerDefaultActionArgs(type="forward", target_group_arn=groups[0].arn)
            https = lb.Listener(
                self._rname("https"),
                lb.ListenerArgs(
                    load_balancer_arn=balancer.arn,
                    port=443,
                    protocol="HTTPS",
                    ssl_policy=TLS_POLICY,
                    certificate_arn=a.certificate_arn,
                    default_actions=[forward],
                    region=self._region,
                    tags=self._tags("listener-https"),
                ),
                opts=self._opts(),
            )
            redirect = lb.Listener(
                self._rname("http-redirect"),
                lb.ListenerArgs(
                    load_balancer_arn=balancer.arn,
                    port=80,
                    protocol="HTTP",
                    default_actions=[
                        lb.ListenerDefaultActionArgs(
                            type="redirect",
                            redirect=lb.ListenerDefaultActionRedirectArgs(
                                protocol="HTTPS", port="443", status_code="HTTP_301"
                            ),
                        )
                    ],
                    region=self._region,
                    tags=self._tags("listener-http"),
                ),
                opts=self._opts(),
            )
            listeners += [https, redirect]
            if shifting:
                rule = lb.ListenerRule(
                    self._rname("production-rule"),
                    lb.ListenerRuleArgs(
                        listener_arn=https.arn,
                        priority=1,
                        conditions=[
                            lb.ListenerRuleConditionArgs(
                                path_pattern=lb.ListenerRuleConditionPathPatternArgs(values=["/*"])
                            )
                        ],
                        actions=[
                            lb.ListenerRuleActionArgs(
                                type="forward",
                                forward=lb.ListenerRuleActionForwardArgs(
                                    target_groups=[
                                        lb.ListenerRuleActionForwardTargetGroupArgs(
                                            arn=g.arn, weight=100 if i == 0 else 0
                                        )
                                        for i, g in enumerate(groups)
                                    ]
                                ),
                            )
                        ],
                        region=self._region,
                        tags=self._tags("listener-rule"),
                    ),
                    # ECS moves the weights during every deployment; do not move them back.
                    opts=self._opts(ignore_changes=["actions"]),
                )
                listeners.append(rule)
                rule_arn = rule.arn
        else:
            tls = kind == "nlb-tls"
            listener = lb.Listener(
                self._rname("tls" if tls else "tcp"),
                lb.ListenerArgs(
                    load_balancer_arn=balancer.arn,
                    port=443 if tls else agent.port,
                    protocol="TLS" if tls else "TCP",
                    ssl_policy=TLS_POLICY if tls else None,
                    certificate_arn=a.certificate_arn if tls else None,
                    default_actions=[lb.ListenerDefaultActionArgs(type="forward", target_group_arn=groups[0].arn)],
                    region=self._region,
                    tags=self._tags("listener"),
                ),
                opts=self._opts(),
            )
            listeners.append(listener)
        self._balancer_alarms(balancer, groups, alb)
        self._autoshift(balancer)
        if alb and public and agent.waf is not None:
            from components.aws.web_firewall import WebFirewall, WebFirewallArgs

            firewall = WebFirewall(
                self._rname("firewall"),
                WebFirewallArgs(
                    plan=agent.waf,
                    agent=agent.name,
                    region=self._region,
                    load_balancer_arn=balancer.arn,
                    tags=a.tags,
                    alarm_to=self._alarm_to,
                    key_arn=a.key_arn,
                    log_retention_days=LOG_RETENTION_DAYS,
                ),
                opts=self._opts(),
            )
            # Not SLI alarms: kept out of `alarms` (the region-health composite, deployments, drills).
            self.firewall_alarms = firewall.alarms
        return groups, listeners, rule_arn

    def _autoshift(self, balancer: lb.LoadBalancer) -> None:
        """Zonal autoshift where the plan asks for it: AWS shifts traffic out of a zone it sees impaired,
        and runs a weekly practice shift that the SLO alarms judge (outcome: the run stops and reports
        failure if customers are hurt) and block (no practice run starts while they are in ALARM).
        A load balancer without SLO alarms (an internal NLB) gets none: ARC requires an outcome alarm."""
        a = self._args
        if not a.zonal_autoshift or not self._zonal_shift or not self._slo_alarms:
            return
        self.autoshift = arczonalshift.ZonalAutoshiftConfiguration(
            self._rname("zonal-autoshift"),
            arczonalshift.ZonalAutoshiftConfigurationArgs(
                resource_arn=balancer.arn,
                zonal_autoshift_status="ENABLED",
                outcome_alarms=[
                    arczonalshift.ZonalAutoshiftConfigurationOutcomeAlarmArgs(alarm_identifier=x.arn, type="CLOUDWATCH")
                    for x in self._slo_alarms
                ],
                blocking_alarms=[
                    arczonalshift.ZonalAutoshiftConfigurationBlockingAlarmArgs(
                        alarm_identifier=x.arn, type="CLOUDWATCH"
                    )
                    for x in self._slo_alarms
                ],
                region=self._region,
            ),
            opts=self._opts(),
        )

    def _balancer_alarms(self, balancer: lb.LoadBalancer, groups: list[lb.TargetGroup], alb: bool) -> None:
        a = self._args
        plan = a.alarms
        agent = a.agent.name
        namespace = "AWS/ApplicationELB" if alb else "AWS/NetworkELB"
        if alb and plan.error_rate_percent is not None:
            dims = {"LoadBalancer": balancer.arn_suffix}
            self._slo_alarms.append(
                expression_alarm(
                    self._alarm_to,
                    part=agent,
                    sli="5xx-rate",
                    spec_path=self._path,
                    description=f"{agent} ({self._region}): more than {plan.error_rate_percent:g}% of requests "
                    "answered 5xx",
                    # Counts the load balancer's own 503s, so a deploy that leaves no target reads 100 %.
                    queries=error_ratio_queries(namespace, dims),
                    threshold=plan.error_rate_percent,
                    comparison="GreaterThanThreshold",
                    parent=self,
                )
            )
        if alb and plan.latency_p99_s is not None:
            self._slo_alarms.append(
                metric_alarm(
                    self._alarm_to,
                    part=agent,
                    sli="latency-p99",
                    spec_path=self._path,
                    description=f"{agent} ({self._region}): p99 latency above {plan.latency_p99_s:g}s",
                    namespace=namespace,
                    metric="TargetResponseTime",
                    dimensions={"LoadBalancer": balancer.arn_suffix},
                    extended_statistic="p99",
                    threshold=plan.latency_p99_s,
                    comparison="GreaterThanThreshold",
                    parent=self,
                )
            )
        self.alarms += self._slo_alarms
        for group, color in zip(groups, ("blue", "green"), strict=False):
            dims = {"LoadBalancer": balancer.arn_suffix, "TargetGroup": group.arn_suffix}
            if plan.unhealthy_hosts:
                self.alarms.append(
                    metric_alarm(
                        self._alarm_to,
                        part=agent,
                        sli=f"unhealthy-hosts-{color}",
                        spec_path=self._path,
                        description=f"{agent} ({self._region}): the load balancer sees an unhealthy target "
                        f"({color} target group)",
                        namespace=namespace,
                        metric="UnHealthyHostCount",
                        dimensions=dims,
                        threshold=1,
                        comparison="GreaterThanOrEqualToThreshold",
                        parent=self,
                    )
                )
            if a.agent.ingress and a.alarms.no_healthy_host is not None:
                # Route 53 reads this one (single metric, standard statistic); no email of its own.
                # Period and evaluation periods come from the plan (blueprints/plan/timing.py), which
                # counts exactly these in the region RTO.
                # Missing data breaches for both colors: a private ingress is healthy while either group
                # has a healthy host (a CALCULATED check over both), so an idle group, or a region whose
                # metrics stopped, read as "not breaching" would keep the region healthy for good.
                self.healthy_alarms.append(
                    metric_alarm(
                        self._alarm_to,
                        part=agent,
                        sli=f"no-healthy-hosts-{color}",
                        spec_path=self._path,
                        description=f"{agent} ({self._region}): no healthy target ({color} target group); "
                        "Route 53 fails the region over on this",
                        namespace=namespace,
                        metric=a.alarms.no_healthy_host.metric,
                        dimensions=dims,
                        statistic="Minimum",
                        threshold=1,
                        comparison="LessThanThreshold",
                        period=a.alarms.no_healthy_host.period_s,
                        evaluation_periods=a.alarms.no_healthy_host.evaluation_periods,
                        datapoints=a.alarms.no_healthy_host.datapoints,
                        missing="breaching",
                        notify=False,
                        parent=self,
                    )
                )

    # --- service --------------------------------------------------------------------------------

    def _deployment_alarms(self) -> list[pulumi.Input[str]]:
        """The SLO alarms that fail (and roll back) a deployment: the new version's own 5xx rate and
        p99 latency (plus any the topology adds). Dead letters page but do not roll back."""
        names: list[pulumi.Input[str]] = [alarm.name for alarm in self._slo_alarms]
        names += list(self._args.deployment_alarm_names)
        return names

    def _service(
        self,
        task_definition: ecs.TaskDefinition,
        balancing: tuple[list[lb.TargetGroup], list[pulumi.Resource], pulumi.Output[str] | None] | None,
        deployment_alarms: list[pulumi.Input[str]],
        policies: list[iam.RolePolicy | None],
    ) -> ecs.Service:
        a = self._args
        agent = a.agent
        rollback = a.rollout.auto_rollback
        load_balancers: list[ecs.ServiceLoadBalancerArgs] | None = None
        depends: list[pulumi.Resource] = [p for p in policies if p is not None]
        if balancing is not None:
            groups, listeners, rule_arn = balancing
            depends += listeners
            advanced = None
            if self.strategy != "ROLLING" and rule_arn is not None:
                infra = self._role("ecs-infrastructure-role", "ecs.amazonaws.com", source_account=False)
                attachment = iam.RolePolicyAttachment(
                    self._rname("ecs-infrastructure-policy"),
                    iam.RolePolicyAttachmentArgs(
                        role=infra.name,
                        policy_arn=lift(a.partition, lambda p: f"arn:{p}:iam::aws:policy/{INFRASTRUCTURE_POLICY}"),
                    ),
                    opts=self._opts(),
                )
                depends.append(attachment)
                advanced = ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                    alternate_target_group_arn=groups[1].arn, production_listener_rule=rule_arn, role_arn=infra.arn
                )
            assert agent.port is not None
            load_balancers = [
                ecs.ServiceLoadBalancerArgs(
                    target_group_arn=groups[0].arn,
                    container_name=agent.name,
                    container_port=agent.port,
                    advanced_configuration=advanced,
                )
            ]
        settings = self._strategy_settings
        config = ecs.ServiceDeploymentConfigurationArgs(
            strategy=self.strategy,
            bake_time_in_minutes=settings.get("bake"),
            canary_configuration=ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
                canary_percent=settings["canary_percent"], canary_bake_time_in_minutes=settings["bake"]
            )
            if self.strategy == "CANARY"
            else None,
            linear_configuration=ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
                step_percent=settings["step_percent"], step_bake_time_in_minutes=settings["bake"]
            )
            if self.strategy == "LINEAR"
            else None,
        )
        grace = None
        if balancing is not None:
            startup = agent.startup
            grace = int(min(startup.period_s * startup.failure_threshold, 3600)) if startup else 60
        return ecs.Service(
            self._rname("service"),
            ecs.ServiceArgs(
                cluster=a.cluster_arn,
                task_definition=task_definition.arn,
                desired_count=a.placement.desired if a.start else 0,
                launch_type="FARGATE",
                platform_version="LATEST",
                network_configuration=ecs.ServiceNetworkConfigurationArgs(
                    subnets=list(a.private_subnet_ids),
                    security_groups=[a.task_security_group_id],
                    assign_public_ip=False,
                ),
                load_balancers=load_balancers,
                health_check_grace_period_seconds=grace,
                deployment_controller=ecs.ServiceDeploymentControllerArgs(type="ECS"),
                deployment_configuration=config,
                deployment_minimum_healthy_percent=100,
                deployment_maximum_percent=200,
                # The circuit breaker exists for rolling updates only; shifting strategies roll back on alarms.
                deployment_circuit_breaker=ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=rollback)
                if self.strategy == "ROLLING"
                else None,
                alarms=ecs.ServiceAlarmsArgs(alarm_names=deployment_alarms, enable=True, rollback=True)
                if rollback and deployment_alarms
                else None,
                availability_zone_rebalancing="ENABLED",
                propagate_tags="SERVICE",
                enable_ecs_managed_tags=True,
                region=self._region,
                tags=self._tags("service"),
            ),
            # Autoscaling owns the running count after creation.
            opts=self._opts(depends_on=depends, ignore_changes=["desiredCount"]),
        )

    # --- scaling --------------------------------------------------------------------------------

    def _scaling(self, service: ecs.Service) -> None:
        a = self._args
        agent = a.agent
        p = a.placement
        pilot_light = p.desired == 0
        maximum = max(p.max, a.activate_count, 1) if a.start else 0
        resource_id = pulumi.Output.all(a.cluster_name, service.name).apply(lambda v: f"service/{v[0]}/{v[1]}")
        target = appautoscaling.Target(
            self._rname("scaling-target"),
            appautoscaling.TargetArgs(
                service_namespace="ecs",
                scalable_dimension="ecs:service:DesiredCount",
                resource_id=resource_id,
                # Held at 0 until the stack starts the agents (first deploy: secrets not set yet). Raising
                # the range later makes Application Auto Scaling move the service into it.
                min_capacity=p.min if a.start else 0,
                max_capacity=maximum,
                region=self._region,
                tags=self._tags("autoscaling-target"),
            ),
            opts=self._opts(),
        )
        common = {
            "service_namespace": "ecs",
            "scalable_dimension": "ecs:service:DesiredCount",
            "resource_id": target.resource_id,
            "region": self._region,
        }
        if agent.scale_cpu_percent is not None:
            appautoscaling.Policy(
                self._rname("scale-on-cpu"),
                appautoscaling.PolicyArgs(
                    policy_type="TargetTrackingScaling",
                    target_tracking_scaling_policy_configuration=appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=float(agent.scale_cpu_percent),
                        predefined_metric_specification=appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                            predefined_metric_type="ECSServiceAverageCPUUtilization"
                        ),
                        disable_scale_in=pilot_light,
                        scale_in_cooldown=300,
                        scale_out_cooldown=60,
                    ),
                    **common,
                ),
                opts=self._opts(),
            )
        if agent.scale_backlog_per_replica is not None and a.access.consumes:
            self._backlog_policy(service, common, pilot_light)
        if pilot_light and a.activate_count > 0:
            self._activation(service, common)

    def _backlog_policy(self, service: ecs.Service, common: dict[str, Any], pilot_light: bool) -> None:
        a = self._args
        metrics = []
        ids = []
        for i, q in enumerate(a.access.consumes):
            ids.append(f"q{i}")
            metrics.append(
                BacklogMetric(
                    id=f"q{i}",
                    return_data=False,
                    metric_stat=BacklogStat(
                        stat="Sum",
                        metric=BacklogStatMetric(
                            namespace="AWS/SQS",
                            metric_name="ApproximateNumberOfMessagesVisible",
                            dimensions=[BacklogDimension(name="QueueName", value=q.queue_name)],
                        ),
                    ),
                )
            )
        metrics.append(
            BacklogMetric(
                id="tasks",
                return_data=False,
                metric_stat=BacklogStat(
                    stat="Average",
                    metric=BacklogStatMetric(
                        namespace="ECS/ContainerInsights",
                        metric_name="RunningTaskCount",
                        dimensions=[
                            BacklogDimension(name="ClusterName", value=a.cluster_name),
                            BacklogDimension(name="ServiceName", value=service.name),
                        ],
                    ),
                ),
            )
        )
        metrics.append(
            BacklogMetric(
                id="backlog", expression=f"({' + '.join(ids)}) / tasks", label="messages per task", return_data=True
            )
        )
        appautoscaling.Policy(
            self._rname("scale-on-backlog"),
            appautoscaling.PolicyArgs(
                policy_type="TargetTrackingScaling",
                target_tracking_scaling_policy_configuration=appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=float(a.agent.scale_backlog_per_replica or 1),
                    customized_metric_specification=BacklogSpec(metrics=metrics),
                    disable_scale_in=pilot_light,
                    scale_in_cooldown=300,
                    scale_out_cooldown=60,
                ),
                **common,
            ),
            opts=self._opts(),
        )

    def _activation(self, service: ecs.Service, common: dict[str, Any]) -> None:
        """Pilot light: work arriving while no task runs scales the service to the serving count.

        Both triggers stop firing once tasks run. That matters: CloudWatch re-invokes an Auto
        Scaling action every minute while its alarm stays in ALARM, so a trigger that kept firing
        while the region serves (requests flowing, messages waiting) would pin the service at
        ExactCapacity and undo every scale-out of the target tracking policies.
        """
        a = self._args
        policy = appautoscaling.Policy(
            self._rname("activate-on-failover"),
            appautoscaling.PolicyArgs(
                policy_type="StepScaling",
                step_scaling_policy_configuration=appautoscaling.PolicyStepScalingPolicyConfigurationArgs(
                    adjustment_type="ExactCapacity",
                    cooldown=60,
                    metric_aggregation_type="Maximum",
                    step_adjustments=[
                        appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                            metric_interval_lower_bound="0", scaling_adjustment=a.activate_count
                        )
                    ],
                ),
                **common,
            ),
            opts=self._opts(),
        )
        agent = a.agent.name
        # Period and evaluation periods from the plan (blueprints/plan/timing.py), which counts the same
        # window in the pilot light's scale-out step of the region RTO.
        activation = a.alarms.standby_activation or STANDBY_ACTIVATION_ALARM
        if self.load_balancer_arn_suffix is not None and a.load_balancer == "alb":
            # RequestCount counts only requests a target answered, so it stays at zero while the
            # standby has no task. The ALB answers 503 itself while its target groups have no
            # registered target, and stops as soon as the first task registers.
            self.activation_alarms.append(
                metric_alarm(
                    self._alarm_to,
                    part=agent,
                    sli="activate-on-requests",
                    spec_path=self._path,
                    description=f"{agent} ({self._region}): requests reached the pilot-light standby while no "
                    f"task runs (the load balancer answered 503); scaling to {a.activate_count} tasks",
                    namespace="AWS/ApplicationELB",
                    metric="HTTPCode_ELB_503_Count",
                    dimensions={"LoadBalancer": self.load_balancer_arn_suffix},
                    statistic="Sum",
                    threshold=1,
                    comparison="GreaterThanOrEqualToThreshold",
                    period=activation.period_s,
                    evaluation_periods=activation.evaluation_periods,
                    datapoints=activation.datapoints,
                    extra_actions=[policy.arn],
                    parent=self,
                )
            )
        running = {"ClusterName": a.cluster_name, "ServiceName": service.name}
        for q in a.access.consumes:
            # Messages waiting while no task runs (RunningTaskCount is absent or 0 then).
            self.activation_alarms.append(
                expression_alarm(
                    self._alarm_to,
                    part=agent,
                    sli=f"activate-on-{q.name}",
                    spec_path=self._path,
                    description=f"{agent} ({self._region}): messages wait in {q.name} at the pilot-light "
                    f"standby while no task runs; scaling to {a.activate_count} tasks",
                    queries=[
                        metric_query(
                            "messages",
                            "AWS/SQS",
                            "ApproximateNumberOfMessagesVisible",
                            {"QueueName": q.queue_name},
                            stat="Maximum",
                            period=activation.period_s,
                        ),
                        metric_query(
                            "tasks",
                            "ECS/ContainerInsights",
                            "RunningTaskCount",
                            running,
                            stat="Maximum",
                            period=activation.period_s,
                        ),
                        cloudwatch.MetricAlarmMetricQueryArgs(
                            id="waiting",
                            expression="IF(FILL(tasks, 0) < 1, messages, 0)",
                            label="messages waiting with no task running",
                            return_data=True,
                        ),
                    ],
                    threshold=1,
                    comparison="GreaterThanOrEqualToThreshold",
                    evaluation_periods=activation.evaluation_periods,
                    datapoints=activation.datapoints,
                    extra_actions=[policy.arn],
                    parent=self,
                )
            )

    def _running_alarm(self, service: ecs.Service) -> None:
        a = self._args
        p = a.placement
        if not a.alarms.running_below_min or p.min < 1:
            return
        self.alarms.append(
            metric_alarm(
                self._alarm_to,
                part=a.agent.name,
                sli="running-below-min",
                spec_path=self._path,
                description=f"{a.agent.name} ({self._region}): fewer than {p.min} tasks running (planned minimum)",
                namespace="ECS/ContainerInsights",
                metric="RunningTaskCount",
                dimensions={"ClusterName": a.cluster_name, "ServiceName": service.name},
                statistic="Minimum",
                threshold=p.min,
                comparison="LessThanThreshold",
                parent=self,
            )
        )
