"""The model gateway on aws: an ECS service per region behind an internal NLB that only its callers reach,
its provider keys from Secrets Manager, its LiteLLM config in its environment, its callers pointed at it."""

from __future__ import annotations

import json
from typing import Any

import yaml

from blueprints.plan import gateway
from stacks.graph import CapturedResource
from tests.components.aws.helpers import graph, synth_case, tags


def container(r: CapturedResource) -> dict[str, Any]:
    return json.loads(r.inputs["containerDefinitions"])[0]


def of_part(case: str, kind: str, part: str, region: str) -> list[CapturedResource]:
    return [
        r
        for r in graph(case).of_type(kind)
        if tags(r).get("agentha:part") == part and tags(r).get("agentha:region") == region
    ]


def test_a_gateway_service_runs_in_every_region_spread_like_an_agent() -> None:
    s = synth_case("support-agent")
    assert s.plan.gateway is not None
    for placement in s.plan.gateway.service.placements:
        (service,) = of_part("support-agent", "aws:ecs/service:Service", gateway.GATEWAY, placement.region)
        assert service.inputs["desiredCount"] == placement.desired
        assert len(service.inputs["networkConfiguration"]["subnets"]) == len(placement.zones)
        assert service.inputs["availabilityZoneRebalancing"] == "ENABLED"
        (balancer,) = of_part("support-agent", "aws:lb/loadBalancer:LoadBalancer", gateway.GATEWAY, placement.region)
        assert balancer.inputs["internal"] is True
        assert balancer.inputs["loadBalancerType"] == "network"
        targets = of_part("support-agent", "aws:appautoscaling/target:Target", gateway.GATEWAY, placement.region)
        assert targets and targets[0].inputs["minCapacity"] == placement.min


def test_the_task_reads_its_keys_from_secrets_manager_and_its_config_from_the_plan() -> None:
    s = synth_case("support-agent")
    assert s.plan.gateway is not None
    (task,) = of_part("support-agent", "aws:ecs/taskDefinition:TaskDefinition", gateway.GATEWAY, "us-west-2")
    c = container(task)
    assert c["image"] == s.plan.gateway.service.image
    assert c["entryPoint"] == list(gateway.command())
    assert c["healthCheck"]["command"][:2] == ["CMD", "python"]
    secrets = {x["name"]: x["valueFrom"] for x in c["secrets"]}
    assert set(secrets) == {"LLM_API_KEY", "LLM_BACKUP_API_KEY"}
    assert all(":us-west-2:" in arn for arn in secrets.values())
    env = {e["name"]: e["value"] for e in c["environment"]}
    config = yaml.safe_load(env[gateway.CONFIG_ENV])
    assert config == yaml.safe_load(s.plan.gateway.config("us-west-2"))
    assert config["router_settings"]["fallbacks"] == [{"model-api": ["model-api-backup"]}]
    # nothing secret in plain text: the config names the variable the key arrives in
    assert config["model_list"][0]["litellm_params"]["api_key"] == "os.environ/LLM_API_KEY"
    assert c["readonlyRootFilesystem"] is True


def test_callers_get_its_address_and_only_they_may_reach_it() -> None:
    g = graph("support-agent")
    (task,) = of_part("support-agent", "aws:ecs/taskDefinition:TaskDefinition", "conversation", "us-east-1")
    env = {e["name"]: e["value"] for e in container(task)["environment"]}
    assert env[gateway.URL_ENV].endswith(f":{gateway.PORT}")
    assert env[gateway.OPENAI_BASE_URL_ENV] == env[gateway.URL_ENV] + "/v1"
    (executor,) = of_part("support-agent", "aws:ecs/taskDefinition:TaskDefinition", "action-executor", "us-east-1")
    assert gateway.URL_ENV not in {e["name"] for e in container(executor)["environment"]}
    ingress = [
        r
        for r in g.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if tags(r).get("agentha:part") == gateway.GATEWAY and tags(r).get("agentha:region") == "us-east-1"
    ]
    from_callers = [r for r in ingress if r.name.startswith("support-agent-model-gateway-lb-from-")]
    assert [r.name for r in from_callers] == ["support-agent-model-gateway-lb-from-conversation-us-east-1"]
    assert all(r.inputs.get("cidrIpv4") is None for r in from_callers)
    # the conversation agent no longer receives the provider's key: only the gateway does
    assert not [x for x in container(task)["secrets"] if x["name"] == "LLM_API_KEY"]


def test_a_valkey_store_shares_the_limits_over_tls() -> None:
    s = synth_case("gateway-store")
    (task,) = of_part("gateway-store", "aws:ecs/taskDefinition:TaskDefinition", gateway.GATEWAY, "us-east-1")
    env = {e["name"]: e["value"] for e in container(task)["environment"]}
    assert env[gateway.REDIS_URL_ENV].startswith("rediss://") and env[gateway.REDIS_URL_ENV].endswith(":6379")
    # ... as its own IAM-authenticated user: LiteLLM signs the ElastiCache token from these (litellm/_redis.py).
    assert env["REDIS_AWS_IAM_AUTH"] == "true" and env["REDIS_AWS_IAM_REGION"] == "us-east-1"
    assert env["REDIS_AWS_IAM_USER_NAME"] == "support-agent-dev-limits-model-gateway"
    assert env["REDIS_AWS_IAM_CACHE_NAME"].startswith("support-agent-dev-limits-")
    assert yaml.safe_load(env[gateway.CONFIG_ENV])["router_settings"]["redis_url"] == (
        f"os.environ/{gateway.REDIS_URL_ENV}"
    )
    g = s.graph
    to_store = [
        r
        for r in g.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.name == "support-agent-model-gateway-to-limits-us-east-1"
    ]
    assert len(to_store) == 1 and to_store[0].inputs["fromPort"] == 6379


def test_callers_get_a_placeholder_openai_key_and_the_gateway_is_tagged_with_its_own_spec_section() -> None:
    (task,) = of_part("support-agent", "aws:ecs/taskDefinition:TaskDefinition", "conversation", "us-east-1")
    env = {e["name"]: e["value"] for e in container(task)["environment"]}
    assert env["OPENAI_API_KEY"] == gateway.OPENAI_API_KEY_PLACEHOLDER
    assert env[gateway.OPENAI_BASE_URL_ENV].endswith(f":{gateway.PORT}/v1")
    (gw,) = of_part("support-agent", "aws:ecs/taskDefinition:TaskDefinition", gateway.GATEWAY, "us-east-1")
    assert tags(gw)["agentha:spec-path"] == "gateway"
    assert "OPENAI_API_KEY" not in {e["name"] for e in container(gw)["environment"]}
