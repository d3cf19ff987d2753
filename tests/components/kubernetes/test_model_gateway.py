"""The model gateway on kubernetes: a workload spread over zones with probes, a budget and an autoscaler,
its provider keys from Secrets, its config from the plan; callers reach it and (for model calls) nothing
else outside the cluster."""

from __future__ import annotations

import json
from typing import Any

import yaml

from blueprints.plan import gateway
from tests.components.kubernetes.support import case

NAME = "v-model-gateway-model-gateway"


def objects(kind: str) -> dict[str, dict[str, Any]]:
    return {
        m.object["metadata"]["name"]: m.object
        for m in case("variant:model-gateway").objects
        if m.object["kind"] == kind
    }


def internet(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Egress rules towards addresses outside the cluster (0.0.0.0/0 less the private ranges)."""
    return [r for r in rules if any(p.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for p in r.get("to", []))]


def pod_spec(name: str) -> dict[str, Any]:
    workloads = objects("Deployment") | objects("Rollout")
    return workloads[name]["spec"]["template"]["spec"]


def test_the_gateway_is_built_like_an_agent() -> None:
    spec = pod_spec(NAME)
    (c,) = spec["containers"]
    assert c["command"] == list(gateway.command())
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert NAME in objects("PodDisruptionBudget")
    assert NAME in objects("HorizontalPodAutoscaler")
    assert NAME in objects("Service")
    env = {e["name"]: e for e in c["env"]}
    assert env["LLM_API_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "value"
    config = yaml.safe_load(env[gateway.CONFIG_ENV]["value"])
    assert config["router_settings"]["fallbacks"] == [{"llm": ["llm-backup"]}]
    assert config["model_list"][0]["litellm_params"]["rpm"] == 100  # 600 rpm over 6 replicas, no shared store


def test_callers_get_its_address_and_egress_to_it_only() -> None:
    planner = pod_spec("v-model-gateway-planner")["containers"][0]
    env = {e["name"]: e.get("value") for e in planner["env"]}
    url = f"http://{NAME}.v-model-gateway.svc:{gateway.PORT}"
    assert env[gateway.URL_ENV] == url and env[gateway.OPENAI_BASE_URL_ENV] == f"{url}/v1"
    policies = objects("NetworkPolicy")
    planner_egress = policies["v-model-gateway-planner"]["spec"]["egress"]
    assert internet(planner_egress) == []
    to_gateway = [
        rule
        for rule in planner_egress
        if any(
            p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/instance") == NAME
            for p in rule["to"]
        )
    ]
    assert to_gateway and to_gateway[0]["ports"][0]["port"] == gateway.PORT
    # the worker calls a declared HTTP API directly: it keeps HTTPS out
    worker_egress = policies["v-model-gateway-worker"]["spec"]["egress"]
    assert internet(worker_egress)


def test_only_callers_and_monitoring_reach_the_gateway_and_it_leaves_on_443() -> None:
    policy = objects("NetworkPolicy")[NAME]["spec"]
    sources = [
        p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/instance")
        for rule in policy["ingress"]
        for p in rule["from"]
    ]
    assert sorted(s for s in sources if s) == ["v-model-gateway-planner", "v-model-gateway-worker"]
    https = internet(policy["egress"])
    assert https and {port["port"] for rule in https for port in rule["ports"]} == {443}


def test_the_provider_slis_are_alerts_and_panels_on_litellm_metrics() -> None:
    (rule,) = objects("PrometheusRule").values()
    group = next(g for g in rule["spec"]["groups"] if g["name"].endswith("-model-gateway"))
    alerts = {(r["alert"], r["labels"].get("dependency")): r for r in group["rules"]}
    assert {name for name, _ in alerts} == {
        "ModelGatewayMetricsMissing",  # the metrics themselves (tests/components/kubernetes/test_gateway_alerts.py)
        "ModelGatewayScrapeFailing",
        "ModelProviderErrorRate",
        "ModelProviderThrottled",
        "ModelProviderFallingBack",
        "ModelProviderFallbackFailing",
        "ModelProviderSlow",
        "ModelProviderNearQuota",
    }
    assert (
        'litellm_deployment_failure_responses_total{namespace="v-model-gateway"'
        in alerts[("ModelProviderErrorRate", "llm")]["expr"]
    )
    assert 'exception_status="429"' in alerts[("ModelProviderThrottled", "llm")]["expr"]
    assert "litellm_deployment_successful_fallbacks_total" in alerts[("ModelProviderFallingBack", "llm")]["expr"]
    # 80 % of the 60 s timeout
    assert alerts[("ModelProviderSlow", "llm")]["expr"].endswith("> 48")
    # no quota stated for the backup: no quota alert for it
    assert ("ModelProviderNearQuota", "llm-backup") not in alerts
    (dashboard,) = [m for name, m in objects("ConfigMap").items() if name.endswith("-dashboard")]
    titles = [p["title"] for p in json.loads(next(iter(dashboard["data"].values())))["panels"]]
    assert "llm: answered by a fallback" in titles and "llm: tokens per minute" in titles
    assert "model gateway: pods answering /metrics" in titles


def test_callers_get_a_placeholder_openai_key_and_the_gateway_is_annotated_with_its_own_spec_section() -> None:
    planner = pod_spec("v-model-gateway-planner")["containers"][0]
    env = {e["name"]: e for e in planner["env"]}
    # OpenAI's SDK refuses to start without a key; the gateway holds the real ones and accepts any
    assert env["OPENAI_API_KEY"] == {"name": "OPENAI_API_KEY", "value": gateway.OPENAI_API_KEY_PLACEHOLDER}
    workloads = objects("Deployment") | objects("Rollout")
    assert workloads[NAME]["metadata"]["annotations"]["agentha.dev/spec-path"] == "gateway"
    assert workloads["v-model-gateway-planner"]["metadata"]["annotations"]["agentha.dev/spec-path"] == "agents.planner"


def test_the_gateway_sends_its_spans_to_the_collector_the_agents_use() -> None:
    (c,) = pod_spec(NAME)["containers"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert yaml.safe_load(env[gateway.CONFIG_ENV])["litellm_settings"]["callbacks"] == ["prometheus", "otel"]
    planner = {e["name"]: e.get("value") for e in pod_spec("v-model-gateway-planner")["containers"][0]["env"]}
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == planner["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
    egress = objects("NetworkPolicy")[NAME]["spec"]["egress"]
    assert any({p.get("port") for p in rule.get("ports", [])} == {4317, 4318} for rule in egress)
