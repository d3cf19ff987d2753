"""The ADOT collector sidecar's configuration and task size (blueprints/plan/collector.py), pure."""

from __future__ import annotations

import re

import pytest
import yaml

from blueprints.capacity import fargate_memory_options
from blueprints.plan import collector
from components.kubernetes import gateway_rules
from components.kubernetes.gateway_rules import WatchedGateway, WatchedProvider

SCRAPE = collector.Scrape(port=4000, path="/metrics", log_group="/agentha/sys/model-gateway/metrics", system="sys")


def test_spans_are_received_on_loopback_only_and_sent_to_xray_in_the_tasks_region() -> None:
    c = collector.config("eu-west-1")
    otlp = c["receivers"]["otlp"]["protocols"]
    assert otlp == {"grpc": {"endpoint": "127.0.0.1:4317"}, "http": {"endpoint": "127.0.0.1:4318"}}
    assert c["exporters"] == {"awsxray": {"region": "eu-west-1"}}
    assert c["service"]["pipelines"]["traces"]["exporters"] == ["awsxray"]
    assert c["service"]["pipelines"]["traces"]["processors"][0] == "memory_limiter"
    assert "metrics" not in c["service"]["pipelines"]
    # what the agents' SDKs are pointed at is what the collector listens on
    assert "http://" + otlp["http"]["endpoint"] == collector.OTLP_ENDPOINT
    # the health check binary of the image probes 127.0.0.1:13133 (cmd/healthcheck/main.go)
    assert c["extensions"]["health_check"]["endpoint"] == f"127.0.0.1:{collector.HEALTH_PORT}" == "127.0.0.1:13133"
    assert c["service"]["extensions"] == ["health_check"]
    assert yaml.safe_load(collector.render("eu-west-1")) == c


def test_the_gateway_collector_scrapes_litellm_into_emf_in_the_stacks_own_log_group() -> None:
    c = collector.config("eu-west-1", SCRAPE)
    (job,) = c["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert job["static_configs"] == [{"targets": ["127.0.0.1:4000"], "labels": {"system": "sys"}}]
    assert job["metrics_path"] == "/metrics"
    # text format: prometheus_client names counter families with their _total suffix there
    assert job["scrape_protocols"] == ["PrometheusText0.0.4"]
    emf = c["exporters"]["awsemf"]
    assert emf["namespace"] == "AgentHA/ModelGateway"
    assert emf["log_group_name"] == SCRAPE.log_group
    assert emf["log_stream_name"] == "{TaskId}"
    # Prometheus counters and histograms are cumulative; EMF wants per-period values
    assert "cumulativetodelta" in c["service"]["pipelines"]["metrics"]["processors"]
    assert c["service"]["pipelines"]["metrics"]["exporters"] == ["awsemf"]
    # every published metric carries the system dimension
    for declaration in emf["metric_declarations"]:
        assert all(dims[0] == "system" for dims in declaration["dimensions"])


def test_only_the_sli_series_are_kept_and_they_are_the_ones_the_kubernetes_rules_read() -> None:
    c = collector.config("eu-west-1", SCRAPE)
    (relabel,) = c["receivers"]["prometheus"]["config"]["scrape_configs"][0]["metric_relabel_configs"]
    keep = re.compile(f"^(?:{relabel['regex']})$")  # Prometheus anchors relabel regexes
    watched = WatchedGateway(
        service="gw", providers=(WatchedProvider(name="llm", timeout_s=30, tokens_per_minute=1000),), error_ratio=0.01
    )
    promql = " ".join(r["expr"] for r in gateway_rules.rules("ns", watched, lambda *a: {"expr": a[1]}))
    read = set(re.findall(r"\b(litellm_[a-z_]+)\{", promql))
    assert read and all(keep.match(name) for name in read), read
    assert not keep.match("litellm_deployment_total_requests_created")
    assert not keep.match("litellm_spend_metric_total")
    # the names the CloudWatch alarms read are the ones published
    published = {d["metric_name_selectors"][0].strip("^$") for d in c["exporters"]["awsemf"]["metric_declarations"]}
    assert {collector.REQUESTS, collector.FAILURES, collector.FALLBACKS, collector.TOKENS} <= published
    assert read - {f"{collector.LATENCY}_bucket"} <= published


def test_without_tracing_the_gateway_collector_only_scrapes() -> None:
    c = collector.config("eu-west-1", SCRAPE, traces=False)
    assert set(c["service"]["pipelines"]) == {"metrics"}
    assert "otlp" not in c["receivers"] and "awsxray" not in c["exporters"]


@pytest.mark.parametrize(
    "cpu, memory, size",
    [
        (1, 2048, (1024, 3072)),  # the spec's vCPU kept, the collector's 256 MiB on top: next GiB
        (0.25, 512, (256, 1024)),
        (0.25, 2048, (512, 3072)),  # 0.25 vCPU offers no 2.25 GiB: the next vCPU that does
        (0.5, 4096, (1024, 5120)),
        (4, 30720, (8192, 32768)),
    ],
)
def test_the_task_keeps_the_agents_vcpu_and_adds_the_collectors_memory(cpu, memory, size) -> None:
    task = collector.task(cpu, memory, sidecar=True)
    assert (task.cpu_units, task.memory_mib) == size and task.collector
    assert task.memory_mib in fargate_memory_options(task.vcpu) and collector.offered(task)  # Fargate offers it
    assert task.memory_mib >= memory + collector.MEMORY_MIB and task.cpu_units >= cpu * 1024


def test_without_the_sidecar_the_task_is_the_agents_own_size() -> None:
    task = collector.task(0.5, 1024, sidecar=False)
    assert (task.cpu_units, task.memory_mib, task.collector) == (512, 1024, False)


def test_a_task_beyond_fargates_largest_is_not_offered() -> None:
    # 16 vCPU / 120 GiB is the largest task: the collector's memory on top fits nowhere
    task = collector.task(16, 120 * 1024, sidecar=True)
    assert not collector.offered(task)
    assert task.memory_mib == 120 * 1024 + collector.MEMORY_MIB


@pytest.mark.parametrize(
    ("tracing", "gateway", "runs"), [("otel", False, True), ("none", False, False), ("none", True, True)]
)
def test_the_sidecar_runs_with_tracing_and_always_beside_the_gateway(tracing, gateway, runs) -> None:
    assert collector.runs_sidecar(tracing, gateway=gateway) is runs


def test_the_configuration_text_is_rendered_once_per_region_and_scrape(monkeypatch: pytest.MonkeyPatch) -> None:
    # every agent of a region carries the same text: a 10,000-resource stack rendered it 414 times (2.4 s)
    collector.render.cache_clear()
    calls: list[object] = []
    real = yaml.safe_dump
    monkeypatch.setattr(collector.yaml, "safe_dump", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = collector.render("eu-west-1", SCRAPE, traces=True)
    for _ in range(3):
        assert collector.render("eu-west-1", SCRAPE, traces=True) == first
    assert len(calls) == 1
    assert collector.render("us-east-1", SCRAPE, traces=True) != first
    assert yaml.safe_load(first) == collector.config("eu-west-1", SCRAPE, traces=True)
    assert len(calls) == 2
