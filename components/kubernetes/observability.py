"""Observability: scrape targets, SLI alerts, SLO burn-rate alerts and a dashboard, per region.

Prometheus Operator objects: a ServiceMonitor for the agents (`/metrics` on their HTTP port,
OpenTelemetry HTTP server metrics), one for RabbitMQ (per-queue detailed metrics), PodMonitors for
CloudNativePG and the Redis exporter; a PrometheusRule with the spec's SLI alerts and multi-window,
multi-burn-rate alerts on the availability SLO (Google SRE workbook, chapter 5: page at 14.4× over
1h/5m and 6× over 6h/30m, ticket at 3× over 1d/2h and 1× over 3d/6h); and a Grafana dashboard as a
ConfigMap that Grafana's dashboard sidecar loads (label `grafana_dashboard: "1"`).

The agents' contract: serve Prometheus metrics at `/metrics` on their port, with the OpenTelemetry
semantic-convention histogram `http.server.request.duration` (exported as
`http_server_request_duration_seconds_*` with label `http_response_status_code`). Pod readiness
comes from kube-state-metrics.

Alert labels name the spec's parts (`agent: worker`, `queue: research-tasks`, `store: findings`), the
names people wrote and the policy rules look for. Object names can differ from them: a long
`<system>-<store>[-<region>]` is shortened with a hash to fit the operators' name limit, so the
CloudNativePG cluster an alert watches is in its own label (`cnpg_cluster`; not `cluster`, which
many Prometheus setups use as an external label for the Kubernetes cluster).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml

from blueprints.plan.models import AlarmPlan
from components.kubernetes import gateway_rules
from components.kubernetes.gateway_rules import WatchedGateway
from components.kubernetes.meta import RegionScope, custom_resource, object_name
from components.kubernetes.promql import (
    error_ratio,
    latency_p99,
    pods_ready,
    pods_selector,
    queue_acks,
    queue_messages,
    queue_ready,
    replication_lag,
    service_selector,
    synthetic_failing,
    wal_archive_failing,
    wal_archive_stalled,
)
from components.kubernetes.state_store import ARCHIVE_TIMEOUT_S

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
BURN_RATES = (
    # (severity, burn rate, long window, short window, for)
    ("page", 14.4, "1h", "5m", "2m"),
    ("page", 6.0, "6h", "30m", "15m"),
    ("ticket", 3.0, "1d", "2h", "1h"),
    ("ticket", 1.0, "3d", "6h", "3h"),
)
DETAILED_FAMILIES = ("queue_coarse_metrics", "queue_consumer_count", "queue_delivery_metrics")


@dataclass(frozen=True)
class WatchedAgent:
    name: str
    """The agent's name in the spec."""
    workload: str
    """Deployment/Rollout name (its pods are named `<workload>-<hash>-<suffix>`)."""
    service: str | None
    """Its Service (HTTP agents only)."""
    planned: int
    """Replicas the plan keeps running in this region."""


@dataclass(frozen=True)
class WatchedQueue:
    name: str
    queue: str
    dead_letter_queue: str


@dataclass(frozen=True)
class WatchedStore:
    name: str
    """The store's name in the spec (the alerts' `store` label)."""
    cluster: str
    """The CloudNativePG Cluster's object name in this region (its pods are `<cluster>-<n>`)."""
    primary: bool = True
    """This region's cluster takes the writes (False: a replica cluster restoring from the archive)."""


@dataclass(frozen=True)
class SyntheticProbe:
    """The ingress agent's synthetic transaction in this region (spec `ingress.synthetic`)."""

    target: str
    """URL probed: this cluster's ingress controller Service, with the transaction's path."""
    domain: str
    """Host header and TLS server name (the ingress domain): this region's ingress, checked end to end."""
    method: str
    body: str | None
    expect_status: int
    body_contains: str | None
    interval_s: int
    timeout_s: int
    failure_threshold: int
    prober_url: str
    """blackbox-exporter's address (host:port), a prerequisite in the monitoring namespace."""


@dataclass(frozen=True)
class ObservabilityArgs:
    scope: RegionScope
    agents: tuple[WatchedAgent, ...]
    alarms: AlarmPlan
    availability_objective: float
    """Percent, e.g. 99.9."""
    slo_services: tuple[str, ...] = ()
    """Services whose HTTP errors count against the availability SLO (the ingress agent's)."""
    queues: tuple[WatchedQueue, ...] = ()
    vhost: str | None = None
    broker: str | None = None
    postgres_stores: tuple[WatchedStore, ...] = ()
    redis_replications: tuple[str, ...] = ()
    dashboard: bool = True
    gateway: WatchedGateway | None = None
    """The model gateway: its provider SLIs (components/kubernetes/gateway_rules.py)."""
    synthetic: SyntheticProbe | None = None


class Observability(pulumi.ComponentResource):
    """Scrape targets, alert rules and the dashboard of one region (see the module docstring)."""

    rule_name: str
    alert_names: list[str]

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:Observability", name, None, opts)
        scope = args.scope
        self._args = args
        self._ns = scope.namespace
        base = object_name(scope.system, "observability")
        self._labels = scope.labels(name="observability", instance=base, component="observability")
        self.rule_name = object_name(scope.system, "slo")
        self.alert_names = []
        self._monitors()
        self._rules()
        if args.dashboard:
            self._dashboard()
        self.register_outputs({"rule": self.rule_name, "alerts": self.alert_names})

    def _meta(self, name: str, labels: dict[str, str] | None = None) -> Any:
        return self._args.scope.metadata(name, labels=labels or self._labels, spec_path="observability")

    def _cr(self, role: str, kind: str, name: str, spec: dict[str, Any]) -> None:
        scope = self._args.scope
        custom_resource(
            scope.resource_name("observability", role),
            api_version="monitoring.coreos.com/v1",
            kind=kind,
            metadata=self._meta(name),
            spec=spec,
            opts=scope.opts(self),
        )

    # --- scrape targets --------------------------------------------------------------------------

    @property
    def synthetic_job(self) -> str:
        """The synthetic Probe's job label (set with `jobName`, so the alert does not guess it)."""
        return object_name(self._args.scope.system, "synthetic")

    def _synthetic(self) -> None:
        """A Probe through blackbox-exporter, and the module it names as blackbox-exporter config.

        blackbox-exporter is a prerequisite (monitoring namespace, like Prometheus and the
        OpenTelemetry collector): the Probe CR can only name a module, and a module (method, body,
        Host header, expected status and body) lives in the exporter's own config file, which the
        cluster's monitoring stack owns. The module is rendered into a ConfigMap for that config."""
        from pulumi_kubernetes.core.v1 import ConfigMap

        syn = self._args.synthetic
        if syn is None:
            return
        scope = self._args.scope
        module = self.synthetic_job
        http: dict[str, Any] = {
            "method": syn.method,
            "headers": {"Host": syn.domain} | ({"Content-Type": "application/json"} if syn.body is not None else {}),
            "valid_status_codes": [syn.expect_status],
            "preferred_ip_protocol": "ip4",
            "tls_config": {"server_name": syn.domain},
        }
        if syn.body is not None:
            http["body"] = syn.body
        if syn.body_contains is not None:
            http["fail_if_body_not_matches_regexp"] = [re.escape(syn.body_contains)]
        config = {"modules": {module: {"prober": "http", "timeout": f"{syn.timeout_s}s", "http": http}}}
        ConfigMap(
            scope.resource_name("observability", "blackbox-module"),
            metadata=self._meta(object_name(scope.system, "blackbox-module")),
            data={"blackbox-module.yaml": yaml.safe_dump(config, sort_keys=True)},
            opts=scope.opts(self),
        )
        self._cr(
            "synthetic-probe",
            "Probe",
            module,
            {
                "jobName": self.synthetic_job,
                "interval": f"{syn.interval_s}s",
                "scrapeTimeout": f"{syn.timeout_s}s",
                "module": module,
                "prober": {"url": syn.prober_url, "scheme": "http", "path": "/probe"},
                "targets": {
                    "staticConfig": {
                        "static": [syn.target],
                        "labels": {"system": scope.system, "region": scope.region},
                    }
                },
            },
        )

    def _monitors(self) -> None:
        args, system = self._args, self._args.scope.system
        self._synthetic()
        if any(a.service for a in args.agents):
            self._cr(
                "agents-monitor",
                "ServiceMonitor",
                object_name(system, "agents"),
                {
                    "selector": {
                        "matchLabels": {"app.kubernetes.io/part-of": system, "app.kubernetes.io/component": "agent"}
                    },
                    "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s", "scheme": "http"}],
                    # Lets Argo Rollouts' analysis tell canary pods from stable ones.
                    "podTargetLabels": ["rollouts-pod-template-hash"],
                    "targetLabels": ["app.kubernetes.io/name"],
                },
            )
        if args.broker and args.vhost:
            from components.kubernetes.message_broker import METRICS_PORT_NAME, tls_secret

            # The broker has TLS, so its Service offers metrics only on `prometheus-tls` (HTTPS).
            # Prometheus scrapes each pod by IP: it verifies the broker's certificate against its CA
            # under the Service name the certificate is issued for.
            scrape = {
                "port": METRICS_PORT_NAME,
                "interval": "30s",
                "scheme": "https",
                "tlsConfig": {
                    "ca": {"secret": {"name": tls_secret(system), "key": "ca.crt"}},
                    "serverName": f"{args.broker}.{self._ns}.svc",
                },
            }
            self._cr(
                "rabbitmq-monitor",
                "ServiceMonitor",
                object_name(args.broker, "metrics"),
                {
                    "selector": {"matchLabels": {"app.kubernetes.io/name": args.broker}},
                    "endpoints": [
                        scrape | {"path": "/metrics"},
                        scrape
                        | {
                            "path": "/metrics/detailed",
                            "params": {"family": list(DETAILED_FAMILIES), "vhost": [args.vhost]},
                        },
                    ],
                },
            )
        for cluster in (s.cluster for s in args.postgres_stores):
            self._cr(
                f"{cluster}-monitor",
                "PodMonitor",
                object_name(cluster, "metrics"),
                {
                    "selector": {"matchLabels": {"cnpg.io/cluster": cluster}},
                    "podMetricsEndpoints": [{"port": "metrics", "interval": "30s"}],
                },
            )
        for name in args.redis_replications:
            self._cr(
                f"{name}-monitor",
                "PodMonitor",
                object_name(name, "metrics"),
                {
                    "selector": {"matchLabels": {"app": name}},
                    "podMetricsEndpoints": [{"port": "redis-exporter", "interval": "30s"}],
                },
            )

    # --- rules -----------------------------------------------------------------------------------

    def _alert(
        self, name: str, expr: str, for_: str, severity: str, summary: str, labels: dict[str, str] | None = None
    ) -> dict[str, Any]:
        self.alert_names.append(name)
        scope = self._args.scope
        return {
            "alert": name,
            "expr": expr,
            "for": for_,
            "labels": {"severity": severity, "system": scope.system, "region": scope.region, **(labels or {})},
            "annotations": {"summary": summary},
        }

    def _rules(self) -> None:
        args, ns = self._args, self._ns
        alarms = args.alarms
        system = args.scope.system
        groups: list[dict[str, Any]] = []
        if args.slo_services:
            services = "|".join(sorted(args.slo_services))
            sel = f'namespace="{ns}",service=~"{services}"'
            recording = [
                {
                    "record": f"agentha:slo_errors:ratio_rate{w}",
                    "expr": error_ratio(sel, w),
                    "labels": {"system": system},
                }
                for w in WINDOWS
            ]
            groups.append({"name": f"{system}-slo-recording", "interval": "30s", "rules": recording})
            budget = 1 - args.availability_objective / 100
            burn = []
            for severity, rate, long, short, for_ in BURN_RATES:
                threshold = f"({rate:g} * {budget:.6g})"
                burn.append(
                    self._alert(
                        f"SLOErrorBudgetBurn{long.upper()}",
                        f'agentha:slo_errors:ratio_rate{long}{{system="{system}"}} > {threshold}'
                        f' and agentha:slo_errors:ratio_rate{short}{{system="{system}"}} > {threshold}',
                        for_,
                        severity,
                        f"{system} is burning its {args.availability_objective:g}% availability error budget "
                        f"{rate:g}x too fast (over {long} and {short})",
                        {"long_window": long},
                    )
                )
            groups.append({"name": f"{system}-slo-burn", "rules": burn})
        syn = args.synthetic
        if syn is not None:
            # An SLO signal: every failed run is a user's failed request, and the total outage in which
            # no request reaches the ingress (so the error ratio has no data) reads as failing too.
            alert = self._alert(
                "SyntheticTransactionFailing",
                synthetic_failing(self.synthetic_job),
                f"{syn.interval_s * (syn.failure_threshold - 1)}s",
                "page",
                f"{system} ({args.scope.region}): the synthetic {syn.method} through the ingress failed "
                f"{syn.failure_threshold} run(s) in a row, or no result arrives",
            )
            groups.append({"name": f"{system}-synthetic", "rules": [alert]})
        sli: list[dict[str, Any]] = []
        for agent in args.agents:
            pods = pods_selector(ns, agent.workload)
            if agent.service:
                sel = service_selector(ns, agent.service)
                if alarms.error_rate_percent is not None:
                    sli.append(
                        self._alert(
                            "AgentErrorRateHigh",
                            f"{error_ratio(sel, '5m')} > {alarms.error_rate_percent / 100:g}",
                            "5m",
                            "page",
                            f"agent {agent.name}: more than {alarms.error_rate_percent:g}% of requests fail",
                            {"agent": agent.name},
                        )
                    )
                if alarms.latency_p99_s is not None:
                    sli.append(
                        self._alert(
                            "AgentLatencyP99High",
                            f"{latency_p99(sel, '5m')} > {alarms.latency_p99_s:g}",
                            "5m",
                            "page",
                            f"agent {agent.name}: p99 latency above {alarms.latency_p99_s:g}s",
                            {"agent": agent.name},
                        )
                    )
            if alarms.unhealthy_hosts:
                sli.append(
                    self._alert(
                        "AgentPodsNotReady",
                        f"{pods_ready(pods, 'false')} > 0",
                        "5m",
                        "ticket",
                        f"agent {agent.name}: pods not ready for 5 minutes",
                        {"agent": agent.name},
                    )
                )
            if alarms.running_below_min and agent.planned > 0:
                sli.append(
                    self._alert(
                        "AgentBelowPlannedReplicas",
                        f"({pods_ready(pods, 'true')} or vector(0)) < {agent.planned}",
                        "5m",
                        "page",
                        f"agent {agent.name}: fewer than the planned {agent.planned} replicas ready",
                        {"agent": agent.name},
                    )
                )
        for queue in args.queues:
            if alarms.oldest_message_age_s is not None:
                # RabbitMQ exports no age for quorum queues: estimate it as backlog ÷ delivery rate
                # (Little's law). A backlog nobody consumes estimates as very old, as it should; but on a
                # quiet queue (no acks in 5m) one fresh message also divides by ~0. A message older than
                # the threshold needs the queue to have held messages for that whole span, so that is
                # required too: the estimate alone never pages.
                waiting, acked = queue_ready(args.vhost, queue.queue), queue_acks(args.vhost, queue.queue, "5m")
                threshold = alarms.oldest_message_age_s
                sli.append(
                    self._alert(
                        "QueueOldestMessageAgeHigh",
                        f"({waiting} / clamp_min({acked}, 1e-9) > {threshold:g})"
                        f" and (min_over_time({waiting}[{math.ceil(threshold)}s:1m]) > 0)",
                        "2m",
                        "page",
                        f"queue {queue.name}: waiting messages are older than {alarms.oldest_message_age_s:g}s "
                        "(estimated)",
                        {"queue": queue.name},
                    )
                )
            if alarms.dead_letters is not None:
                sli.append(
                    self._alert(
                        "QueueDeadLetters",
                        f"{queue_messages(args.vhost, queue.dead_letter_queue)} >= {alarms.dead_letters}",
                        "1m",
                        "ticket",
                        f"queue {queue.name}: {alarms.dead_letters}+ messages in its dead-letter queue",
                        {"queue": queue.name},
                    )
                )
        for store in args.postgres_stores:
            if alarms.replication_lag_s is None:
                continue
            part = {"store": store.name, "cnpg_cluster": store.cluster}
            # Streaming standbys only: a replica cluster's designated primary restores from the archive
            # and reports the time since the primary's last transaction as its lag (promql.replication_lag).
            sli.append(
                self._alert(
                    "StoreReplicationLagHigh",
                    f"{replication_lag(ns, store.cluster)} > {alarms.replication_lag_s:g}",
                    "5m",
                    "page",
                    f"store {store.name} (cluster {store.cluster}): a streaming standby lags more than "
                    f"{alarms.replication_lag_s:g}s",
                    part,
                )
            )
            # WAL reaches other regions and backups only through the archive: a primary that cannot
            # archive lets the region RPO grow without bound. CloudNativePG's LastFailedArchiveTime (1m).
            archive_severity = "page" if store.primary else "ticket"
            sli.append(
                self._alert(
                    "StoreWalArchiveFailing",
                    f"{wal_archive_failing(ns, store.cluster)} > 1",
                    "1m",
                    archive_severity,
                    f"store {store.name} (cluster {store.cluster}): WAL archiving to the object store fails",
                    part,
                )
            )
            sli.append(
                self._alert(
                    "StoreWalArchiveStalled",
                    wal_archive_stalled(ns, store.cluster, 2 * ARCHIVE_TIMEOUT_S),
                    "5m",
                    archive_severity,
                    f"store {store.name} (cluster {store.cluster}): WAL waits to be archived and nothing was "
                    f"archived for {2 * ARCHIVE_TIMEOUT_S // 60} minutes (twice archive_timeout)",
                    part,
                )
            )
        if sli:
            groups.append({"name": f"{system}-sli", "rules": sli})
        if args.gateway is not None:
            groups.append(
                {"name": f"{system}-model-gateway", "rules": gateway_rules.rules(ns, args.gateway, self._alert)}
            )
        if not groups:
            return
        self._cr("rules", "PrometheusRule", self.rule_name, {"groups": groups})

    # --- dashboard -------------------------------------------------------------------------------

    def _dashboard(self) -> None:
        from pulumi_kubernetes.core.v1 import ConfigMap

        args, ns, scope = self._args, self._ns, self._args.scope
        panels: list[tuple[str, str, str]] = []
        if args.slo_services:
            panels.append(("Availability (SLI, 30m)", "1 - agentha:slo_errors:ratio_rate30m", "percentunit"))
        if args.synthetic is not None:
            panels.append(("Synthetic transaction failing", synthetic_failing(self.synthetic_job), "short"))
        for agent in args.agents:
            pods = pods_selector(ns, agent.workload)
            panels.append((f"{agent.name}: ready replicas", pods_ready(pods, "true"), "short"))
            if agent.service:
                sel = service_selector(ns, agent.service)
                panels.append((f"{agent.name}: error rate", error_ratio(sel, "5m"), "percentunit"))
                panels.append((f"{agent.name}: p99 latency", latency_p99(sel, "5m"), "s"))
        for queue in args.queues:
            panels.append((f"{queue.name}: backlog", queue_ready(args.vhost, queue.queue), "short"))
            panels.append((f"{queue.name}: dead letters", queue_messages(args.vhost, queue.dead_letter_queue), "short"))
        for store in args.postgres_stores:
            panels.append((f"{store.name}: replication lag", replication_lag(ns, store.cluster), "s"))
        if args.gateway is not None:
            panels += gateway_rules.panels(ns, args.gateway)
        uid = hashlib.sha256(f"{scope.system}/{scope.region}".encode()).hexdigest()[:12]
        dashboard = {
            "uid": uid,
            "title": f"{scope.system} — {scope.region}",
            "tags": ["agentha", scope.system],
            "timezone": "utc",
            "schemaVersion": 39,
            "time": {"from": "now-6h", "to": "now"},
            "panels": [
                {
                    "id": i + 1,
                    "type": "timeseries",
                    "title": title,
                    "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
                    "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                    "targets": [{"refId": "A", "expr": expr}],
                }
                for i, (title, expr, unit) in enumerate(panels)
            ],
        }
        labels = dict(self._labels)
        labels["grafana_dashboard"] = "1"
        name = object_name(scope.system, "dashboard")
        ConfigMap(
            scope.resource_name("observability", "dashboard"),
            metadata=self._meta(name, labels),
            data={f"{scope.system}.json": json.dumps(dashboard, indent=2, sort_keys=True, ensure_ascii=False)},
            opts=scope.opts(self),
        )
