"""Seeded defects for the Kubernetes rules (research-agent prod)."""

from __future__ import annotations

from typing import Any

from tests.policies.graphs import resource
from tests.policies.rules.corpus import DELETE, Defect, add, change, drop, setting

RA = "research-agent"
R = "europe-west4"
BASE = "research-prod"
PLANNER = f"{RA}-planner-rollout-{R}"
WORKER = f"{RA}-worker-rollout-{R}"
MAIN = "spec.template.spec.containers.0"
CLAIMS = "claims-kube"
CRDB = "claims-claims-crdb-cluster-us-east-2"


def _plain_secret_env(inputs: dict[str, Any]) -> None:
    env = inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    for i, entry in enumerate(env):
        if entry["name"] == "SEARCH_API_KEY":
            env[i] = {"name": "SEARCH_API_KEY", "value": "live-key-0000"}


def _without_alert(alert: str):
    def edit(inputs: dict[str, Any]) -> None:
        for group in inputs["spec"]["groups"]:
            group["rules"] = [r for r in group["rules"] if r.get("alert") != alert]

    return edit


def _config_without(key: str, directive: str):
    def edit(inputs: dict[str, Any]) -> None:
        lines = inputs["data"][key].splitlines()
        inputs["data"][key] = "\n".join(line for line in lines if not line.startswith(directive))

    return edit


DEFECTS: list[Defect] = [
    Defect(
        "agentha-kubernetes-workload-spread-across-zones",
        BASE,
        "no zone spread constraint",
        "does not force its pods apart by zone",
        change(PLANNER, setting("spec.template.spec.topologySpreadConstraints", [])),
    ),
    Defect(
        "agentha-kubernetes-workload-spread-across-zones",
        BASE,
        "replicas below the zone-loss floor",
        "runs 4 replica(s) but the plan needs 5",
        change(WORKER, setting("spec.replicas", 4)),
    ),
    Defect(
        "agentha-kubernetes-workload-require-probes",
        BASE,
        "no readiness probe",
        "has no readinessProbe although the spec defines one (/readyz)",
        change(PLANNER, setting(f"{MAIN}.readinessProbe", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-workload-require-resources",
        BASE,
        "no limits",
        "sets no limits.cpu, limits.memory",
        change(WORKER, setting(f"{MAIN}.resources.limits", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-workload-disallow-root",
        BASE,
        "container may run as root",
        "runAsNonRoot is not true",
        change(PLANNER, setting(f"{MAIN}.securityContext.runAsNonRoot", False)),
    ),
    Defect(
        "agentha-kubernetes-workload-disallow-token-automount",
        BASE,
        "token automounted",
        "mounts a service account token into every pod",
        change(PLANNER, setting("spec.template.spec.automountServiceAccountToken", True)),
    ),
    Defect(
        "agentha-kubernetes-workload-disallow-plain-secrets",
        BASE,
        "spec secret as a literal env value",
        "gets SEARCH_API_KEY as a literal value although it is the spec secret 'search-api-key'",
        change(WORKER, _plain_secret_env),
    ),
    Defect(
        "agentha-kubernetes-secret-disallow-inline-data",
        BASE,
        "a Secret with its value in the program",
        "holds secret values (value) in the program",
        add(
            resource(
                "kubernetes:core/v1:Secret",
                f"{RA}-llm-api-key-secret-{R}",
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {
                        "name": f"{RA}-llm-api-key-secret",
                        "namespace": RA,
                        "annotations": {"agentha.dev/region": R, "agentha.dev/spec-path": "secrets.llm-api-key"},
                    },
                    "stringData": {"value": "[secret]"},
                },
            )
        ),
    ),
    Defect(
        "agentha-kubernetes-service-disallow-external-exposure",
        BASE,
        "agent Service of type LoadBalancer",
        "is of type LoadBalancer",
        change(f"{RA}-planner-service-{R}", setting("spec.type", "LoadBalancer")),
    ),
    Defect(
        "agentha-kubernetes-ingress-require-tls",
        BASE,
        "Ingress without TLS",
        "serves research.lab.example without TLS",
        change(f"{RA}-planner-ingress-{R}", setting("spec.tls", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-autoscaler-hold-zone-floor",
        BASE,
        "HPA minimum below the floor",
        "may scale the agent down to 1 replica(s), below the plan's 3",
        change(f"{RA}-planner-hpa-{R}", setting("spec.minReplicas", 1)),
    ),
    Defect(
        "agentha-kubernetes-autoscaler-hold-zone-floor",
        BASE,
        "KEDA minimum below the floor",
        "may scale the agent down to 2 replica(s), below the plan's 5",
        change(f"{RA}-worker-scaled-object-{R}", setting("spec.minReplicaCount", 2)),
    ),
    Defect(
        "agentha-kubernetes-workload-require-disruption-budget",
        BASE,
        "workload without PodDisruptionBudget",
        "has no PodDisruptionBudget selecting its pods",
        drop(f"{RA}-worker-pdb-{R}"),
    ),
    Defect(
        "agentha-kubernetes-workload-require-disruption-budget",
        BASE,
        "budget that blocks every eviction",
        "allow no eviction",
        change(f"{RA}-planner-pdb-{R}", setting("spec.minAvailable", 3)),
    ),
    Defect(
        "agentha-kubernetes-workload-require-network-policy",
        BASE,
        "policy without egress",
        "has no NetworkPolicy restricting its egress",
        # The namespace's default deny restricts every pod's egress too: take it away as well.
        lambda g: drop(f"{RA}-default-deny-{R}")(
            change(f"{RA}-worker-network-policy-{R}", setting("spec.policyTypes", ["Ingress"]))(g)
        ),
    ),
    Defect(
        "agentha-kubernetes-rabbitmq-queue-require-dead-letter",
        BASE,
        "queue policy without dead-letter exchange",
        "has no policy with a dead-letter-exchange",
        change(f"{RA}-research-tasks-policy-{R}", setting("spec.definition.dead-letter-exchange", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-rabbitmq-queue-require-dead-letter",
        BASE,
        "delivery limit differs from the spec",
        "has delivery-limit 10, but the spec's max_receive_count 3 means 2 redeliveries",
        change(f"{RA}-research-tasks-policy-{R}", setting("spec.definition.delivery-limit", 10)),
    ),
    Defect(
        "agentha-kubernetes-rabbitmq-queue-cover-longest-step",
        BASE,
        "consumer timeout below the longest step",
        "after 1m without an ack, no longer than the longest step of its consumer 'worker' (10m)",
        change(f"{RA}-research-tasks-policy-{R}", setting("spec.definition.consumer-timeout", 60000)),
    ),
    Defect(
        "agentha-kubernetes-rabbitmq-queue-require-quorum-type",
        BASE,
        "classic queue",
        "type is classic",
        change(f"{RA}-research-tasks-queue-{R}", setting("spec.type", "classic")),
    ),
    Defect(
        "agentha-kubernetes-postgres-cluster-spread-across-zones",
        BASE,
        "instances not forced apart by zone",
        "does not keep its instances in different zones",
        change(f"{RA}-findings-cluster-{R}", setting("spec.topologySpreadConstraints", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-postgres-cluster-require-synchronous-replica",
        BASE,
        "asynchronous standby with a zone RPO of 0",
        "commits without waiting for a synchronous standby",
        change(f"{RA}-findings-cluster-{R}", setting("spec.postgresql.synchronous", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-postgres-cluster-require-backup",
        BASE,
        "no WAL archive",
        "archives no WAL and takes no base backup",
        change(f"{RA}-findings-cluster-{R}", setting("spec.backup", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-redis-replication-require-sentinel",
        BASE,
        "Redis without Sentinel",
        "has no RedisSentinel quorum",
        drop(f"{RA}-source-cache-sentinel-{R}"),
    ),
    Defect(
        "agentha-kubernetes-redis-replication-require-tls",
        BASE,
        "Redis without TLS",
        "RedisReplication has no spec.TLS",
        change(f"{RA}-source-cache-replication-{R}", setting("spec.TLS", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-redis-replication-require-tls",
        BASE,
        "Sentinel dialling Redis in plain text",
        "RedisSentinel sets spec.TLS but the configuration it includes lacks `tls-replication yes`",
        change(
            f"{RA}-source-cache-tls-config-{R}",
            _config_without("redis-sentinel-additional.conf", "tls-replication"),
        ),
    ),
    Defect(
        "agentha-kubernetes-prometheus-rule-cover-spec-slis",
        BASE,
        "no dead-letter alert",
        "queue 'research-tasks' in europe-west4 has no QueueDeadLetters alert",
        change(f"{RA}-observability-rules-{R}", _without_alert("QueueDeadLetters")),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-require-tls",
        CLAIMS,
        "CockroachDB without TLS",
        "runs without TLS",
        change(CRDB, setting("spec.tlsEnabled", False)),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-require-tls",
        CLAIMS,
        "operator-generated certificates across regions",
        "each cluster gets its own CA",
        change(CRDB, setting("spec.nodeTLSSecret", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-hold-zone-floor",
        CLAIMS,
        "two nodes in a region",
        "runs 2 node(s) in its region",
        change(CRDB, setting("spec.nodes", 2)),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-hold-zone-floor",
        CLAIMS,
        "nodes not forced apart by zone",
        "does not keep its nodes in different zones",
        change(CRDB, setting("spec.topologySpreadConstraints", DELETE)),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-join-planned-regions",
        CLAIMS,
        "no region locality",
        "its nodes do not say region us-east-2",
        change(CRDB, setting("spec.additionalArgs.0", "--locality=zone=a")),
    ),
    Defect(
        "agentha-kubernetes-crdb-cluster-join-planned-regions",
        CLAIMS,
        "joins its own region only",
        "joins the nodes of 1 CrdbCluster(s) but the plan places the store in 3 regions",
        change(
            CRDB,
            setting(
                "spec.additionalArgs.1",
                "--join=claims-claims-us-east-2-0.claims-claims-us-east-2.claims-crdb:26258",
            ),
        ),
    ),
]
