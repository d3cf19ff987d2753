"""KubernetesTopology: one provider per region, arguments that reach the objects, exports, errors."""

from __future__ import annotations

import pytest

from components.kubernetes.topology import KubernetesTopology, KubernetesTopologyArgs
from stacks.capture import synthesize
from tests.components.kubernetes.support import case


def build(plan, **kwargs):
    def program():
        topology = KubernetesTopology(plan.system, KubernetesTopologyArgs(plan=plan, **kwargs))
        import pulumi

        pulumi.export("out", topology.exports())

    return synthesize(program, project="p", stack="s")


def test_a_region_without_a_context_is_an_error_that_says_what_to_set():
    plan = case("variant:active-passive-warm").plan
    with pytest.raises(ValueError, match=r"us-central1.*agentha:kubeContexts"):
        build(plan, contexts={"europe-west4": "eu"})


def test_arguments_reach_the_objects():
    plan = case("example:research-agent").plan
    graph = build(
        plan,
        contexts={"europe-west4": "prod-eu"},
        kubeconfig="/etc/kube/config",
        tls_secret_name="research-cert",
        namespace="research",
        ingress_class_name="public-lb",
        private_ingress_class_name="internal",
        otlp_endpoint="http://collector.obs.svc:4318",
        backup_destination="gs://backups/research",
        storage_class="fast",
    )
    (provider,) = [r for r in graph if r.is_provider]
    assert provider.inputs == {
        "context": "prod-eu",
        "kubeconfig": "/etc/kube/config",
        "clusterIdentifier": "research-agent-europe-west4",
    }
    kinds = {r.inputs["kind"]: r.inputs for r in graph if r.custom and not r.is_provider}
    assert kinds["Ingress"]["spec"]["tls"][0]["secretName"] == "research-cert"
    assert kinds["Ingress"]["spec"]["ingressClassName"] == "internal"  # the example's ingress is private
    env = {e["name"]: e.get("value") for e in kinds["Rollout"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://collector.obs.svc:4318"
    assert kinds["Cluster"]["spec"]["backup"]["barmanObjectStore"]["destinationPath"] == "gs://backups/research"
    assert kinds["Cluster"]["spec"]["backup"]["barmanObjectStore"]["googleCredentials"] == {
        "applicationCredentials": {"name": "research-agent-backup-credentials", "key": "credentials.json"}
    }
    assert kinds["Cluster"]["spec"]["storage"]["storageClass"] == "fast"
    assert kinds["Namespace"]["metadata"]["name"] == "research"
    assert {r.inputs["metadata"].get("namespace") for r in graph if r.custom and not r.is_provider} == {
        None,
        "research",
    }
    exports = graph.exports["out"]["kubernetes"]
    assert exports["namespace"] == "research"
    secrets = {s["name"]: s["keys"] for s in exports["requiredSecrets"]["europe-west4"]}
    assert secrets == {
        # A gs:// destination takes a Google service-account key, not S3 keys.
        "research-agent-backup-credentials": ["credentials.json"],
        "research-agent-llm-api-key-secret": ["value"],
        "research-agent-rabbitmq-tls": ["tls.crt", "tls.key", "ca.crt"],
        "research-agent-search-api-key-secret": ["value"],
        "research-agent-source-cache-auth": ["password"],
        "research-agent-source-cache-tls": ["ca.crt", "tls.crt", "tls.key"],
        "research-cert": ["tls.crt", "tls.key"],
    }
    assert exports["regions"]["europe-west4"]["agents"]["worker"] == {
        "kind": "Rollout",
        "replicas": 5,
        "minAvailable": 3,
    }


def test_the_stack_program_exports_the_topology():
    graph = case("example:research-agent").graph
    exports = graph.exports["kubernetes"]
    assert exports["regions"]["europe-west4"]["context"] == "research-agent-europe-west4"
    assert exports["regions"]["europe-west4"]["stores"] == {
        "findings": "research-agent-findings",
        "source-cache": "research-agent-source-cache",
    }


def test_component_tree_groups_each_region():
    graph = case("variant:active-passive-hot").graph
    components = {r.type for r in graph if r.is_component}
    assert {
        "agentha:kubernetes:Topology",
        "agentha:kubernetes:SystemNamespace",
        "agentha:kubernetes:AgentWorkload",
        "agentha:kubernetes:StateStore",
        "agentha:kubernetes:MessageBroker",
        "agentha:kubernetes:DurableQueue",
        "agentha:kubernetes:Observability",
        "agentha:kubernetes:AgentIngress",
        "agentha:kubernetes:GlobalRouting",
        "agentha:kubernetes:ChaosDrills",
    } == components
    for r in graph:
        if r.custom and not r.is_provider:
            parent = graph.by_urn(r.parent)
            assert parent is not None and parent.is_component, r.urn


def test_names_whose_objects_would_collide_are_refused():
    import dataclasses

    from components.kubernetes.topology import names_in_conflict

    plan = case("example:research-agent").plan
    assert names_in_conflict(plan) == []
    store = dataclasses.replace(plan.stores[0], name="planner")
    broker = dataclasses.replace(plan.agents[1], name="rabbitmq")
    clashing = dataclasses.replace(plan, stores=(store, *plan.stores[1:]), agents=(plan.agents[0], broker))
    assert names_in_conflict(clashing) == ["'planner' (agent and store)", "'rabbitmq' (reserved for the broker)"]
    with pytest.raises(ValueError, match="rename the agent or store"):
        build(clashing, contexts={"europe-west4": "eu"})
