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


def cluster_selector(namespace: str, cluster: str) -> str:
    """A CloudNativePG cluster's instances (`<cluster>-<n>` pods)."""
    return f'namespace="{namespace}",pod=~"{cluster}-[0-9]+"'


def replication_lag(namespace: str, cluster: str) -> str:
    """The worst replication lag among a cluster's STREAMING standbys (WAL receiver up).

    CloudNativePG's default `pg_replication` query reports, for an instance in recovery whose received
    and replayed positions differ, the time since the last replayed transaction. The designated primary
    of a replica cluster (another region) has no WAL receiver: it restores WAL from the object store,
    its received position is NULL, so it always takes that branch and its "lag" is the time since the
    primary's last transaction, never below `archive_timeout` while it writes and unbounded while it
    is idle. Only instances that stream are measured here; the cross-region path is watched through
    WAL archiving (`wal_archive_failing`, `wal_archive_stalled`).
    """
    sel = cluster_selector(namespace, cluster)
    streaming = f"cnpg_pg_replication_is_wal_receiver_up{{{sel}}} == 1"
    return f"max(cnpg_pg_replication_lag{{{sel}}} and on(namespace, pod) ({streaming}))"


def wal_archive_failing(namespace: str, cluster: str) -> str:
    """Seconds by which the last failed WAL archive attempt is newer than the last success, per instance.

    CloudNativePG's own `LastFailedArchiveTime` alert (docs/src/samples/monitoring/prometheusrule.yaml)
    fires when this is above 1. Reported by the primary and, in a replica cluster (archive_mode always),
    by its designated primary.
    """
    sel = cluster_selector(namespace, cluster)
    return f"cnpg_pg_stat_archiver_last_failed_time{{{sel}}} - cnpg_pg_stat_archiver_last_archived_time{{{sel}}}"


def wal_archive_stalled(namespace: str, cluster: str, seconds: float) -> str:
    """Instances with finished WAL segments waiting to be archived and nothing archived for `seconds`.

    `ready` counts segments in `pg_wal/archive_status` not yet archived (CloudNativePG's collector), so an
    idle primary (nothing to archive) never matches, whatever its time since the last archival.
    """
    sel = cluster_selector(namespace, cluster)
    return (
        f'cnpg_collector_pg_wal_archive_status{{{sel},value="ready"}} > 0'
        f" and on(namespace, pod) cnpg_pg_stat_archiver_seconds_since_last_archival{{{sel}}} > {seconds:g}"
    )


def synthetic_failing(job: str) -> str:
    """1 while the synthetic transaction's last probe failed, or while no result exists at all (the
    prober or blackbox-exporter is gone, or nothing reaches it: `or vector(0)` turns absence into a
    failure, so a total outage cannot read as healthy)."""
    return f'(max(probe_success{{job="{job}"}}) or vector(0)) < 1'
