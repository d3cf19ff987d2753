"""MessageBroker and DurableQueue: a zone-spread RabbitMQ, quorum queues, dead letters, least privilege."""

from __future__ import annotations

import dataclasses

from components.kubernetes.durable_queue import delivery_limit
from components.kubernetes.message_broker import BROKER_REPLICAS, exact
from tests.components.kubernetes.support import case

EXAMPLE = "example:research-agent"


def objs(name: str, kind: str) -> list[dict]:
    return [m.object for m in case(name).objects if m.object["kind"] == kind]


def named(name: str, kind: str, obj: str) -> dict:
    return next(o for o in objs(name, kind) if o["metadata"]["name"] == obj)


def test_broker_has_three_nodes_one_per_zone_tls_and_a_budget_of_one():
    from blueprints.plan.planner import QUORUM_REPLICAS

    assert BROKER_REPLICAS == QUORUM_REPLICAS
    (cluster,) = objs(EXAMPLE, "RabbitmqCluster")
    spec = cluster["spec"]
    assert spec["replicas"] == 3
    assert spec["tls"] == {"secretName": "research-agent-rabbitmq-tls"}
    pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
    assert pod["containers"] == []
    (spread,) = pod["topologySpreadConstraints"]
    assert spread == {
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "research-agent-rabbitmq"}},
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
    }
    budget = named(EXAMPLE, "PodDisruptionBudget", "research-agent-rabbitmq")
    assert budget["spec"]["maxUnavailable"] == 1
    vhost = named(EXAMPLE, "Vhost", "research-agent-rabbitmq-vhost")["spec"]
    assert vhost["defaultQueueType"] == "quorum" and vhost["deletionPolicy"] == "retain"


def test_each_agent_may_publish_and_consume_only_its_own_queues():
    permissions = {o["spec"]["userReference"]["name"]: o["spec"]["permissions"] for o in objs(EXAMPLE, "Permission")}
    assert permissions == {
        "research-agent-planner-amqp": {"configure": "^$", "write": "^(research-tasks)$", "read": "^$"},
        "research-agent-worker-amqp": {"configure": "^$", "write": "^$", "read": "^(research-tasks)$"},
        # KEDA reads queue lengths over the management API: vhost access, no right on any resource.
        "research-agent-keda": {"configure": "^$", "write": "^$", "read": "^$"},
    }
    tags = {o["metadata"]["name"]: o["spec"]["tags"] for o in objs(EXAMPLE, "User")}
    assert tags == {
        "research-agent-planner-amqp": [],
        "research-agent-worker-amqp": [],
        "research-agent-keda": ["management"],
    }
    assert exact(["a.b", "c"]) == r"^(a\.b|c)$"
    policy = named(EXAMPLE, "NetworkPolicy", "research-agent-rabbitmq")["spec"]
    keda = next(
        r
        for r in policy["ingress"]
        if r["from"][0].get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "keda"}
    )
    assert keda["ports"] == [{"port": 15671, "protocol": "TCP"}]  # management API over TLS, not AMQP
    agents = policy["ingress"][0]
    assert agents["ports"] == [{"port": 5671, "protocol": "TCP"}]
    assert agents["from"][0]["podSelector"]["matchExpressions"][0]["values"] == [
        "research-agent-planner",
        "research-agent-worker",
    ]


def test_a_queue_is_quorum_with_an_exchange_and_a_dead_letter_route():
    queues = {o["spec"]["name"]: o["spec"] for o in objs(EXAMPLE, "Queue")}
    assert set(queues) == {"research-tasks", "research-tasks.dlq"}
    for q in queues.values():
        assert q["type"] == "quorum" and q["durable"] is True and q["deletionPolicy"] == "retain"
    bindings = {(b["spec"]["source"], b["spec"]["destination"]) for b in objs(EXAMPLE, "Binding")}
    assert bindings == {("research-tasks", "research-tasks"), ("research-tasks.dlx", "research-tasks.dlq")}


def test_the_policy_carries_delivery_limit_dead_lettering_retention_and_visibility():
    policies = {o["spec"]["name"]: o["spec"] for o in objs(EXAMPLE, "Policy")}
    main = policies["research-tasks"]
    assert main["pattern"] == "^research-tasks$" and main["applyTo"] == "quorum_queues"
    assert main["definition"] == {
        "delivery-limit": 2,  # max_receive_count 3: three deliveries, then the dead-letter queue
        "dead-letter-exchange": "research-tasks.dlx",
        "dead-letter-routing-key": "research-tasks",
        "dead-letter-strategy": "at-least-once",
        "overflow": "reject-publish",
        "message-ttl": 3 * 86400 * 1000,
        "consumer-timeout": 15 * 60 * 1000,
    }
    assert policies["research-tasks.dlq"]["definition"] == {"message-ttl": 7 * 86400 * 1000}
    assert policies["research-tasks.dlq"]["pattern"] == r"^research-tasks\.dlq$"
    queue = case(EXAMPLE).plan.queue("research-tasks")
    assert delivery_limit(dataclasses.replace(queue, max_receive_count=1)) == 0


def test_fifo_queues_have_a_single_active_consumer():
    queues = {o["spec"]["name"]: o["spec"] for o in objs("generated", "Queue")}
    assert queues["queue-01"]["arguments"] == {"x-single-active-consumer": True}  # ordering: fifo
    assert queues["queue-00"]["arguments"] == {}


def test_the_broker_image_is_pinned_to_a_release_whose_passive_declares_pass_on_read_or_write():
    import pytest

    from components.kubernetes.message_broker import BROKER_IMAGE, check_image, image_version

    (cluster,) = objs(EXAMPLE, "RabbitmqCluster")
    assert cluster["spec"]["image"] == BROKER_IMAGE == "rabbitmq:4.3.4-management"
    assert image_version("registry.local:5000/rabbitmq:4.2.6-management@sha256:ab") == "4.2.6"
    assert image_version("rabbitmq") == ""
    # 4.2.6 and 4.3.0 check `configure` on passive declarations, which no agent is granted.
    for bad in ("rabbitmq:4.2.6-management", "rabbitmq:4.3.0"):
        with pytest.raises(ValueError, match="configure"):
            check_image(bad)
    check_image("rabbitmq:4.2.7-management")


def test_agents_that_use_the_broker_are_told_to_use_publisher_confirms():
    from components.kubernetes.message_broker import broker_wiring

    env = {e.name: e.value for e in broker_wiring("s", "ns", "a").env}
    assert env["AGENTHA_RABBITMQ_PUBLISHER_CONFIRMS"] == "required"
