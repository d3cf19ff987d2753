"""The model gateway's SLIs as PromQL: provider error rate, throttling, fallbacks, provider latency and
tokens per minute against the provider's quota, from LiteLLM's Prometheus metrics.

Metric and label names as LiteLLM 1.110.2 defines them (`litellm/integrations/prometheus.py`,
`litellm/types/integrations/prometheus.py`); counters carry prometheus_client's `_total` suffix:
- `litellm_deployment_total_requests_total`, `litellm_deployment_failure_responses_total`
  (labels `model_group`: the model name agents ask for, here a dependency's name; `exception_status`);
- `litellm_deployment_successful_fallbacks_total`, `litellm_deployment_failed_fallbacks_total`
  (label `requested_model`);
- `litellm_llm_api_latency_metric_bucket` (histogram, seconds; label `model_group`);
- `litellm_total_tokens_metric_total` (label `requested_model`: tokens of calls asked of that
  dependency, its fallbacks' included, so the quota alert errs early while falling back).
Pure helpers, not a component: `Observability` puts the rules and panels in its own objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The thresholds both targets alarm on (blueprints/plan/gateway.py says why each is what it is).
from blueprints.plan.gateway import FALLBACK_RATIO, LATENCY_SHARE, QUOTA_SHARE, THROTTLE_RATIO

WINDOW = "5m"
THROTTLED = 'exception_status="429"'


@dataclass(frozen=True)
class WatchedProvider:
    name: str
    """The dependency's name: the gateway's model group and the model agents ask for."""
    timeout_s: float
    tokens_per_minute: float | None = None
    """The region's part of the provider's quota (its TPM over the serving regions)."""


@dataclass(frozen=True)
class WatchedGateway:
    service: str
    """The gateway's Service (its pods are scraped through it)."""
    providers: tuple[WatchedProvider, ...]
    error_ratio: float
    """Provider error rate that pages (the spec's error-rate alarm, as a ratio)."""
    running: bool = True
    """Gateway pods are meant to run in this cluster (replicas > 0): their metrics' absence is an outage."""


def _sel(namespace: str, gw: WatchedGateway, extra: str = "") -> str:
    return f'namespace="{namespace}",service="{gw.service}"' + (f",{extra}" if extra else "")


def provider_error_ratio(namespace: str, gw: WatchedGateway, provider: str, extra: str = "") -> str:
    group = f'model_group="{provider}"'
    failed = f"sum(rate(litellm_deployment_failure_responses_total{{{_sel(namespace, gw, group)}"
    failed += f"{',' + extra if extra else ''}}}[{WINDOW}]))"
    total = f"sum(rate(litellm_deployment_total_requests_total{{{_sel(namespace, gw, group)}}}[{WINDOW}]))"
    return f"({failed} or vector(0)) / ({total} > 0)"


def fallback_ratio(namespace: str, gw: WatchedGateway, provider: str) -> str:
    wanted = f'requested_model="{provider}"'
    fell = f"sum(rate(litellm_deployment_successful_fallbacks_total{{{_sel(namespace, gw, wanted)}}}[{WINDOW}]))"
    group = f'model_group="{provider}"'
    total = f"sum(rate(litellm_deployment_total_requests_total{{{_sel(namespace, gw, group)}}}[{WINDOW}]))"
    return f"({fell} or vector(0)) / ({total} > 0)"


def failed_fallbacks(namespace: str, gw: WatchedGateway, provider: str) -> str:
    wanted = f'requested_model="{provider}"'
    return f"sum(rate(litellm_deployment_failed_fallbacks_total{{{_sel(namespace, gw, wanted)}}}[{WINDOW}]))"


def provider_latency_p99(namespace: str, gw: WatchedGateway, provider: str) -> str:
    group = f'model_group="{provider}"'
    return (
        "histogram_quantile(0.99, sum by (le) "
        f"(rate(litellm_llm_api_latency_metric_bucket{{{_sel(namespace, gw, group)}}}[{WINDOW}])))"
    )


def tokens_per_minute(namespace: str, gw: WatchedGateway, provider: str) -> str:
    wanted = f'requested_model="{provider}"'
    return f"sum(rate(litellm_total_tokens_metric_total{{{_sel(namespace, gw, wanted)}}}[{WINDOW}])) * 60"


def scrape_up(namespace: str, gw: WatchedGateway) -> str:
    """Prometheus's own `up` of each gateway pod's /metrics (1 answered, 0 did not)."""
    return f"up{{{_sel(namespace, gw)}}}"


def rules(namespace: str, gw: WatchedGateway, alert: Any) -> list[dict[str, Any]]:
    """The alerts, built with `alert(name, expr, for, severity, summary, labels)`.

    The provider alerts read LiteLLM's counters and see nothing when those stop arriving (`rate` of nothing
    is nothing, and `> 0` of the calls drops the ratio): two alerts watch the metrics themselves.
    ModelGatewayMetricsMissing pages when no gateway pod has answered a scrape for ten minutes, whether the
    pods are gone, all failing, or never discovered (a Service label the monitor does not select); it is
    left out where the gateway runs no replica. ModelGatewayScrapeFailing opens a ticket for a pod whose
    /metrics does not answer: its share of the calls is not watched.
    """
    out: list[dict[str, Any]] = []
    up = scrape_up(namespace, gw)
    if gw.running:
        out.append(
            alert(
                "ModelGatewayMetricsMissing",
                f"absent({up} == 1)",
                "10m",
                "page",
                "no model gateway pod has answered a scrape of its /metrics for 10 minutes: the gateway is down "
                "or its metrics are gone, and the model provider alerts cannot fire",
                None,
            )
        )
    out.append(
        alert(
            "ModelGatewayScrapeFailing",
            f"{up} == 0",
            "10m",
            "ticket",
            "a model gateway pod does not answer Prometheus's scrape of /metrics: its calls to the providers are "
            "not watched",
            None,
        )
    )
    for p in gw.providers:
        labels = {"dependency": p.name}
        out.append(
            alert(
                "ModelProviderErrorRate",
                f"{provider_error_ratio(namespace, gw, p.name)} > {gw.error_ratio:g}",
                "5m",
                "page",
                f"more than {gw.error_ratio * 100:g}% of the gateway's calls to {p.name} fail",
                labels,
            )
        )
        out.append(
            alert(
                "ModelProviderThrottled",
                f"{provider_error_ratio(namespace, gw, p.name, THROTTLED)} > {THROTTLE_RATIO:g}",
                "10m",
                "ticket",
                f"{p.name} refuses more than {THROTTLE_RATIO * 100:g}% of calls with 429 (rate limited)",
                labels,
            )
        )
        out.append(
            alert(
                "ModelProviderFallingBack",
                f"{fallback_ratio(namespace, gw, p.name)} > {FALLBACK_RATIO:g}",
                "10m",
                "ticket",
                f"more than {FALLBACK_RATIO * 100:g}% of calls asked of {p.name} are answered by its fallback",
                labels,
            )
        )
        out.append(
            alert(
                "ModelProviderFallbackFailing",
                f"{failed_fallbacks(namespace, gw, p.name)} > 0",
                "5m",
                "page",
                f"calls asked of {p.name} fail on its fallbacks too",
                labels,
            )
        )
        out.append(
            alert(
                "ModelProviderSlow",
                f"{provider_latency_p99(namespace, gw, p.name)} > {LATENCY_SHARE * p.timeout_s:g}",
                "10m",
                "ticket",
                f"p99 latency of {p.name} is above {LATENCY_SHARE * 100:g}% of its {p.timeout_s:g} s timeout",
                labels,
            )
        )
        if p.tokens_per_minute:
            out.append(
                alert(
                    "ModelProviderNearQuota",
                    f"{tokens_per_minute(namespace, gw, p.name)} > {QUOTA_SHARE * p.tokens_per_minute:g}",
                    "10m",
                    "ticket",
                    f"tokens per minute asked of {p.name} pass {QUOTA_SHARE * 100:g}% of this region's part of its "
                    f"quota ({p.tokens_per_minute:g})",
                    labels,
                )
            )
    return out


def panels(namespace: str, gw: WatchedGateway) -> list[tuple[str, str, str]]:
    """(title, PromQL, unit): the gateway pods answering scrapes, then per provider."""
    out: list[tuple[str, str, str]] = [
        ("model gateway: pods answering /metrics", f"sum({scrape_up(namespace, gw)})", "short")
    ]
    for p in gw.providers:
        out += [
            (f"{p.name}: provider error rate", provider_error_ratio(namespace, gw, p.name), "percentunit"),
            (
                f"{p.name}: throttled (429)",
                provider_error_ratio(namespace, gw, p.name, THROTTLED),
                "percentunit",
            ),
            (f"{p.name}: answered by a fallback", fallback_ratio(namespace, gw, p.name), "percentunit"),
            (f"{p.name}: provider p99 latency", provider_latency_p99(namespace, gw, p.name), "s"),
            (f"{p.name}: tokens per minute", tokens_per_minute(namespace, gw, p.name), "short"),
        ]
    return out
