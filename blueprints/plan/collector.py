"""The OpenTelemetry collector sidecar of an ECS task: AWS Distro for OpenTelemetry (ADOT), pure.

On ECS every task of an agent (and of the model gateway) runs an ADOT collector next to its container when
the spec asks for `observability.tracing: otel`. Containers of a Fargate task share one network namespace,
so the agent's OpenTelemetry SDK sends its spans to 127.0.0.1:4318 (OTLP/HTTP; gRPC on 4317 too) and the
collector forwards them to AWS X-Ray with the `awsxray` exporter. The gateway's collector also scrapes
LiteLLM's Prometheus endpoint (127.0.0.1:4000/metrics) and writes the SLI metrics as CloudWatch embedded
metric format (EMF) log events with the `awsemf` exporter: CloudWatch extracts them as metrics of the
namespace NAMESPACE, which the gateway's provider alarms read (components/aws/gateway_alarms.py).

Checked against aws-observability/aws-otel-collector v0.49.0 (tag of 2026-07-13; the repository's VERSION
file; it vendors opentelemetry-collector-contrib v0.156.0):
- Image `public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0`, built FROM scratch, `USER aoc`
  (uid/gid 4317), entry point `/awscollector`, a `/healthcheck` binary that GETs 127.0.0.1:13133/ (the
  `health_check` extension's default endpoint) and exits non-zero unless it answers 200
  (cmd/awscollector/Dockerfile, cmd/healthcheck/main.go). No shell in the image: the ECS health check is
  `["CMD", "/healthcheck"]`.
- Configuration: when the variable `AOT_CONFIG_CONTENT` is set, the collector reads its configuration from
  it instead of `--config` (pkg/config/config_factory.go). The built-in /etc/ecs/ecs-default-config.yaml is
  not used: its EMF exporter writes to `/aws/ecs/application/metrics`, a log group it would create itself,
  unencrypted and never expiring, and its receivers listen on 0.0.0.0.
- Components present in that build (pkg/defaultcomponents/defaults.go): otlp and prometheus receivers;
  memory_limiter, batch, resourcedetection, cumulativetodelta processors; awsxray and awsemf exporters;
  the health_check extension.
- `awsxray` calls only `PutTraceSegments` (and `PutTelemetryRecords` when `telemetry.enabled`, which
  defaults to false and is not set here); `awsemf` calls CloudWatch Logs only (`PutLogEvents`,
  `CreateLogStream`, and `CreateLogGroup` when the group is missing; here it exists): no
  `cloudwatch:PutMetricData`, CloudWatch turns the EMF events into metrics (exporter README,
  internal/aws/cwlogs/cwlog_client.go). X-Ray's sampling APIs (GetSamplingRules, GetSamplingTargets)
  serve the awsproxy extension and X-Ray SDKs' remote sampling, neither used here: the OpenTelemetry SDKs
  sample by their own configuration (parent-based, always on by default).
- The Prometheus receiver keeps a counter's `_total` suffix unless `trim_metric_suffixes` (off by
  default); the scrape asks for the Prometheus text format only (`scrape_protocols`), in which
  prometheus_client names a counter's family with its `_total` suffix, so the names are the ones the
  Kubernetes rules read (components/kubernetes/gateway_rules.py).
- `awsemf` sends a Prometheus histogram as a statistic set (count, sum, min, max) per period, no buckets
  (exporter datapoint.go), and cumulative histograms as they come: `cumulativetodelta` turns them (and the
  counters) into per-scrape increments first. So CloudWatch can give the gateway's mean provider latency
  (Sum / SampleCount), not its p99: the AWS latency alarm watches the mean, the Kubernetes rule the p99.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from blueprints.capacity import FARGATE_VCPUS, fargate_memory_options
from blueprints.plan.models import TaskSize

VERSION = "v0.49.0"
IMAGE = f"public.ecr.aws/aws-observability/aws-otel-collector:{VERSION}"
CONTAINER = "otel-collector"
"""The sidecar's container name in the task definition."""
USER = "4317:4317"
"""The image's own non-root user (`aoc`), stated so the task definition says what runs."""
CONFIG_ENV = "AOT_CONFIG_CONTENT"
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
OTLP_ENDPOINT = f"http://127.0.0.1:{OTLP_HTTP_PORT}"
"""What the agents' SDKs export to (OTEL_EXPORTER_OTLP_ENDPOINT, with protocol http/protobuf, as on
Kubernetes). An address, not `localhost`, so no SDK tries ::1 first where nothing listens."""
HEALTH_PORT = 13133
HEALTH_COMMAND = ("CMD", "/healthcheck")

CPU_UNITS = 128
"""The collector's CPU weight within the task (1/8 vCPU under contention): enough for the spans of one task
and a 60 s scrape. See `task` for why it is not added to the task's CPU."""
MEMORY_MIB = 256
"""The collector's hard memory limit: a runaway collector is stopped (and restarted) instead of starving the
agent. The memory_limiter processor refuses data above MEMORY_LIMIT_MIB first, and GOMEMLIMIT keeps Go's
heap below it."""
MEMORY_LIMIT_MIB = 200
MEMORY_SPIKE_MIB = 50

NAMESPACE = "AgentHA/ModelGateway"
"""The CloudWatch namespace of the gateway's metrics."""
SYSTEM_LABEL = "system"
"""A label every scraped series gets (the stack's scope), so two stacks in one account and region keep
their metrics apart; it is a dimension of every metric."""
SCRAPE_INTERVAL_S = 60

REQUESTS = "litellm_deployment_total_requests_total"
FAILURES = "litellm_deployment_failure_responses_total"
FALLBACKS = "litellm_deployment_successful_fallbacks_total"
FAILED_FALLBACKS = "litellm_deployment_failed_fallbacks_total"
TOKENS = "litellm_total_tokens_metric_total"
LATENCY = "litellm_llm_api_latency_metric"
"""LiteLLM 1.110.2's metric names as scraped (litellm/types/integrations/prometheus.py); the same metrics the
Kubernetes rules read. Labels: `model_group` on requests, failures and latency (the model agents ask for, a
dependency's name), `exception_status` on failures, `requested_model` on fallbacks and tokens."""
UP = "up"
"""The Prometheus receiver's own gauge per scrape: 1 when the gateway's /metrics answered, 0 when it did not.
Generated by the scrape itself (opentelemetry-collector-contrib receiver/prometheusreceiver: `up` is one of its
internal scrape metrics), so `metric_relabel_configs` never drops it (Prometheus: "Metric relabeling does not
apply to automatically generated timeseries such as up"). Published so that a silent pipeline (the collector
stopped, EMF not delivered, LiteLLM's /metrics gone) is itself an alarm instead of six alarms that see no data
and stay OK (components/aws/gateway_alarms.py)."""
DIMENSIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    REQUESTS: ((SYSTEM_LABEL, "model_group"),),
    FAILURES: ((SYSTEM_LABEL, "model_group"), (SYSTEM_LABEL, "model_group", "exception_status")),
    FALLBACKS: ((SYSTEM_LABEL, "requested_model"),),
    FAILED_FALLBACKS: ((SYSTEM_LABEL, "requested_model"),),
    TOKENS: ((SYSTEM_LABEL, "requested_model"),),
    LATENCY: ((SYSTEM_LABEL, "model_group"),),
    UP: ((SYSTEM_LABEL,),),
}
"""The dimension sets each metric is published with (nothing else becomes a CloudWatch metric)."""


@dataclass(frozen=True)
class Scrape:
    """A Prometheus endpoint in the task that the collector turns into CloudWatch metrics (the gateway's)."""

    port: int
    path: str
    log_group: str
    """The KMS-encrypted log group the EMF events go to (created by the stack, never by the exporter)."""
    system: str
    """The stack's scope, the `system` dimension."""


def _keep_regex() -> str:
    names = [n for n in DIMENSIONS if n not in (LATENCY, UP)]  # `up` is not a scraped series (see UP)
    return "|".join([*names, f"{LATENCY}_(bucket|sum|count)"])


def config(region: str, scrape: Scrape | None = None, *, traces: bool = True) -> dict:
    """The collector's configuration: with `traces`, OTLP in (loopback only) and X-Ray out; with `scrape`,
    the task's Prometheus endpoint to CloudWatch through EMF."""
    receivers: dict = {}
    if traces:
        receivers["otlp"] = {
            "protocols": {
                "grpc": {"endpoint": f"127.0.0.1:{OTLP_GRPC_PORT}"},
                "http": {"endpoint": f"127.0.0.1:{OTLP_HTTP_PORT}"},
            }
        }
    processors: dict = {
        "memory_limiter": {
            "check_interval": "1s",
            "limit_mib": MEMORY_LIMIT_MIB,
            "spike_limit_mib": MEMORY_SPIKE_MIB,
        },
        # ECS task metadata (cluster, task ARN, family) on every span and metric, from the task metadata endpoint.
        "resourcedetection": {"detectors": ["env", "ecs"], "timeout": "2s", "override": False},
    }
    exporters: dict = {}
    pipelines: dict = {}
    if traces:
        processors["batch/traces"] = {"timeout": "1s", "send_batch_size": 50}
        exporters["awsxray"] = {"region": region}
        pipelines["traces"] = {
            "receivers": ["otlp"],
            "processors": ["memory_limiter", "resourcedetection", "batch/traces"],
            "exporters": ["awsxray"],
        }
    if scrape is not None:
        receivers["prometheus"] = {
            "config": {
                "scrape_configs": [
                    {
                        "job_name": "model-gateway",
                        "scrape_interval": f"{SCRAPE_INTERVAL_S}s",
                        "scrape_timeout": "10s",
                        "metrics_path": scrape.path,
                        "scrape_protocols": ["PrometheusText0.0.4"],
                        "static_configs": [
                            {"targets": [f"127.0.0.1:{scrape.port}"], "labels": {SYSTEM_LABEL: scrape.system}}
                        ],
                        # Only the SLI metrics reach CloudWatch (each EMF event is billed as log ingestion).
                        "metric_relabel_configs": [
                            {"source_labels": ["__name__"], "regex": _keep_regex(), "action": "keep"}
                        ],
                    }
                ]
            }
        }
        processors["cumulativetodelta"] = {}
        processors["batch/metrics"] = {"timeout": "60s"}
        exporters["awsemf"] = {
            "region": region,
            "namespace": NAMESPACE,
            "log_group_name": scrape.log_group,
            "log_stream_name": "{TaskId}",
            "dimension_rollup_option": "NoDimensionRollup",
            "metric_declarations": [
                {"dimensions": [list(d) for d in dims], "metric_name_selectors": [f"^{name}$"]}
                for name, dims in DIMENSIONS.items()
            ],
        }
        pipelines["metrics"] = {
            "receivers": ["prometheus"],
            "processors": ["memory_limiter", "resourcedetection", "cumulativetodelta", "batch/metrics"],
            "exporters": ["awsemf"],
        }
    return {
        "extensions": {"health_check": {"endpoint": f"127.0.0.1:{HEALTH_PORT}"}},
        "receivers": receivers,
        "processors": processors,
        "exporters": exporters,
        "service": {"extensions": ["health_check"], "pipelines": pipelines},
    }


@lru_cache(maxsize=64)
def render(region: str, scrape: Scrape | None = None, *, traces: bool = True) -> str:
    """The configuration as YAML text, rendered once per (region, scrape, traces).

    Every agent's task in a region carries the same text: PyYAML's pure-Python emitter took ~6 ms per
    agent (2.4 s of CPU for the 414 agent services of a 10,000-resource stack); a string is immutable,
    so sharing it changes nothing but the time.
    """
    return yaml.safe_dump(config(region, scrape, traces=traces), sort_keys=False, default_flow_style=False)


def runs_sidecar(tracing: str | None, *, gateway: bool) -> bool:
    """Whether a task carries the collector: every task when the spec traces with OpenTelemetry
    (`observability.tracing: otel`), and the model gateway's always (its provider metrics reach CloudWatch
    through it)."""
    return tracing == "otel" or gateway


def task(cpu: float, memory_mib: int, *, sidecar: bool) -> TaskSize:
    """The Fargate task (CPU units, MiB) of an agent of `cpu` vCPU and `memory_mib`, with the collector when
    `sidecar`: the one place the size is decided, which the plan shows and the task definition states.

    Memory: the collector's hard limit is added on top of the agent's, at the smallest memory Fargate pairs
    with the agent's vCPU (a larger vCPU only when the agent's vCPU offers no such memory). CPU: the task keeps
    the agent's vCPU and the collector gets a CPU_UNITS weight of it. Fargate's CPU sizes double (0.25, 0.5,
    1, 2, 4 ...), so reserving 1/8 vCPU on top would double the task's price; the collector idles between
    batches and scrapes, and under full contention the agent keeps (cpu - CPU_UNITS/1024) vCPU.

    Beyond Fargate's sizes (the agent's own size is not one, or its memory plus the collector's is more than
    the largest vCPU takes) the unrounded size comes back and `offered` says no: the spec rule `fargate-size`
    reports it before anything is planned.
    """
    units = int(cpu * 1024)
    if not sidecar:
        return TaskSize(units, memory_mib, collector=False)
    need_memory = memory_mib + MEMORY_MIB
    for vcpu in FARGATE_VCPUS:
        if vcpu * 1024 < units:
            continue
        fits = [m for m in fargate_memory_options(vcpu) if m >= need_memory]
        if fits:
            return TaskSize(int(vcpu * 1024), fits[0], collector=True)
    return TaskSize(units, need_memory, collector=True)


def offered(size: TaskSize) -> bool:
    """Whether Fargate offers this task size."""
    return size.memory_mib in fargate_memory_options(size.vcpu)
