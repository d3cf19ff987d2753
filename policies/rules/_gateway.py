"""What the model gateway's policy rules read from the graph: a workload's plain environment (an ECS
task definition's first container, a Kubernetes Deployment's or Rollout's containers) and the
gateway's LiteLLM configuration carried in it (blueprints/plan/gateway.py)."""

from __future__ import annotations

from typing import Any

import yaml

from policies.rules._kubernetes import containers
from policies.rules._shared import container_definitions

CONFIG_ENV = "AGENTHA_GATEWAY_CONFIG"
URL_ENV = "AGENTHA_MODEL_GATEWAY_URL"
API_KEY_PLACEHOLDER = ("OPENAI_API_KEY", "not-a-secret-the-model-gateway-holds-the-provider-keys")
"""The gateway's callers' OPENAI_API_KEY (blueprints/plan/gateway.py OPENAI_API_KEY_PLACEHOLDER): a documented
non-secret value, the only plain value an API-key variable may hold."""


def is_key_placeholder(name: str, value: object) -> bool:
    return (name, value) == API_KEY_PLACEHOLDER


WORKLOAD_TYPES = (
    "aws:ecs/taskDefinition:TaskDefinition",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
)


def plain_env(resource_type: str, props: Any) -> dict[str, str]:
    """Literal environment values of the workload's containers (references to secrets left out)."""
    out: dict[str, str] = {}
    if resource_type == "aws:ecs/taskDefinition:TaskDefinition":
        for c in container_definitions(props):
            for e in c.get("environment") or []:
                if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("value"), str):
                    out[e["name"]] = e["value"]
    elif resource_type in WORKLOAD_TYPES:
        for c in containers(props, init=False):
            for e in (c.get("env") if isinstance(c, dict) else None) or []:
                if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("value"), str):
                    out[e["name"]] = e["value"]
    return out


def gateway_config(env: dict[str, str]) -> dict[str, Any] | None:
    """The gateway's LiteLLM config from its environment (None: not the gateway, or unreadable)."""
    text = env.get(CONFIG_ENV)
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None
