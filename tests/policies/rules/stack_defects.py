"""Seeded defects for the stack rules (graph or spec mutations)."""

from __future__ import annotations

from tests.policies.rules.corpus import Defect, change, drop, move

DEFECTS: list[Defect] = [
    Defect(
        "agentha-stack-plan-meet-objectives",
        "support-prod",
        "region RTO objective beyond the topology",
        "the plan's RTO after a region disruption estimate is 2m30s, which misses the objective of 1m",
        spec_edit=lambda text: text.replace("region:      {rto: 15m, rpo: 5m}", "region:      {rto: 1m, rpo: 5m}", 1),
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
