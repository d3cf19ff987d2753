"""The model gateway in the plan (blueprints/plan/gateway.py): its workload, its LiteLLM config, its
place in the availability estimate."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml

from blueprints.figures import for_spec
from blueprints.plan import gateway
from blueprints.plan.estimates import closed_form_value
from blueprints.plan.models import TopologyPlan
from blueprints.plan.planner import plan
from blueprints.plan.reliability import build
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import aws, dump, kubernetes
from tests.blueprints.spec.rules.test_dependencies import with_providers


def planned(spec: dict[str, Any]) -> TopologyPlan:
    return plan(load_text(dump(spec), "spec.yaml").spec)


def test_no_model_provider_no_gateway() -> None:
    assert planned(aws()).gateway is None


def test_the_gateway_is_planned_like_an_agent_in_every_region() -> None:
    p = planned(with_providers(aws()))
    g = p.gateway
    assert g is not None
    assert [pl.region for pl in g.service.placements] == ["us-east-1", "us-west-2"]
    primary = g.service.placement("us-east-1")
    assert primary is not None and primary.per_zone == (1, 1, 1)
    # static stability: losing a zone still leaves the minimum (2) serving
    assert primary.survivors_after_zone_loss >= 2
    assert g.service.port == gateway.PORT
    assert g.service.liveness is not None and g.service.liveness.path == "/health/liveliness"
    assert g.service.readiness is not None and g.service.readiness.path == "/health/readiness"
    assert g.callers == ("conversation",)
    assert g.service.secrets == ("llm-api-key",)
    # the key is the gateway's now: it is among the secret's users, the agent that dropped it is not
    assert p.secrets[0].users == ("model-gateway",)
    assert g.service.command[:2] == ("python", "-c")
    assert gateway.CONFIG_PATH in g.service.command[2]


def test_the_config_follows_the_spec_fallback_order_and_takes_keys_from_the_environment() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["endpoints"] = {"us-west-2": "https://westus.example.openai.azure.com"}
    p = planned(spec)
    assert p.gateway is not None
    east = yaml.safe_load(p.gateway.config("us-east-1"))
    west = yaml.safe_load(p.gateway.config("us-west-2"))
    first = east["model_list"][0]
    assert first["model_name"] == "model-api"
    assert first["litellm_params"]["model"] == "openai/gpt-4o"
    assert first["litellm_params"]["api_key"] == "os.environ/LLM_API_KEY"
    assert "api_base" not in first["litellm_params"]
    assert west["model_list"][0]["litellm_params"]["api_base"] == "https://westus.example.openai.azure.com"
    assert east["router_settings"]["fallbacks"] == [{"model-api": ["model-api-backup"]}]
    assert east["router_settings"]["num_retries"] == 1
    assert east["router_settings"]["cooldown_time"] == 60
    # metrics for the SLIs; a span per provider call in the caller's trace (tracing: otel is the default)
    assert east["litellm_settings"]["callbacks"] == ["prometheus", "otel"]
    # no secret value anywhere in the file, only variable names
    assert "sk-" not in p.gateway.config("us-east-1")


def test_rate_limits_are_enforced_and_split_between_replicas_without_a_store() -> None:
    p = planned(with_providers(aws()))
    assert p.gateway is not None
    cfg = yaml.safe_load(p.gateway.config("us-east-1"))
    params = cfg["model_list"][0]["litellm_params"]
    # 500 rpm over 6 replicas (gateway.replicas.max), rounded down: the sum never exceeds the quota
    assert params["rpm"] == 83
    assert params["tpm"] == 50000
    assert cfg["router_settings"]["optional_pre_call_checks"] == ["enforce_model_rate_limits"]
    assert "redis_url" not in cfg["router_settings"]


def test_a_shared_store_holds_the_whole_limit_and_the_gateway_uses_it() -> None:
    spec = with_providers(aws())
    spec["stores"].append({"name": "limits", "engine": "valkey", "cache": True})
    spec["gateway"] = {"rate_limit_store": "limits"}
    p = planned(spec)
    assert p.gateway is not None
    cfg = yaml.safe_load(p.gateway.config("us-east-1"))
    assert cfg["model_list"][0]["litellm_params"]["rpm"] == 500
    assert cfg["router_settings"]["redis_url"] == f"os.environ/{gateway.REDIS_URL_ENV}"
    assert p.gateway.service.uses == ("limits",)
    assert "model-gateway" in p.store("limits").users


def test_an_active_active_topology_splits_the_limit_between_regions() -> None:
    spec = with_providers(aws())
    spec["topology"]["pattern"] = "active-active"
    spec["topology"].pop("standby")
    for r in spec["topology"]["regions"]:
        r["role"] = "active"
    p = planned(spec)
    assert p.gateway is not None
    # 500 rpm over two regions of six replicas each
    assert yaml.safe_load(p.gateway.config("us-east-1"))["model_list"][0]["litellm_params"]["rpm"] == 41


def test_kubernetes_plans_the_gateway_too() -> None:
    spec = kubernetes()
    spec["dependencies"] = [{"name": "llm", "kind": "model-provider", "model": "openai/gpt-4o"}]
    p = planned(spec)
    assert p.gateway is not None
    assert p.gateway.callers == ("planner", "worker")


def test_the_fallback_switch_time_is_counted_and_shown() -> None:
    spec = load_text(dump(with_providers(aws())), "spec.yaml").spec
    p = plan(spec)
    figs = for_spec(spec.assumptions)
    model = build(spec, p, figs)
    group = next(g for g in model.groups if g.name == "model-api")
    # one try plus one retry, each held for the 60 s timeout
    assert group.switch_s == 120
    with_switch, parts, _ = closed_form_value(model)
    assert any("switching to its fallback takes 2m" in label for label, _ in parts)
    without = dataclasses.replace(model, groups=tuple(dataclasses.replace(g, switch_s=0.0) for g in model.groups))
    assert closed_form_value(without)[0] > with_switch
    availability = p.estimates[0]
    assert any("time until its fallback answers" in t.label and t.value == 120 for t in availability.terms)


def test_fewer_gateway_retries_switch_sooner() -> None:
    spec = with_providers(aws())
    spec["gateway"] = {"retries": 0}
    spec["dependencies"][0]["timeout"] = "20s"
    loaded = load_text(dump(spec), "spec.yaml").spec
    model = build(loaded, plan(loaded), for_spec(loaded.assumptions))
    assert next(g for g in model.groups if g.name == "model-api").switch_s == 20


def test_a_gateway_that_cannot_lose_a_zone_takes_the_region_zone_tolerance() -> None:
    spec = with_providers(aws())
    spec["gateway"] = {"replicas": {"min": 2, "max": 6, "static_stability": False}}
    spec["topology"]["regions"][0]["zones"] = ["us-east-1a", "us-east-1b"]
    spec["topology"]["regions"][1]["zones"] = ["us-west-2a", "us-west-2b"]
    loaded = load_text(dump(spec), "spec.yaml").spec
    p = plan(loaded)
    model = build(loaded, p, for_spec(loaded.assumptions))
    # two zones, one gateway replica each: a zone loss leaves one of the two it needs
    assert p.gateway is not None and p.gateway.service.placement("us-east-1").per_zone == (1, 1)  # type: ignore[union-attr]
    assert all(r.zones is not None and r.zones.tolerance == 0 for r in model.regions)


@pytest.mark.parametrize("retries", [0, 2])
def test_the_workload_lets_a_call_finish_every_attempt_on_shutdown(retries: int) -> None:
    spec = load_text(dump(with_providers(aws())), "spec.yaml").spec
    spec = spec.model_copy(update={"gateway": spec.gateway.model_copy(update={"retries": retries})})
    w = gateway.workload(spec)
    # two models in the chain, (retries + 1) attempts of 60 s on each
    assert w.max_step_duration.total_seconds() == 2 * (retries + 1) * 60


def test_without_tracing_the_gateway_sends_no_spans() -> None:
    spec = with_providers(aws())
    spec.setdefault("observability", {})["tracing"] = "none"
    p = planned(spec)
    assert p.gateway is not None
    assert yaml.safe_load(p.gateway.config("us-east-1"))["litellm_settings"]["callbacks"] == ["prometheus"]


def test_callers_get_a_placeholder_key_unless_they_set_one() -> None:
    assert gateway.api_key_placeholder((), ()) == {"OPENAI_API_KEY": gateway.OPENAI_API_KEY_PLACEHOLDER}
    assert gateway.api_key_placeholder(("openai-api-key",), ()) == {}  # a spec secret arrives in that variable
    assert gateway.api_key_placeholder((), (("OPENAI_API_KEY", "x"),)) == {}
