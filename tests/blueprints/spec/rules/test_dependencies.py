"""Rules of blueprints/spec/rules/dependencies.py: fallbacks, secrets, endpoints, the gateway's store and limits."""

from __future__ import annotations

from typing import Any

from tests.blueprints.spec.rules.helpers import aws, kubernetes, of_rule, only


def with_providers(spec: dict[str, Any]) -> dict[str, Any]:
    """A primary model provider with a fallback, its key moved from the agent to the dependency."""
    spec["agents"][0]["secrets"] = []
    spec["dependencies"] = [
        {
            "name": "model-api",
            "kind": "model-provider",
            "model": "openai/gpt-4o",
            "callers": ["conversation"],
            "fallback": ["model-api-backup"],
            "secrets": ["llm-api-key"],
            "rate_limits": {"requests_per_minute": 500, "tokens_per_minute": 300000},
        },
        {"name": "model-api-backup", "kind": "model-provider", "model": "anthropic/claude-sonnet-4-5"},
    ]
    return spec


def test_dependency_fallbacks_passes_with_every_other_dependency_rule() -> None:
    spec = with_providers(aws())
    for rule in (
        "dependency-fallbacks",
        "dependency-secrets",
        "dependency-endpoints",
        "gateway-rate-limit-store",
        "dependency-rate-limits",
        "dependency-kind-fields",
        "unused-items",
    ):
        assert of_rule(spec, rule) == []


def test_dependency_fallbacks_fails_for_a_model_provider_without_a_model() -> None:
    spec = with_providers(aws())
    del spec["dependencies"][1]["model"]
    problem = only(spec, "dependency-fallbacks")
    assert problem.path == "dependencies[1]"
    assert "names no `model`" in problem.message
    assert problem.location.line is not None


def test_dependency_fallbacks_fails_for_a_loop() -> None:
    spec = with_providers(aws())
    spec["dependencies"][1]["fallback"] = ["model-api"]
    problem = only(spec, "dependency-fallbacks")
    assert problem.path == "dependencies[0].fallback"
    assert "model-api → model-api-backup → model-api" in problem.message


def test_dependency_fallbacks_fails_for_an_http_api_fallback() -> None:
    spec = with_providers(aws())
    spec["dependencies"][1] = {"name": "model-api-backup", "kind": "http-api"}
    problem = only(spec, "dependency-fallbacks")
    assert problem.path == "dependencies[0].fallback[0]"
    assert "a http-api" in problem.message


def test_dependency_secrets_fails_for_an_undeclared_secret() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["secrets"] = ["llm-key"]
    spec["agents"][0]["secrets"] = ["llm-api-key"]  # keep the declared one used
    problem = only(spec, "dependency-secrets")
    assert problem.path == "dependencies[0].secrets[0]"
    assert "did you mean 'llm-api-key'?" in problem.fix


def test_dependency_secrets_passes_and_a_dependency_secret_is_not_unused() -> None:
    spec = with_providers(aws())
    assert spec["agents"][0]["secrets"] == []
    assert of_rule(spec, "unused-items") == []


def test_dependency_endpoints_fails_for_a_region_outside_the_topology() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["endpoints"] = {
        "us-east-1": "https://eastus.example.openai.azure.com",
        "eu-west-1": "https://westeurope.example.openai.azure.com",
    }
    problem = only(spec, "dependency-endpoints")
    assert problem.path == "dependencies[0].endpoints.eu-west-1"
    assert "us-east-1, us-west-2, default" in (problem.allowed or "")


def test_gateway_rate_limit_store_fails_for_a_dynamodb_or_missing_store() -> None:
    spec = with_providers(aws())
    spec["gateway"] = {"rate_limit_store": "conversations"}
    problem = only(spec, "gateway-rate-limit-store")
    assert "is dynamodb" in problem.message
    spec["gateway"] = {"rate_limit_store": "limits"}
    assert "'limits' is not a declared store" in only(spec, "gateway-rate-limit-store").message


def valkey(spec: dict[str, Any]) -> dict[str, Any]:
    spec["stores"].append({"name": "limits", "engine": "valkey", "cache": True})
    spec["gateway"] = {"rate_limit_store": "limits", "replicas": {"min": 2, "max": 6}}
    return spec


def test_gateway_rate_limit_store_passes_for_a_valkey_store() -> None:
    assert of_rule(valkey(with_providers(aws())), "gateway-rate-limit-store") == []


def test_gateway_rate_limit_store_fails_on_kubernetes() -> None:
    spec = kubernetes()
    spec["dependencies"] = [{"name": "llm", "kind": "model-provider", "model": "openai/gpt-4o"}]
    spec["gateway"] = {"rate_limit_store": "cache"}
    assert "Sentinel" in only(spec, "gateway-rate-limit-store").message


def test_dependency_rate_limits_fails_below_the_replicas_that_split_it() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["rate_limits"] = {"requests_per_minute": 5}
    spec["gateway"] = {"replicas": {"min": 2, "max": 6}}
    problem = only(spec, "dependency-rate-limits")
    assert problem.path == "dependencies[0].rate_limits.requests_per_minute"
    assert "split over 6 gateway replicas" in problem.message
    assert "rate_limit_store" in problem.fix


def test_dependency_rate_limits_passes_a_small_limit_with_a_shared_store() -> None:
    spec = valkey(with_providers(aws()))
    spec["dependencies"][0]["rate_limits"] = {"requests_per_minute": 5}
    assert of_rule(spec, "dependency-rate-limits") == []
    del spec["gateway"]["rate_limit_store"]
    spec["stores"].pop()
    assert len(of_rule(spec, "dependency-rate-limits")) == 1


def test_dependency_kind_fields_fails_for_mcp_fields_on_a_model_provider() -> None:
    spec = with_providers(aws())
    spec["dependencies"][1]["sticky"] = True
    problem = only(spec, "dependency-kind-fields")
    assert problem.severity == "warning"
    assert problem.path == "dependencies[1].sticky"


def test_dependency_endpoints_passes_for_regions_and_default() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["endpoints"] = {
        "us-east-1": "https://eastus.example.openai.azure.com",
        "default": "https://westus.example.openai.azure.com/openai",
    }
    assert of_rule(spec, "dependency-endpoints") == []


def test_dependency_kind_fields_passes_for_mcp_fields_on_an_mcp_server() -> None:
    spec = with_providers(aws())
    spec["dependencies"].append({"name": "tools", "kind": "mcp-server", "replicas": 3, "stateless": True})
    assert of_rule(spec, "dependency-kind-fields") == []


def test_gateway_name_passes_without_a_model_provider() -> None:
    spec = aws()
    spec["agents"][1]["name"] = "model-gateway"
    spec["agents"][0]["calls"] = []
    assert of_rule(spec, "gateway-name") == []


def test_gateway_name_fails_for_an_agent_named_like_the_gateway() -> None:
    spec = with_providers(aws())
    spec["agents"][1]["name"] = "model-gateway"
    assert only(spec, "gateway-name").path == "agents[1].name"


def test_dependency_fallback_needed_passes_with_a_fallback() -> None:
    assert of_rule(with_providers(aws()), "dependency-fallback-needed") == []


def test_dependency_fallback_needed_fails_for_a_lone_provider_below_the_objective() -> None:
    spec = with_providers(aws())
    spec["dependencies"][0]["fallback"] = []
    spec["dependencies"][0]["availability"] = {"percent": 99.9}
    spec["dependencies"].pop()
    problem = only(spec, "dependency-fallback-needed")
    assert problem.severity == "warning"
    assert "99.9 %, below the 99.95 % objective" in problem.message
    # a provider promising as much as the objective is no warning
    spec["dependencies"][0]["availability"] = {"percent": 99.95}
    assert of_rule(spec, "dependency-fallback-needed") == []
