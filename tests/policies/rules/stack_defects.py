"""Seeded defects for the stack rules (graph or spec mutations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from tests.policies.rules.corpus import Defect, change, drop, json_field, move, setting

DEFECTS: list[Defect] = [
    Defect(
        "agentha-stack-plan-meet-objectives",
        "support-prod",
        "region RTO objective beyond the topology",
        "the plan's RTO after a region disruption estimate is 2m30s, which misses the objective of 1m",
        spec_edit=lambda text: text.replace("region:      {rto: 15m, rpo: 5m}", "region:      {rto: 1m, rpo: 5m}", 1),
        # the stack as deployed from the edited spec: its Region switch plan carries the new objective
        damage=change("support-agent-prod-switch-usw2-plan", setting("recoveryTimeObjectiveMinutes", 1)),
    ),
    Defect(
        "agentha-stack-part-cover-planned-regions",
        "support-prod",
        "queue missing in the standby region",
        "queue 'actions' is missing in us-west-2",
        drop("support-agent-actions-queue-us-west-2"),
    ),
    Defect(
        "agentha-stack-part-cover-planned-regions",
        "orders-prod",
        "agent missing in one active region",
        "agent 'router' is missing in eu-central-1",
        drop("order-routing-router-service-eu-central-1"),
    ),
    Defect(
        "agentha-stack-region-disallow-unplanned",
        "support-prod",
        "log group in an unplanned region",
        "is placed in eu-north-1, a region the plan does not name",
        move("support-agent-action-executor-logs-us-west-2", "eu-north-1"),
    ),
]

DEFECTS += [
    Defect(
        "agentha-stack-part-cover-planned-regions",
        "research-prod",
        "Kubernetes agent missing",
        "agent 'worker' is missing in europe-west4",
        drop("research-agent-worker-rollout-europe-west4"),
    ),
    Defect(
        "agentha-stack-region-disallow-unplanned",
        "research-prod",
        "Kubernetes object annotated for an unplanned region",
        "is placed in us-central1",
        change(
            "research-agent-observability-dashboard-europe-west4",
            lambda i: i["metadata"]["annotations"].update({"agentha.dev/region": "us-central1"}),
        ),
    ),
]

DEFECTS += [
    Defect(
        "agentha-stack-part-cover-planned-regions",
        "kube-multi",
        "store missing in the standby cluster",
        "store 'findings' is missing in europe-west1",
        drop("research-agent-findings-cluster-europe-west1"),
    ),
]


def _gateway_config(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    """Edit the LiteLLM config the gateway's container carries in its environment."""

    def containers(defs: Any) -> Any:
        for e in defs[0]["environment"]:
            if e["name"] == "AGENTHA_GATEWAY_CONFIG":
                config = yaml.safe_load(e["value"])
                edit(config)
                e["value"] = yaml.safe_dump(config, sort_keys=False)
        return defs

    return containers


def _retrying(config: dict[str, Any]) -> None:
    config["router_settings"]["num_retries"] = 2


def _plain_key(config: dict[str, Any]) -> None:
    config["model_list"][0]["litellm_params"]["api_key"] = "sk-live-0123456789abcdef"


DEFECTS += [
    Defect(
        "agentha-stack-gateway-disallow-nested-retries",
        "support-prod",
        "gateway retries under an agent that retries",
        "retries its calls 5 times and the model gateway it calls retries each 2 more: up to 15 calls",
        change(
            "support-agent-model-gateway-task-us-east-1",
            json_field("containerDefinitions", _gateway_config(_retrying)),
        ),
    ),
    Defect(
        "agentha-stack-gateway-disallow-plain-provider-keys",
        "support-prod",
        "provider key written into the gateway's config",
        "gives api_key of 'model-api' as a plain value",
        change(
            "support-agent-model-gateway-task-us-west-2",
            json_field("containerDefinitions", _gateway_config(_plain_key)),
        ),
    ),
    Defect(
        "agentha-stack-dependency-require-mcp-session-affinity",
        "support-prod",
        "MCP server with three instances and no session affinity",
        "MCP server 'tools' runs 3 instances behind a load balancer, and is neither stateless nor sticky",
        spec_edit=lambda text: text.replace(
            "gateway:                             # the model gateway",
            "  - {name: tools, kind: mcp-server, callers: [conversation], replicas: 3, "
            "availability: {percent: 100, basis: assumption}}\n"
            "gateway:                             # the model gateway",
            1,
        ),
    ),
]

DEFECTS += [
    Defect(
        "agentha-stack-region-switch-plan-match-objective",
        "support-prod",
        "multi-region stack without its Region switch plan",
        "the stack has no ARC Region switch plan 'support-agent-prod-switch-usw2'",
        drop("support-agent-prod-switch-usw2-plan"),
    ),
    Defect(
        "agentha-stack-region-switch-plan-match-objective",
        "orders-prod",
        "Region switch plan with another RTO than the objective",
        "has RecoveryTimeObjectiveMinutes 60, but the region RTO objective is 6 min",
        change("order-routing-prod-switch-euc1-plan", setting("recoveryTimeObjectiveMinutes", 60)),
    ),
]
