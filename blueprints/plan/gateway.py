"""The model gateway: a LiteLLM proxy in every region that has agents, between them and the model providers.

Pure: from the spec's `dependencies` (kind model-provider) and `gateway`, the gateway's workload (an
agent-shaped record the agent components build: zone spread, probes, autoscaling, rollout) and its
LiteLLM configuration per region (regional endpoints differ). Checked against LiteLLM 1.110.2
(`litellm/router.py` `Router.__init__` arguments, `proxy/proxy_server.py` config loading, which resolves
every `os.environ/NAME` string of the file; `/health/liveliness` and `/health/readiness`, which answers
200 without a database; `litellm_settings.callbacks: [prometheus]` and
`require_auth_for_metrics_endpoint`, which defaults to true in that version).

What the configuration does, and why:
- `model_list`: one deployment per model-provider dependency, named as the dependency (agents ask for
  `model: <dependency name>`), calling its `model` with its first secret as `api_key: os.environ/<SECRET>`
  (the key reaches the container from the secret store; the file holds only the variable's name), its
  regional `api_base` when the spec gives one, its `timeout`, and its rate limits as `rpm`/`tpm`.
- `router_settings.fallbacks`: the spec's fallback order; `num_retries` (the retry budget of one request,
  on the same provider before its fallback), `retry_after`, `allowed_fails` and `cooldown_time`;
  `optional_pre_call_checks: [enforce_model_rate_limits]` so the limits are enforced, not just recorded,
  with the counters in Redis (`redis_url`) when the spec names a store, else each replica its share.
- `litellm_settings.callbacks: [prometheus]` for the metrics the alerts read; the metrics endpoint is open
  (reachable only from the monitoring namespace / the collector in the task, by network policy).
No master key: only the agents that call a model provider can reach the gateway at all (security
groups / NetworkPolicy), so any key an OpenAI SDK sends is accepted.
"""

from __future__ import annotations

import math
import re

import yaml

from blueprints.spec.models import Agent, HASpec, Probe, Probes, Replicas, Retries, ScaleOn

GATEWAY = "model-gateway"
"""The gateway's name among the agents' (resources, Services, security groups); the spec rules reserve it."""
PORT = 4000
"""LiteLLM's default port."""
CONFIG_ENV = "AGENTHA_GATEWAY_CONFIG"
"""The rendered configuration reaches the container in this variable and is written to CONFIG_PATH at start
(the same on ECS, which has no config maps, and Kubernetes)."""
CONFIG_PATH = "/tmp/litellm-config.yaml"
REDIS_URL_ENV = "AGENTHA_GATEWAY_REDIS_URL"
URL_ENV = "AGENTHA_MODEL_GATEWAY_URL"
OPENAI_BASE_URL_ENV = "OPENAI_BASE_URL"
"""OpenAI SDKs (and LiteLLM, LangChain and most agent frameworks through them) read their base URL here, so
agents reach the gateway without a code change. The proxy serves the OpenAI routes under /v1."""
LIVENESS_PATH = "/health/liveliness"
READINESS_PATH = "/health/readiness"
METRICS_PATH = "/metrics"
SPEC_PATH = "gateway"
"""Where the gateway is written in the spec (its own section, not an agent): its resources carry this path."""
OPENAI_API_KEY_ENV = "OPENAI_API_KEY"
OPENAI_API_KEY_PLACEHOLDER = "not-a-secret-the-model-gateway-holds-the-provider-keys"
"""What callers get in OPENAI_API_KEY: OpenAI's SDKs refuse to start without a key, and the gateway accepts any
(it has no master key; only its callers reach it). A plain, non-secret value: the real keys are the gateway's."""


THROTTLE_RATIO = 0.01
"""Alert when more than 1 % of calls to a provider are refused with 429 for ten minutes: sustained
throttling means the quota (or its split between replicas) is too small for the load."""
FALLBACK_RATIO = 0.05
"""Ticket when more than 5 % of requests are answered by a fallback: the primary is failing."""
QUOTA_SHARE = 0.8
"""Ticket when tokens per minute pass 80 % of the region's part of the provider's quota."""
LATENCY_SHARE = 0.8
"""Ticket when a provider's latency passes 80 % of the dependency's timeout: calls are about to time out.
The provider SLIs of both targets use these thresholds (components/kubernetes/gateway_rules.py,
components/aws/gateway_alarms.py)."""


PROVIDER_SLIS = ("error-rate", "throttled", "falling-back", "fallback-failing", "slow", "near-quota")
"""The SLIs each region alarms on per model provider (aws: `<provider>-<sli>` alarms; kubernetes: the
`ModelProvider*` alerts), named here so the runbooks find what the components build."""
METRICS_SILENT = "metrics-silent"
"""The alarm on the gateway's metrics themselves (aws; `ModelGatewayMetricsMissing` on kubernetes)."""


def fallback_switch(retries: int, timeout_s: float, provider: str) -> tuple[float, str]:
    """How long calls to a failed model provider go unanswered before the gateway answers from its fallback,
    and what that rests on: the gateway moves on only once its attempts on the provider are spent, and a
    provider that does not answer at all (the slowest failure) holds each attempt for its whole timeout. The
    one figure the availability estimate, the blast radius and the runbooks use."""
    attempts = retries + 1
    return attempts * timeout_s, f"the gateway's {attempts} attempt(s) × {timeout_s:g} s timeout on '{provider}'"


def workload_spec_path(name: str) -> str:
    """The spec path of a workload's resources: `gateway` for the model gateway, `agents.<name>` for an agent."""
    return SPEC_PATH if name == GATEWAY else f"agents.{name}"


def api_key_placeholder(secrets: tuple[str, ...], env: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A caller's OPENAI_API_KEY placeholder, unless the agent sets that variable itself (a secret or its env)."""
    if any(env_var(s) == OPENAI_API_KEY_ENV for s in secrets) or any(k == OPENAI_API_KEY_ENV for k, _ in env):
        return {}
    return {OPENAI_API_KEY_ENV: OPENAI_API_KEY_PLACEHOLDER}


def env_var(name: str) -> str:
    """The environment variable a spec secret arrives in (the agents' convention on both targets)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


def providers(spec: HASpec) -> list:
    return [d for d in spec.dependencies if d.kind == "model-provider"]


def needed(spec: HASpec) -> bool:
    """A gateway is built when the agents call a model provider."""
    return bool(providers(spec))


def callers(spec: HASpec) -> tuple[str, ...]:
    """Agents that call a model provider. A provider without `callers` is called by every agent, unless it is
    only another provider's fallback (then it is reached through that one, as the reliability model says)."""
    fallback_only = {name for d in providers(spec) for name in d.fallback}
    names: set[str] = set()
    for d in providers(spec):
        if d.callers:
            names |= set(d.callers)
        elif d.name not in fallback_only:
            names |= {a.name for a in spec.agents}
    return tuple(a.name for a in spec.agents if a.name in names)


def secrets(spec: HASpec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for d in providers(spec) for s in d.secrets))


def workload(spec: HASpec) -> Agent:
    """The gateway as an agent-shaped record, so it is planned (zones, static stability) and built (probes,
    autoscaling, disruption budget, rollout) like one."""
    g = spec.gateway
    longest = max((d.timeout.total_seconds() for d in providers(spec)), default=60.0)
    chain = max((1 + len(d.fallback) for d in providers(spec)), default=1)
    return Agent.model_validate(
        {
            "name": GATEWAY,
            "image": g.image,
            "port": PORT,
            "cpu": g.cpu,
            "memory": f"{g.memory}Mi",
            "replicas": Replicas(min=g.replicas.min, max=g.replicas.max, static_stability=g.replicas.static_stability),
            "scale_on": ScaleOn(cpu_percent=70, backlog_per_replica=None),
            "probes": Probes(
                liveness=Probe(path=LIVENESS_PATH),
                readiness=Probe(path=READINESS_PATH, period=_seconds(5)),
                # The proxy imports its providers' SDKs at start: up to five minutes before liveness counts.
                startup=Probe(path=LIVENESS_PATH, failure_threshold=30),
            ),
            "secrets": list(secrets(spec)),
            # The gateway is the retry loop (num_retries); it is handed no client-side retry policy.
            "retries": Retries(max_attempts=1),
            "circuit_breaker": None,
            # A request may try every model of the chain, each with its retries: let it finish on shutdown.
            "max_step_duration": _seconds(min(3600.0, longest * chain * (g.retries + 1))),
        }
    )


def _seconds(value: float):
    from datetime import timedelta

    return timedelta(seconds=value)


def command() -> tuple[str, ...]:
    """Write the configuration from CONFIG_ENV to CONFIG_PATH, then become the proxy (PID stays the same, so
    the stop signal reaches it). Python, because the image is a Python application: no shell is assumed."""
    script = (
        "import os; "
        f"open({CONFIG_PATH!r}, 'w').write(os.environ[{CONFIG_ENV!r}]); "
        f"os.execvp('litellm', ['litellm', '--config', {CONFIG_PATH!r}, '--host', '0.0.0.0', '--port', '{PORT}'])"
    )
    return ("python", "-c", script)


def health_command() -> tuple[str, ...]:
    """The ECS container health check: the liveness route, through Python (no curl or wget assumed)."""
    url = f"http://127.0.0.1:{PORT}{LIVENESS_PATH}"
    return ("CMD", "python", "-c", f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)")


def enforcers(spec: HASpec) -> int:
    """Replicas sharing one counter of each limit: one per region with a shared store, else every replica."""
    return 1 if spec.gateway.rate_limit_store else spec.gateway.replicas.max


def serving_regions(spec: HASpec) -> int:
    return len(spec.topology.regions) if spec.topology.pattern == "active-active" else 1


def share(spec: HASpec, limit: int) -> int:
    """What one enforcer may send of a per-minute limit: split between serving regions and, without a
    shared store, between replicas (rounded down: the sum never exceeds the provider's quota)."""
    return max(1, math.floor(limit / (serving_regions(spec) * enforcers(spec))))


def config(spec: HASpec, region: str) -> dict:
    """The LiteLLM proxy configuration of one region (see the module docstring)."""
    g = spec.gateway
    model_list = []
    limited = False
    for d in providers(spec):
        params: dict = {"model": d.model}
        if d.secrets:
            params["api_key"] = f"os.environ/{env_var(d.secrets[0])}"
        base = d.endpoints.get(region) or d.endpoints.get("default")
        if base:
            params["api_base"] = base
        params["timeout"] = d.timeout.total_seconds()
        if d.rate_limits is not None:
            if d.rate_limits.requests_per_minute is not None:
                params["rpm"] = share(spec, d.rate_limits.requests_per_minute)
                limited = True
            if d.rate_limits.tokens_per_minute is not None:
                params["tpm"] = share(spec, d.rate_limits.tokens_per_minute)
                limited = True
        model_list.append({"model_name": d.name, "litellm_params": params})
    fallbacks = [{d.name: list(d.fallback)} for d in providers(spec) if d.fallback]
    router: dict = {
        "routing_strategy": "simple-shuffle",
        "num_retries": g.retries,
        "retry_after": int(g.retry_after.total_seconds()),
        "allowed_fails": g.allowed_fails,
        "cooldown_time": g.cooldown.total_seconds(),
    }
    if fallbacks:
        router["fallbacks"] = fallbacks
    if limited:
        router["optional_pre_call_checks"] = ["enforce_model_rate_limits"]
    if g.rate_limit_store:
        router["redis_url"] = f"os.environ/{REDIS_URL_ENV}"
    # `otel`: a span per provider call, in the caller's trace (LiteLLM reads the W3C traceparent header), sent
    # where OTEL_EXPORTER_OTLP_ENDPOINT/PROTOCOL say (litellm/integrations/opentelemetry.py): the task's
    # collector on ECS, the monitoring namespace's on Kubernetes.
    callbacks = ["prometheus", "otel"] if spec.observability.tracing == "otel" else ["prometheus"]
    return {
        "model_list": model_list,
        "router_settings": router,
        "litellm_settings": {"callbacks": callbacks, "require_auth_for_metrics_endpoint": False},
    }


def render(spec: HASpec, region: str) -> str:
    """The configuration as the YAML file the proxy reads (deterministic: keys in the order written)."""
    return yaml.safe_dump(config(spec, region), sort_keys=False, default_flow_style=False)
