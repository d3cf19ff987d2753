"""Every PromQL expression the blueprint ships parses, and reads only series that something exports.

Expressions live in PrometheusRules (alerts and recording rules), AnalysisTemplates (Argo Rollouts,
with `{{args.*}}` placeholders) and the Grafana dashboard. They are parsed with `promql-parser` (the
Prometheus parser's Rust port); a typo there would only show as a rule-evaluation error in Prometheus,
or as a rollout analysis that errors out. Each metric name must come from an exporter named below (the
same table is in docs/kubernetes.md) and use only labels that exporter (or the scrape) gives it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from components.kubernetes.promql import workload_pods
from tests.components.kubernetes.support import all_cases, case

promql_parser = pytest.importorskip("promql_parser", reason="promql-parser is not installed")

CASES = all_cases()
SCRAPE_LABELS = {"namespace", "pod", "service", "job", "instance", "container", "endpoint"}
EXPORTERS: dict[str, tuple[str, set[str]]] = {
    # metric: (who exports it, labels it carries beyond the scrape's own)
    "http_server_request_duration_seconds_count": (
        "the agents (OpenTelemetry HTTP server histogram, agent contract)",
        {"http_response_status_code", "rollouts_pod_template_hash", "app_kubernetes_io_name"},
    ),
    "http_server_request_duration_seconds_bucket": (
        "the agents (OpenTelemetry HTTP server histogram, agent contract)",
        {"http_response_status_code", "rollouts_pod_template_hash", "app_kubernetes_io_name", "le"},
    ),
    "kube_pod_status_ready": ("kube-state-metrics", {"condition", "uid"}),
    # Prometheus itself, for every target it scrapes: 1 when the scrape answered, 0 when it did not
    "up": ("Prometheus (the scrape's own series)", set()),
    "rabbitmq_detailed_queue_messages": ("RabbitMQ /metrics/detailed, family queue_coarse_metrics", {"vhost", "queue"}),
    "rabbitmq_detailed_queue_messages_ready": (
        "RabbitMQ /metrics/detailed, family queue_coarse_metrics",
        {"vhost", "queue"},
    ),
    "rabbitmq_detailed_queue_messages_delivered_ack_total": (
        "RabbitMQ /metrics/detailed, family queue_delivery_metrics",
        {"vhost", "queue"},
    ),
    "cnpg_pg_replication_lag": ("CloudNativePG default monitoring queries (pg_replication)", set()),
    "cnpg_pg_replication_is_wal_receiver_up": ("CloudNativePG default monitoring queries (pg_replication)", set()),
    "cnpg_pg_stat_archiver_last_failed_time": ("CloudNativePG default monitoring queries (pg_stat_archiver)", set()),
    "cnpg_pg_stat_archiver_last_archived_time": ("CloudNativePG default monitoring queries (pg_stat_archiver)", set()),
    "cnpg_pg_stat_archiver_seconds_since_last_archival": (
        "CloudNativePG default monitoring queries (pg_stat_archiver)",
        set(),
    ),
    "cnpg_collector_pg_wal_archive_status": ("CloudNativePG instance manager collector", {"value"}),
    # the model gateway: LiteLLM 1.110.2's Prometheus callback (litellm/types/integrations/prometheus.py,
    # checked in the wheel by the gateway's author; components/kubernetes/gateway_rules.py says which)
    "litellm_deployment_total_requests_total": ("LiteLLM proxy /metrics", {"model_group", "requested_model"}),
    "litellm_deployment_failure_responses_total": (
        "LiteLLM proxy /metrics",
        {"model_group", "requested_model", "exception_status"},
    ),
    "litellm_deployment_successful_fallbacks_total": ("LiteLLM proxy /metrics", {"requested_model"}),
    "litellm_deployment_failed_fallbacks_total": ("LiteLLM proxy /metrics", {"requested_model"}),
    "litellm_llm_api_latency_metric_bucket": ("LiteLLM proxy /metrics", {"model_group", "le"}),
    "litellm_total_tokens_metric_total": ("LiteLLM proxy /metrics", {"requested_model"}),
    # the Probe's static labels (system, region) ride on every sample it scrapes
    "probe_success": ("blackbox-exporter through the synthetic Probe", {"system", "region"}),
}
DETAILED_FAMILY = re.compile(r"family ([a-z_]+)")


def expressions(c: Any) -> Iterator[tuple[str, str, str]]:
    """(region, where, expression) of every PromQL expression of a case."""
    for m in c.objects:
        obj = m.object
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] == "PrometheusRule":
            for group in obj["spec"]["groups"]:
                for rule in group["rules"]:
                    yield m.region, f"{where} {rule.get('alert') or rule.get('record')}", rule["expr"]
        elif obj["kind"] == "AnalysisTemplate":
            for metric in obj["spec"]["metrics"]:
                query = metric["provider"]["prometheus"]["query"]
                # Argo substitutes args before the query reaches Prometheus.
                yield m.region, f"{where} {metric['name']}", query.replace("{{args.canary-hash}}", "6f9c8d7b5")
        elif obj["kind"] == "ConfigMap" and (obj["metadata"].get("labels") or {}).get("grafana_dashboard") == "1":
            for text in obj["data"].values():
                for panel in json.loads(text)["panels"]:
                    for target in panel["targets"]:
                        yield m.region, f"{where} {panel['title']}", target["expr"]


def selectors(expr: str) -> list[Any]:
    found: list[Any] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def label_names(selector: Any) -> set[str]:
    return {m.name for m in selector.matchers.matchers if m.name != "__name__"}


def recorded(c: Any) -> set[str]:
    return {
        rule["record"]
        for m in c.objects
        if m.object["kind"] == "PrometheusRule"
        for group in m.object["spec"]["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


@pytest.mark.parametrize("name", CASES)
def test_every_expression_parses_and_reads_exported_series(name):
    c = case(name)
    records = recorded(c)
    families = {
        family
        for m in c.objects
        if m.object["kind"] == "ServiceMonitor"
        for endpoint in m.object["spec"]["endpoints"]
        for family in (endpoint.get("params") or {}).get("family", [])
    }
    problems = []
    checked = 0
    for region, where, expr in expressions(c):
        try:
            found = selectors(expr)
        except Exception as err:  # the parser raises its own error types
            problems.append(f"{region}: {where}: does not parse: {err}\n  {expr}")
            continue
        checked += 1
        for sel in found:
            if sel.name in records:
                continue
            if sel.name not in EXPORTERS:
                problems.append(f"{region}: {where}: {sel.name} comes from no known exporter")
                continue
            source, labels = EXPORTERS[sel.name]
            unknown = label_names(sel) - labels - SCRAPE_LABELS - {"system"}
            if unknown:
                problems.append(f"{region}: {where}: {sel.name} has no label {sorted(unknown)} ({source})")
            family = DETAILED_FAMILY.search(source)
            if family and family.group(1) not in families:
                problems.append(f"{region}: {where}: {sel.name} needs family {family.group(1)} scraped")
    assert checked > 0
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_typo_an_unknown_metric_and_a_missing_label():
    with pytest.raises(Exception):  # noqa: B017 - the parser's own error type
        selectors("sum(rate(http_server_request_duration_seconds_count[5m])")
    (sel,) = selectors('kube_pod_status_ready{namespace="a",phase="x"}')
    assert label_names(sel) - EXPORTERS["kube_pod_status_ready"][1] - SCRAPE_LABELS == {"phase"}
    assert "rabbitmq_queue_messages_ready" not in EXPORTERS  # only the detailed endpoint is scraped per queue


def test_a_workload_pod_pattern_does_not_match_a_longer_agent_sharing_its_prefix():
    # Prometheus anchors `=~` at both ends, as re.fullmatch does.
    pattern = workload_pods("research")
    assert re.fullmatch(pattern, "research-7d9f8c6b5-x2x4q")
    assert not re.fullmatch(pattern, "research-writer-7d9f8c6b5-x2x4q")


def test_each_dashboard_panel_plots_what_its_alert_compares():
    c = case("example:research-agent")
    for region in {m.region for m in c.objects}:
        rule = next(m.object for m in c.objects if m.region == region and m.object["kind"] == "PrometheusRule")
        alerts = [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
        board = next(
            m.object
            for m in c.objects
            if m.region == region
            and m.object["kind"] == "ConfigMap"
            and "grafana_dashboard" in m.object["metadata"]["labels"]
        )
        (text,) = board["data"].values()
        panels = {p["title"]: p["targets"][0]["expr"] for p in json.loads(text)["panels"]}
        for title, alert_fragment in (("error rate", " > "), ("p99 latency", " > "), ("dead letters", " >= ")):
            shown = [expr for t, expr in panels.items() if t.endswith(f": {title}")]
            assert shown, f"{region}: no '{title}' panel"
            for expr in shown:
                assert any(a.startswith(expr + alert_fragment) for a in alerts), f"{region}: no alert on {expr}"


def test_the_dead_letter_analysis_matches_exactly_its_dead_letter_queues():
    checked = 0
    for name in CASES:
        for _, where, expr in expressions(case(name)):
            if not where.endswith(" dead-letters"):
                continue
            (sel,) = selectors(expr)
            (queue,) = [m for m in sel.matchers.matchers if m.name == "queue"]
            names = re.split(r"(?<!\\)\|", queue.value)
            literal = [n.replace("\\.", ".") for n in names]
            assert all(n.endswith(".dlq") for n in literal), where
            pattern = re.compile(queue.value)  # Prometheus anchors label regexes
            assert all(pattern.fullmatch(n) for n in literal), where
            assert not any(pattern.fullmatch(n[:-4] + "xdlq") for n in literal), where
            checked += 1
    assert checked
