"""The PromQL the Kubernetes components share (not a component): one spelling per measurement.

The SLI alerts, the SLO recording rules, the Grafana dashboard and the rollout analysis read the same
series. Building each expression here keeps a dashboard panel showing exactly what its alert fires on,
and the rollout analysis measuring errors and latency the way the alerts do.

Selectors are PromQL label matchers without braces (`namespace="x",service="y"`), so callers can add
their own matchers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from components.kubernetes.meta import regex_escape

HTTP_COUNT = "http_server_request_duration_seconds_count"
HTTP_BUCKET = "http_server_request_duration_seconds_bucket"


def workload_pods(workload: str) -> str:
    """Regex of a Deployment's or Rollout's pod names: `<workload>-<template hash>-<5 chars>`.

    Anchored by Prometheus, so a longer agent name sharing the prefix does not match.
    """
    return f"{workload}-[a-z0-9]+-[a-z0-9]+"


def pods_selector(namespace: str, workload: str) -> str:
    return f'namespace="{namespace}",pod=~"{workload_pods(workload)}"'


def service_selector(namespace: str, service: str) -> str:
    return f'namespace="{namespace}",service="{service}"'


def queue_selector(vhost: str | None, queue: str) -> str:
    return f'vhost="{vhost}",queue="{queue}"'


def queues_selector(vhost: str | None, queues: Sequence[str]) -> str:
    """Any of these queues: each name regex-escaped (`a.dlq` has a `.`), then the regex's backslashes
    escaped once more for the PromQL string that holds it."""
    pattern = "|".join(regex_escape(q) for q in queues).replace("\\", "\\\\")
    return f'vhost="{vhost}",queue=~"{pattern}"'


def http_requests(selector: str, window: str) -> str:
    """Requests per second over `window`."""
    return f"sum(rate({HTTP_COUNT}{{{selector}}}[{window}]))"


def http_errors(selector: str, window: str) -> str:
    """Requests answered 5xx per second over `window`."""
    return f'sum(rate({HTTP_COUNT}{{{selector},http_response_status_code=~"5.."}}[{window}]))'


def error_ratio(selector: str, window: str) -> str:
    """The share of requests answered 5xx (NaN without traffic)."""
    return f"{http_errors(selector, window)} / {http_requests(selector, window)}"


def latency_p99(selector: str, window: str) -> str:
    return f"histogram_quantile(0.99, sum by (le) (rate({HTTP_BUCKET}{{{selector}}}[{window}])))"


def pods_ready(selector: str, condition: Literal["true", "false"]) -> str:
    """Pods whose Ready condition is `condition` (kube-state-metrics)."""
    return f'sum(kube_pod_status_ready{{{selector},condition="{condition}"}})'


def queue_ready(vhost: str | None, queue: str) -> str:
    """Messages waiting for a consumer (RabbitMQ's detailed per-queue metrics)."""
    return f"sum(rabbitmq_detailed_queue_messages_ready{{{queue_selector(vhost, queue)}}})"


def queue_messages(vhost: str | None, queue: str) -> str:
    """Every message in the queue, ready or unacknowledged."""
    return f"sum(rabbitmq_detailed_queue_messages{{{queue_selector(vhost, queue)}}})"


def queue_acks(vhost: str | None, queue: str, window: str) -> str:
    """Deliveries acknowledged per second over `window`."""
    selector = queue_selector(vhost, queue)
    return f"sum(rate(rabbitmq_detailed_queue_messages_delivered_ack_total{{{selector}}}[{window}]))"


def replication_lag(namespace: str, cluster: str) -> str:
    """The worst replication lag among a CloudNativePG cluster's instances (`<cluster>-<n>` pods)."""
    return f'max(cnpg_pg_replication_lag{{namespace="{namespace}",pod=~"{cluster}-[0-9]+"}})'
