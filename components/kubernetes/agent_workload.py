"""AgentWorkload: one agent in one region's cluster, spread over zones, hardened, autoscaled.

Deployment (rolling, `maxUnavailable: 0`) or Argo Rollouts `Rollout` (canary, linear, blue-green)
with an `AnalysisTemplate` on the SLO metrics; a PodDisruptionBudget that keeps the planned capacity
through one zone's loss yet always allows an eviction; an HPA on CPU or a KEDA ScaledObject on queue
backlog; a Service (agents with a port), a ServiceAccount without a token, a PriorityClass, and a
NetworkPolicy that denies everything the agent does not need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pulumi

from blueprints.plan import gateway
from blueprints.plan.models import AgentPlan, AlarmPlan, Placement, ProbePlan, RolloutPlan
from components.kubernetes.meta import (
    RegionScope,
    cpu_quantity,
    custom_resource,
    env_name,
    memory_quantity,
    object_name,
    plain,
)
from components.kubernetes.network_policy import dns_egress, namespace_peer, tcp_ports
from components.kubernetes.promql import http_errors, http_requests, latency_p99, queues_selector
from components.kubernetes.wiring import TLS_MOUNT, BacklogSource, Peer, Wiring

RUN_AS = 65532
"""UID/GID the agent runs as (the distroless `nonroot` user): never root, whatever the image says."""
TMP_SIZE = "256Mi"
"""The only writable path is an emptyDir at /tmp (the root filesystem is read-only)."""
PRIVATE_RANGES_V4 = ("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")
PRIVATE_RANGES_V6 = ("fc00::/7", "fe80::/10")
SCALE_DOWN_WINDOW_S = 300
"""Scale down only after five minutes of lower load, so a brief dip does not shed capacity."""
ANALYSIS_INTERVAL = "1m"
ANALYSIS_INTERVAL_S = 60
PROGRESS_DEADLINE_S = 600
ANALYSIS_FAILURE_LIMIT = 2
ANALYSIS_WINDOW = "2m"
"""Rate window of the rollout analysis queries (the agents are scraped every 30 s)."""
ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"
HEARTBEAT_FILE = "/tmp/agentha-heartbeat"
"""Queue workers (no port) touch this file as their consume loop makes progress; the liveness probe
restarts a worker whose file is older than `heartbeat_max_age`."""
HEARTBEAT_SLACK_S = 120
"""Beyond the longest step: a worker is dead once it has not touched its heartbeat for a whole step
plus two minutes."""
OTLP_HTTP_PORT = 4318


def heartbeat_max_age(agent: AgentPlan) -> int:
    """Seconds after which a worker's heartbeat counts as stale: its longest step, plus slack, in whole
    minutes (`find -mmin` counts minutes)."""
    return 60 * math.ceil((math.ceil(agent.max_step_s) + HEARTBEAT_SLACK_S) / 60)


def heartbeat_command(agent: AgentPlan) -> list[str]:
    """True while the heartbeat file was touched within `heartbeat_max_age` (POSIX sh and `find`)."""
    minutes = heartbeat_max_age(agent) // 60
    return ["/bin/sh", "-c", f'test -n "$(find {HEARTBEAT_FILE} -mmin -{minutes} 2>/dev/null)"']


def pre_promotion_measurements(bake_s: float) -> int:
    """Measurements of a blue-green pre-promotion analysis: one now and one a minute over the bake time.

    Argo Rollouts promotes only once that AnalysisRun is `Successful`; a metric without `count` is
    measured indefinitely (what a canary's background analysis wants), so the run would never end and
    the new version would never be promoted.
    """
    return 1 + max(1, math.ceil(bake_s / ANALYSIS_INTERVAL_S))


def disruption_floor(placement: Placement) -> int:
    """PDB minAvailable: what a zone loss would leave, but always at least one eviction allowed.

    Over several zones that is the survivors of losing the fullest zone (≥ the agent's minimum by
    static stability); in one zone, all but one replica. 0 replicas (pilot light) or 1 give 0: the
    budget then blocks nothing.
    """
    if placement.desired <= 1:
        return 0
    keep = placement.survivors_after_zone_loss if len(placement.zones) > 1 else placement.desired - 1
    return max(1, min(keep, placement.desired - 1))


def priority_value(agent: AgentPlan) -> int:
    """Users' traffic first: the ingress agent, then other HTTP agents, then queue workers."""
    if agent.ingress:
        return 100_000
    return 90_000 if agent.port is not None else 80_000


def grace_period(agent: AgentPlan) -> int:
    """Time to finish the step in hand on shutdown (SIGTERM), bounded to an hour."""
    return int(min(3600, math.ceil(agent.max_step_s) + 15))


@dataclass(frozen=True)
class AgentWorkloadArgs:
    scope: RegionScope
    agent: AgentPlan
    placement: Placement
    rollout: RolloutPlan
    alarms: AlarmPlan
    wiring: Wiring = field(default_factory=Wiring)
    """Environment, CA files and peers from the stores and queues the agent uses."""
    secret_names: tuple[tuple[str, str], ...] = ()
    """(spec secret, Kubernetes Secret name) for each secret the agent reads; key `value`."""
    backlog: tuple[BacklogSource, ...] = ()
    """Queues whose backlog scales the agent (set only when the plan scales on backlog)."""
    ingress_namespace: str | None = None
    """Namespace of the ingress controller allowed to reach the ingress agent."""
    monitoring_namespace: str = "monitoring"
    prometheus_url: str = "http://prometheus-operated.monitoring.svc:9090"
    external_https: bool = True
    """Allow HTTPS to addresses outside private ranges (model providers, tool APIs)."""
    otlp_endpoint: str | None = None
    """OTLP/HTTP endpoint for traces (`OTEL_EXPORTER_OTLP_ENDPOINT`); default the collector Service
    `otel-collector` in the monitoring namespace, port 4318. The spec's `env` wins if it sets one."""
    dead_letter_queues: tuple[str, ...] = ()
    """Dead-letter queues of the queues the agent consumes (analysis of queue workers)."""
    vhost: str | None = None
    ingress_peers: tuple[Peer, ...] = ()
    """Pods in the namespace allowed to reach the agent's port (the model gateway's callers)."""


class AgentWorkload(pulumi.ComponentResource):
    """One agent's workload in one region (see the module docstring for what it holds)."""

    name: str
    kind: str
    replicas: int
    min_available: int
    service_name: str | None

    def __init__(self, name: str, args: AgentWorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:AgentWorkload", name, None, opts)
        self._args = args
        scope, agent, placement = args.scope, args.agent, args.placement
        self.name = object_name(scope.system, agent.name)
        self._labels = scope.labels(name=agent.name, instance=self.name, component="agent")
        self._selector = {
            "app.kubernetes.io/name": self._labels["app.kubernetes.io/name"],
            "app.kubernetes.io/instance": self._labels["app.kubernetes.io/instance"],
        }
        self._spec_path = gateway.workload_spec_path(agent.name)
        self.progressive = args.rollout.strategy != "rolling"
        # Blue-green only for agents that serve traffic and consume no queue: a preview pod connects to
        # the broker like any other and would take production messages before its analysis has passed
        # (nothing routes queues by Service). Queue consumers roll out as a canary instead.
        self.blue_green = args.rollout.strategy == "blue-green" and agent.port is not None and not agent.consumes
        self.kind = "Rollout" if self.progressive else "Deployment"
        self.replicas = placement.desired
        self.min_available = disruption_floor(placement)
        self.service_name = self.name if agent.port is not None else None

        self._service_account()
        self._priority_class()
        if agent.port is not None:
            self._service(self.name, "service")
            if self.blue_green:
                self._service(object_name(self.name, "preview"), "preview-service")
        autoscaled = self._autoscaler()
        self._workload(autoscaled)
        self._disruption_budget()
        self._network_policy()
        self.register_outputs(
            {"name": self.name, "kind": self.kind, "replicas": self.replicas, "minAvailable": self.min_available}
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _meta(self, name: str, *, namespaced: bool = True) -> Any:
        return self._args.scope.metadata(name, labels=self._labels, spec_path=self._spec_path, namespaced=namespaced)

    def _rname(self, role: str) -> str:
        return self._args.scope.resource_name(self._args.agent.name, role)

    def _opts(self, **extra: Any) -> pulumi.ResourceOptions:
        return self._args.scope.opts(self, **extra)

    # --- identity and scheduling ------------------------------------------------------------------

    def _service_account(self) -> None:
        from pulumi_kubernetes.core.v1 import ServiceAccount

        # The agent never calls the Kubernetes API: no token is mounted (nor can one be, by default).
        ServiceAccount(
            self._rname("service-account"),
            metadata=self._meta(self.name),
            automount_service_account_token=False,
            opts=self._opts(),
        )

    def _priority_class(self) -> None:
        from pulumi_kubernetes.scheduling.v1 import PriorityClass

        agent = self._args.agent
        PriorityClass(
            self._rname("priority-class"),
            metadata=self._meta(self.name, namespaced=False),
            value=priority_value(agent),
            global_default=False,
            preemption_policy="PreemptLowerPriority",
            description=f"{self._args.scope.system} agent {agent.name}: "
            + ("serves users" if agent.ingress else "serves HTTP" if agent.port else "queue worker"),
            opts=self._opts(namespaced=False),
        )

    def _service(self, name: str, role: str) -> None:
        from pulumi_kubernetes.core.v1 import Service as K8sService
        from pulumi_kubernetes.core.v1 import ServicePortArgs, ServiceSpecArgs

        port = self._args.agent.port
        assert port is not None
        K8sService(
            self._rname(role),
            metadata=self._meta(name),
            spec=ServiceSpecArgs(
                type="ClusterIP",
                selector=dict(self._selector),
                ports=[ServicePortArgs(name="http", port=port, target_port="http", protocol="TCP")],
            ),
            opts=self._opts(),
        )

    # --- the pod ---------------------------------------------------------------------------------

    @property
    def otlp_endpoint(self) -> str:
        args = self._args
        return args.otlp_endpoint or f"http://otel-collector.{args.monitoring_namespace}.svc:{OTLP_HTTP_PORT}"

    def _probe(self, probe: ProbePlan | None) -> Any:
        from pulumi_kubernetes.core.v1 import HTTPGetActionArgs, ProbeArgs

        if probe is None:
            return None
        return ProbeArgs(
            http_get=HTTPGetActionArgs(path=probe.path, port="http", scheme="HTTP"),
            period_seconds=max(1, math.ceil(probe.period_s)),
            timeout_seconds=max(1, math.ceil(probe.timeout_s)),
            failure_threshold=probe.failure_threshold,
            success_threshold=1,
        )

    def _heartbeat_probe(self, *, period_s: int, failure_threshold: int) -> Any:
        from pulumi_kubernetes.core.v1 import ExecActionArgs, ProbeArgs

        return ProbeArgs(
            exec_=ExecActionArgs(command=heartbeat_command(self._args.agent)),
            period_seconds=period_s,
            timeout_seconds=5,
            failure_threshold=failure_threshold,
            success_threshold=1,
        )

    def _env(self) -> list[Any]:
        from pulumi_kubernetes.core.v1 import EnvVarArgs, EnvVarSourceArgs, SecretKeySelectorArgs

        args = self._args
        literal: dict[str, str] = dict(args.agent.env)
        # The root filesystem is read-only: tools that write under $HOME write to /tmp instead.
        literal.setdefault("HOME", "/tmp")
        literal["AGENTHA_REGION"] = args.scope.region
        literal["AGENTHA_NAMESPACE"] = args.scope.namespace
        if "OTEL_TRACES_EXPORTER" in literal:
            # Without an endpoint the SDKs export to localhost, where nothing listens.
            literal.setdefault("OTEL_EXPORTER_OTLP_ENDPOINT", self.otlp_endpoint)
            literal.setdefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        if args.agent.port is None:
            literal["AGENTHA_HEARTBEAT_FILE"] = HEARTBEAT_FILE
            literal["AGENTHA_HEARTBEAT_MAX_AGE_SECONDS"] = str(heartbeat_max_age(args.agent))
        if args.wiring.ca_files:
            literal["AGENTHA_TLS_DIR"] = TLS_MOUNT
        from_secret: dict[str, tuple[str, str]] = {}
        for spec_name, secret in args.secret_names:
            from_secret[env_name(spec_name)] = (secret, "value")
        for var in args.wiring.env:
            if var.secret is not None and var.key is not None:
                from_secret[var.name] = (var.secret, var.key)
            elif var.value is not None:
                literal[var.name] = var.value
        out: list[Any] = []
        for key in sorted(set(literal) | set(from_secret)):
            if key in from_secret:
                secret, item = from_secret[key]
                out.append(
                    EnvVarArgs(
                        name=key,
                        value_from=EnvVarSourceArgs(
                            # Referenced by name; a missing Secret keeps the pod from starting.
                            secret_key_ref=SecretKeySelectorArgs(name=secret, key=item, optional=False)
                        ),
                    )
                )
            else:
                out.append(EnvVarArgs(name=key, value=literal[key]))
        return out

    def _pod_template(self, hash_label: str) -> Any:
        from pulumi_kubernetes.core.v1 import (
            AffinityArgs,
            CapabilitiesArgs,
            ContainerArgs,
            ContainerPortArgs,
            EmptyDirVolumeSourceArgs,
            KeyToPathArgs,
            PodAffinityTermArgs,
            PodAntiAffinityArgs,
            PodSecurityContextArgs,
            PodSpecArgs,
            PodTemplateSpecArgs,
            ProjectedVolumeSourceArgs,
            ResourceRequirementsArgs,
            SeccompProfileArgs,
            SecretProjectionArgs,
            SecurityContextArgs,
            TopologySpreadConstraintArgs,
            VolumeArgs,
            VolumeMountArgs,
            VolumeProjectionArgs,
            WeightedPodAffinityTermArgs,
        )
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

        args, agent = self._args, self._args.agent
        resources = {"cpu": cpu_quantity(agent.cpu), "memory": memory_quantity(agent.memory_mib)}
        mounts = [VolumeMountArgs(name="tmp", mount_path="/tmp")]
        volumes = [VolumeArgs(name="tmp", empty_dir=EmptyDirVolumeSourceArgs(size_limit=TMP_SIZE))]
        if args.wiring.ca_files:
            by_secret: dict[str, list[Any]] = {}
            for ca in args.wiring.ca_files:
                by_secret.setdefault(ca.secret, []).append(KeyToPathArgs(key=ca.key, path=ca.path))
            volumes.append(
                VolumeArgs(
                    name="tls",
                    projected=ProjectedVolumeSourceArgs(
                        default_mode=0o444,
                        sources=[
                            VolumeProjectionArgs(secret=SecretProjectionArgs(name=secret, items=items))
                            for secret, items in sorted(by_secret.items())
                        ],
                    ),
                )
            )
            mounts.append(VolumeMountArgs(name="tls", mount_path=TLS_MOUNT, read_only=True))
        container = ContainerArgs(
            name="agent",
            image=agent.image,
            # IfNotPresent: a pinned tag starts from the node's cache when the registry is down.
            image_pull_policy="IfNotPresent",
            command=list(agent.command) if agent.command else None,
            ports=[ContainerPortArgs(name="http", container_port=agent.port, protocol="TCP")] if agent.port else None,
            env=self._env(),
            resources=ResourceRequirementsArgs(requests=dict(resources), limits=dict(resources)),
            # A queue worker serves no port: a heartbeat file stands for its health (docs/kubernetes.md,
            # "What an agent container can count on"), so a hung consumer is restarted. It gets no
            # readiness probe: no Service routes to it, and a long step is not unreadiness.
            liveness_probe=self._probe(agent.liveness)
            if agent.port is not None
            else self._heartbeat_probe(period_s=30, failure_threshold=2),
            readiness_probe=self._probe(agent.readiness) if agent.port is not None else None,
            startup_probe=self._probe(agent.startup)
            if agent.port is not None
            # Up to five minutes to connect and write the first heartbeat.
            else self._heartbeat_probe(period_s=10, failure_threshold=30),
            security_context=SecurityContextArgs(
                allow_privilege_escalation=False,
                read_only_root_filesystem=agent.read_only_root,  # true unless the spec says otherwise
                run_as_non_root=True,
                run_as_user=RUN_AS,
                run_as_group=RUN_AS,
                privileged=False,
                capabilities=CapabilitiesArgs(drop=["ALL"]),
                seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"),
            ),
            volume_mounts=mounts,
        )
        selector = LabelSelectorArgs(match_labels=dict(self._selector))
        return PodTemplateSpecArgs(
            metadata=ObjectMetaArgs(labels=dict(self._labels)),
            spec=PodSpecArgs(
                service_account_name=self.name,
                automount_service_account_token=False,
                priority_class_name=self.name,
                termination_grace_period_seconds=grace_period(agent),
                security_context=PodSecurityContextArgs(
                    run_as_non_root=True,
                    run_as_user=RUN_AS,
                    run_as_group=RUN_AS,
                    fs_group=RUN_AS,
                    seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"),
                ),
                topology_spread_constraints=[
                    TopologySpreadConstraintArgs(
                        max_skew=1,
                        topology_key=ZONE_KEY,
                        when_unsatisfiable="DoNotSchedule",
                        label_selector=selector,
                        # Spread each revision on its own during a rollout.
                        match_label_keys=[hash_label],
                        # An unreachable zone's tainted nodes do not count as a domain, so replacements
                        # still schedule in the surviving zones.
                        node_taints_policy="Honor",
                    )
                ],
                affinity=AffinityArgs(
                    pod_anti_affinity=PodAntiAffinityArgs(
                        preferred_during_scheduling_ignored_during_execution=[
                            WeightedPodAffinityTermArgs(
                                weight=100,
                                pod_affinity_term=PodAffinityTermArgs(topology_key=HOST_KEY, label_selector=selector),
                            )
                        ]
                    )
                ),
                containers=[container],
                volumes=volumes,
            ),
        )

    # --- the workload ----------------------------------------------------------------------------

    def _workload(self, autoscaled: bool) -> None:
        # Where an HPA or ScaledObject owns the count, `replicas` is left out: a re-apply (server-side,
        # Pulumi's or Argo CD's) then neither conflicts with the autoscaler's field manager nor resets
        # the count it chose. A new workload starts at the API server's default (1) and the autoscaler
        # raises it to its minimum (the planned count) on its next sync.
        replicas = None if autoscaled else self.replicas
        if self.progressive:
            self._rollout(replicas)
            return
        from pulumi_kubernetes.apps.v1 import (
            Deployment,
            DeploymentSpecArgs,
            DeploymentStrategyArgs,
            RollingUpdateDeploymentArgs,
        )
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs

        Deployment(
            self._rname("deployment"),
            metadata=self._meta(self.name),
            spec=DeploymentSpecArgs(
                replicas=replicas,
                revision_history_limit=5,
                progress_deadline_seconds=600,
                selector=LabelSelectorArgs(match_labels=dict(self._selector)),
                strategy=DeploymentStrategyArgs(
                    type="RollingUpdate",
                    # Never below the planned count during a deploy: surge first, then retire.
                    rolling_update=RollingUpdateDeploymentArgs(max_unavailable=0, max_surge="25%"),
                ),
                template=self._pod_template("pod-template-hash"),
            ),
            opts=self._opts(),
        )

    def _rollout(self, replicas: int | None) -> None:
        args = self._args
        template_name = object_name(self.name, "slo")
        self._analysis_template(template_name)
        rollout = args.rollout
        analysis_args = [
            {"name": "canary-hash", "valueFrom": {"podTemplateHashValue": "Latest"}},
        ]
        analysis: dict[str, Any] = {"templates": [{"templateName": template_name}], "args": analysis_args}
        if not rollout.auto_rollback:
            # Measure and record, never abort: the spec asked for no automatic rollback.
            analysis["dryRun"] = [{"metricName": ".*"}]
        bake = f"{max(1, math.ceil(rollout.bake_s))}s"
        strategy: dict[str, Any]
        if self.blue_green:
            strategy = {
                "blueGreen": {
                    "activeService": self.name,
                    "previewService": object_name(self.name, "preview"),
                    # Promoted as soon as the pre-promotion analysis, which spans the bake time,
                    # has succeeded (a further autoPromotionSeconds pause would bake twice).
                    "autoPromotionEnabled": True,
                    "prePromotionAnalysis": analysis,
                    "scaleDownDelaySeconds": 30,
                }
            }
        else:
            # Canary and linear (and blue-green for queue consumers, whose preview pods would take
            # production messages, and queue workers, which have no traffic to switch):
            # shift the share of replicas step by step, baking at each, analysed in the background.
            steps: list[dict[str, Any]] = []
            for weight in rollout.steps:
                if weight >= 100:
                    break
                steps += [{"setWeight": weight}, {"pause": {"duration": bake}}]
            if not steps:
                steps = [{"pause": {"duration": bake}}]
            strategy = {
                "canary": {
                    "maxUnavailable": 0,
                    "maxSurge": "25%",
                    "steps": steps,
                    "analysis": {**analysis, "startingStep": min(1, len(steps) - 1)},
                }
            }
        custom_resource(
            self._rname("rollout"),
            api_version="argoproj.io/v1alpha1",
            kind="Rollout",
            metadata=self._meta(self.name),
            spec=({"replicas": replicas} if replicas is not None else {})
            | {
                "revisionHistoryLimit": 5,
                # Waiting on a pre-promotion analysis is not progress to Argo Rollouts (only a pause
                # is exempt): leave the analysis its whole span before the deadline aborts.
                "progressDeadlineSeconds": PROGRESS_DEADLINE_S
                + (pre_promotion_measurements(rollout.bake_s) * ANALYSIS_INTERVAL_S if "blueGreen" in strategy else 0),
                # A rollout that stalls is aborted (scaled back to stable), not left half-done.
                "progressDeadlineAbort": True,
                "selector": {"matchLabels": dict(self._selector)},
                "template": plain(self._pod_template("rollouts-pod-template-hash")),
                "strategy": strategy,
            },
            opts=self._opts(),
        )

    def _analysis_template(self, name: str) -> None:
        args, agent, alarms = self._args, self._args.agent, self._args.alarms
        ns = args.scope.namespace
        metrics: list[dict[str, Any]] = []
        prom = {"address": args.prometheus_url}
        new_pods = f"{self.name}-{{{{args.canary-hash}}}}-[a-z0-9]+"
        blue_green = self.blue_green
        if agent.port is not None and self.service_name is not None:
            if blue_green:
                # Before promotion the new pods sit behind the preview Service only (and are scraped
                # through it): select them by name, never by the active Service, which has none of them.
                sel = f'namespace="{ns}",pod=~"{new_pods}"'
            else:
                sel = (
                    f'namespace="{ns}",service="{self.service_name}",'
                    'rollouts_pod_template_hash="{{args.canary-hash}}"'
                )
            total = http_requests(sel, ANALYSIS_WINDOW)
            errors = http_errors(sel, ANALYSIS_WINDOW)
            threshold = (alarms.error_rate_percent if alarms.error_rate_percent is not None else 1.0) / 100
            metrics.append(
                {
                    "name": "error-rate",
                    "interval": ANALYSIS_INTERVAL,
                    "failureLimit": ANALYSIS_FAILURE_LIMIT,
                    # No traffic yet counts as no errors, not as a failed measurement.
                    "successCondition": f"result[0] <= {threshold:g}",
                    "provider": {
                        "prometheus": {**prom, "query": f"({errors} or vector(0)) / ({total} > 0 or vector(1))"}
                    },
                }
            )
            if alarms.latency_p99_s is not None:
                metrics.append(
                    {
                        "name": "latency-p99",
                        "interval": ANALYSIS_INTERVAL,
                        "failureLimit": ANALYSIS_FAILURE_LIMIT,
                        "successCondition": f"isNaN(result[0]) || result[0] <= {alarms.latency_p99_s:g}",
                        "provider": {
                            "prometheus": {
                                **prom,
                                "query": f"{latency_p99(sel, ANALYSIS_WINDOW)} or vector(0)",
                            }
                        },
                    }
                )
        if args.dead_letter_queues and args.vhost:
            metrics.append(
                {
                    "name": "dead-letters",
                    "interval": ANALYSIS_INTERVAL,
                    "failureLimit": ANALYSIS_FAILURE_LIMIT,
                    # Messages the new version could not process land in the dead-letter queues.
                    "successCondition": "result[0] <= 0",
                    "provider": {
                        "prometheus": {
                            **prom,
                            "query": "sum(delta(rabbitmq_detailed_queue_messages"
                            f"{{{queues_selector(args.vhost, args.dead_letter_queues)}}}[5m])) or vector(0)",
                        }
                    },
                }
            )
        if not metrics or blue_green:
            # Nothing to measure from outside, or (blue-green) no user traffic reaches the new pods before
            # promotion: at least check the new pods stay ready.
            metrics.append(
                {
                    "name": "ready-pods",
                    "interval": ANALYSIS_INTERVAL,
                    "failureLimit": ANALYSIS_FAILURE_LIMIT,
                    "successCondition": "result[0] <= 0",
                    "provider": {
                        "prometheus": {
                            **prom,
                            "query": f'sum(kube_pod_status_ready{{namespace="{ns}",condition="false",'
                            f'pod=~"{new_pods}"}}) or vector(0)',
                        }
                    },
                }
            )
        if blue_green:
            # A pre-promotion analysis must end (Successful) for the rollout to be promoted.
            count = pre_promotion_measurements(args.rollout.bake_s)
            metrics = [m | {"count": count} for m in metrics]
        custom_resource(
            self._rname("analysis-template"),
            api_version="argoproj.io/v1alpha1",
            kind="AnalysisTemplate",
            metadata=self._meta(name),
            spec={"args": [{"name": "canary-hash"}], "metrics": metrics},
            opts=self._opts(),
        )

    # --- availability ----------------------------------------------------------------------------

    def _target_ref(self) -> dict[str, str]:
        if self.progressive:
            return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": self.name}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name}

    def _autoscaler(self) -> bool:
        """An HPA on CPU, or a KEDA ScaledObject on backlog; none when there is nothing to scale."""
        args, placement = self._args, self._args.placement
        low, high = placement.min, placement.max
        if low < 1 or high <= low:
            # Pilot light (0 replicas) scales up at failover; a fixed count has nothing to scale.
            return False
        if args.backlog:
            self._scaled_object(low, high)
            return True
        if args.agent.scale_cpu_percent is None:
            return False
        from pulumi_kubernetes.autoscaling.v2 import (
            CrossVersionObjectReferenceArgs,
            HorizontalPodAutoscaler,
            HorizontalPodAutoscalerBehaviorArgs,
            HorizontalPodAutoscalerSpecArgs,
            HPAScalingRulesArgs,
            MetricSpecArgs,
            MetricTargetArgs,
            ResourceMetricSourceArgs,
        )

        ref = self._target_ref()
        HorizontalPodAutoscaler(
            self._rname("hpa"),
            metadata=self._meta(self.name),
            spec=HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=CrossVersionObjectReferenceArgs(
                    api_version=ref["apiVersion"], kind=ref["kind"], name=ref["name"]
                ),
                # Never below the planned (zone-loss-proof) count.
                min_replicas=low,
                max_replicas=high,
                metrics=[
                    MetricSpecArgs(
                        type="Resource",
                        resource=ResourceMetricSourceArgs(
                            name="cpu",
                            target=MetricTargetArgs(
                                type="Utilization", average_utilization=args.agent.scale_cpu_percent
                            ),
                        ),
                    )
                ],
                behavior=HorizontalPodAutoscalerBehaviorArgs(
                    scale_down=HPAScalingRulesArgs(stabilization_window_seconds=SCALE_DOWN_WINDOW_S)
                ),
            ),
            opts=self._opts(),
        )
        return True

    def _scaled_object(self, low: int, high: int) -> None:
        from pulumi_kubernetes.core.v1 import ConfigMap

        args = self._args
        auth_name = object_name(self.name, "rabbitmq")
        per_replica = args.agent.scale_backlog_per_replica or 1
        # KEDA reads `tls` only as an authentication parameter; it is not secret, so a ConfigMap. Over
        # HTTP it verifies the management listener's certificate with `ca` (KEDA 2.14+), and takes
        # `username`/`password` from the TriggerAuthentication (KEDA 2.16+; older ones ignore them).
        ConfigMap(
            self._rname("keda-config"),
            metadata=self._meta(auth_name),
            data={"tls": "enable"},
            opts=self._opts(),
        )
        first = args.backlog[0]
        custom_resource(
            self._rname("trigger-authentication"),
            api_version="keda.sh/v1alpha1",
            kind="TriggerAuthentication",
            metadata=self._meta(auth_name),
            spec={
                "secretTargetRef": [
                    {"parameter": "username", "name": first.credentials_secret, "key": "username"},
                    {"parameter": "password", "name": first.credentials_secret, "key": "password"},
                    {"parameter": "ca", "name": first.ca_secret, "key": "ca.crt"},
                ],
                "configMapTargetRef": [{"parameter": "tls", "name": auth_name, "key": "tls"}],
            },
            opts=self._opts(),
        )
        triggers: list[dict[str, Any]] = [
            {
                "type": "rabbitmq",
                "name": f"backlog-{source.queue}"[:63],
                "metadata": {
                    # The management API, not AMQP: over AMQP KEDA passively declares the queue and
                    # counts only ready messages, so workers busy on unacknowledged ones look idle and
                    # are scaled in. Over HTTP `QueueLength` counts ready and unacknowledged.
                    "protocol": "http",
                    "host": source.host,
                    "vhostName": source.vhost,
                    "queueName": source.queue,
                    "mode": "QueueLength",
                    "value": str(per_replica),
                },
                "authenticationRef": {"name": auth_name},
            }
            for source in args.backlog
        ]
        if args.agent.scale_cpu_percent is not None:
            triggers.append(
                {"type": "cpu", "metricType": "Utilization", "metadata": {"value": str(args.agent.scale_cpu_percent)}}
            )
        custom_resource(
            self._rname("scaled-object"),
            api_version="keda.sh/v1alpha1",
            kind="ScaledObject",
            metadata=self._meta(self.name),
            spec={
                "scaleTargetRef": self._target_ref(),
                "minReplicaCount": low,
                "maxReplicaCount": high,
                "pollingInterval": 15,
                "cooldownPeriod": SCALE_DOWN_WINDOW_S,
                "advanced": {
                    "horizontalPodAutoscalerConfig": {
                        "behavior": {"scaleDown": {"stabilizationWindowSeconds": SCALE_DOWN_WINDOW_S}}
                    }
                },
                "triggers": triggers,
            },
            opts=self._opts(),
        )

    def _disruption_budget(self) -> None:
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
        from pulumi_kubernetes.policy.v1 import PodDisruptionBudget, PodDisruptionBudgetSpecArgs

        PodDisruptionBudget(
            self._rname("pdb"),
            metadata=self._meta(self.name),
            spec=PodDisruptionBudgetSpecArgs(
                min_available=self.min_available,
                selector=LabelSelectorArgs(match_labels=dict(self._selector)),
                # A crash-looping pod must not hold up a node drain.
                unhealthy_pod_eviction_policy="AlwaysAllow",
            ),
            opts=self._opts(),
        )

    def _network_policy(self) -> None:
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
        from pulumi_kubernetes.networking.v1 import (
            IPBlockArgs,
            NetworkPolicy,
            NetworkPolicyEgressRuleArgs,
            NetworkPolicyIngressRuleArgs,
            NetworkPolicyPeerArgs,
            NetworkPolicySpecArgs,
        )

        args, agent = self._args, self._args.agent

        ingress: list[Any] = []
        if agent.port is not None:
            http = tcp_ports([agent.port])
            if agent.ingress and args.ingress_namespace:
                ingress.append(NetworkPolicyIngressRuleArgs(from_=[namespace_peer(args.ingress_namespace)], ports=http))
            for peer in args.ingress_peers:
                ingress.append(
                    NetworkPolicyIngressRuleArgs(
                        from_=[
                            NetworkPolicyPeerArgs(pod_selector=LabelSelectorArgs(match_labels=dict(peer.match_labels)))
                        ],
                        ports=http,
                    )
                )
            # Prometheus scrapes /metrics on the same port.
            ingress.append(NetworkPolicyIngressRuleArgs(from_=[namespace_peer(args.monitoring_namespace)], ports=http))
        # DNS at the cluster's resolver only (its pods, and NodeLocal DNSCache's address).
        egress: list[Any] = [dns_egress()]
        for peer in args.wiring.peers:
            if peer.cidrs:  # another region's cluster, over the cross-region network
                to = [NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=c)) for c in peer.cidrs]
            elif peer.namespace is not None:
                to = [
                    NetworkPolicyPeerArgs(
                        namespace_selector=LabelSelectorArgs(
                            match_labels={"kubernetes.io/metadata.name": peer.namespace}
                        ),
                        pod_selector=LabelSelectorArgs(match_labels=dict(peer.match_labels)),
                    )
                ]
            else:
                to = [NetworkPolicyPeerArgs(pod_selector=LabelSelectorArgs(match_labels=dict(peer.match_labels)))]
            egress.append(NetworkPolicyEgressRuleArgs(to=to, ports=tcp_ports(peer.ports)))
        if any(k == "OTEL_TRACES_EXPORTER" for k, _ in agent.env):
            egress.append(
                NetworkPolicyEgressRuleArgs(
                    to=[namespace_peer(args.monitoring_namespace)],
                    ports=tcp_ports([4317, 4318]),
                )
            )
        if args.external_https:
            egress.append(
                NetworkPolicyEgressRuleArgs(
                    to=[
                        NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr="0.0.0.0/0", except_=list(PRIVATE_RANGES_V4))),
                        NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr="::/0", except_=list(PRIVATE_RANGES_V6))),
                    ],
                    ports=tcp_ports([443]),
                )
            )
        NetworkPolicy(
            self._rname("network-policy"),
            metadata=self._meta(self.name),
            spec=NetworkPolicySpecArgs(
                # The instance label alone names this agent's pods.
                pod_selector=LabelSelectorArgs(
                    match_labels={"app.kubernetes.io/instance": self._selector["app.kubernetes.io/instance"]}
                ),
                policy_types=["Ingress", "Egress"],
                ingress=ingress,
                egress=egress,
            ),
            opts=self._opts(),
        )
