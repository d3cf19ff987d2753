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
    }
    assert exact(["a.b", "c"]) == r"^(a\.b|c)$"
    policy = named(EXAMPLE, "NetworkPolicy", "research-agent-rabbitmq")["spec"]
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
