"""MessageBroker: one RabbitMQ cluster per region for the system's quorum queues.

A `RabbitmqCluster` (RabbitMQ Cluster Operator) of three nodes, one per zone and never two on a
node, so a quorum queue keeps its majority through one zone's loss; TLS on the client listener with
a certificate from a Secret; a PodDisruptionBudget allowing one node down at a time (quorum kept
during drains); the system's vhost; one broker user per agent with permissions on its own queues
only (Messaging Topology Operator); and a NetworkPolicy letting only those agents, the operators,
KEDA and Prometheus connect.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes.meta import (
    OPERATOR_NAME_LIMIT,
    STATEFUL_ANNOTATIONS,
    RegionScope,
    custom_resource,
    memory_quantity,
    object_name,
    regex_escape,
)
from components.kubernetes.network_policy import service_ingress
from components.kubernetes.wiring import TLS_MOUNT, BacklogSource, CaFile, EnvVar, Peer, Wiring

BROKER_REPLICAS = 3
"""Three nodes: quorum queues keep a majority (2) through the loss of any one node or zone."""
AMQPS_PORT = 5671
METRICS_PORT = 15691
METRICS_PORT_NAME = "prometheus-tls"
"""With TLS on, the Cluster Operator's Service exposes the metrics listener only over TLS (15691,
port `prometheus-tls`): the plain `prometheus` port (15692) is left out of it."""
ZONE_KEY = "topology.kubernetes.io/zone"


def broker_name(system: str) -> str:
    return object_name(system, "rabbitmq", limit=OPERATOR_NAME_LIMIT)


def user_name(system: str, agent: str) -> str:
    return object_name(system, agent, "amqp", limit=OPERATOR_NAME_LIMIT)


def tls_secret(system: str) -> str:
    """Secret with tls.crt, tls.key and ca.crt for the broker (cert-manager or out of band)."""
    return f"{broker_name(system)}-tls"


def exact(names: list[str]) -> str:
    """A permission regex matching exactly these names, or nothing."""
    return "^(" + "|".join(regex_escape(n) for n in sorted(names)) + ")$" if names else "^$"


def broker_wiring(system: str, namespace: str, agent: str) -> Wiring:
    """Connection settings for an agent that produces or consumes: host, vhost, its user, the CA."""
    name = broker_name(system)
    credentials = f"{user_name(system, agent)}-user-credentials"
    return Wiring(
        env=(
            EnvVar("AGENTHA_RABBITMQ_HOST", value=f"{name}.{namespace}.svc"),
            EnvVar("AGENTHA_RABBITMQ_PORT", value=str(AMQPS_PORT)),
            EnvVar("AGENTHA_RABBITMQ_VHOST", value=system),
            EnvVar("AGENTHA_RABBITMQ_USERNAME", secret=credentials, key="username"),
            EnvVar("AGENTHA_RABBITMQ_PASSWORD", secret=credentials, key="password"),
            EnvVar("AGENTHA_RABBITMQ_CA_FILE", value=f"{TLS_MOUNT}/rabbitmq/ca.crt"),
        ),
        ca_files=(CaFile(secret=tls_secret(system), key="ca.crt", path="rabbitmq/ca.crt"),),
        peers=(Peer(match_labels=(("app.kubernetes.io/name", name),), ports=(AMQPS_PORT,)),),
    )


def backlog_source(system: str, namespace: str, agent: str, queue: str) -> BacklogSource:
    name = broker_name(system)
    return BacklogSource(
        host=f"amqps://{name}.{namespace}.svc:{AMQPS_PORT}/{system}",
        vhost=system,
        queue=queue,
        credentials_secret=f"{user_name(system, agent)}-user-credentials",
        ca_secret=tls_secret(system),
    )


@dataclass(frozen=True)
class BrokerUser:
    """An agent's broker user: it may publish to `writes` (exchanges) and consume `reads` (queues)."""

    agent: str
    instance: str
    """The agent pods' `app.kubernetes.io/instance` label."""
    writes: tuple[str, ...]
    reads: tuple[str, ...]


@dataclass(frozen=True)
class MessageBrokerArgs:
    scope: RegionScope
    users: tuple[BrokerUser, ...]
    storage_mib: int = 10240
    storage_class: str | None = None
    operator_namespace: str = "rabbitmq-system"
    keda_namespace: str = "keda"
    monitoring_namespace: str = "monitoring"


class MessageBroker(pulumi.ComponentResource):
    """The region's RabbitMQ cluster, vhost and per-agent users (see the module docstring)."""

    name: str
    vhost: str

    def __init__(self, name: str, args: MessageBrokerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:MessageBroker", name, None, opts)
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
        from pulumi_kubernetes.policy.v1 import PodDisruptionBudget, PodDisruptionBudgetSpecArgs

        scope = args.scope
        self.name = broker_name(scope.system)
        self.vhost = scope.system
        labels = scope.labels(name="rabbitmq", instance=self.name, component="broker")
        spec_path = "queues"
        pods = {"app.kubernetes.io/name": self.name}

        def meta(obj: str, stateful: bool = False):
            return scope.metadata(
                obj, labels=labels, spec_path=spec_path, annotations=STATEFUL_ANNOTATIONS if stateful else None
            )

        cluster = custom_resource(
            scope.resource_name("rabbitmq", "cluster"),
            api_version="rabbitmq.com/v1beta1",
            kind="RabbitmqCluster",
            metadata=meta(self.name, stateful=True),
            spec={
                "replicas": BROKER_REPLICAS,
                "persistence": {"storage": memory_quantity(args.storage_mib)}
                | ({"storageClassName": args.storage_class} if args.storage_class else {}),
                "resources": {
                    "requests": {"cpu": "1000m", "memory": "2Gi"},
                    "limits": {"cpu": "2000m", "memory": "2Gi"},
                },
                # Clients connect over TLS (5671); the plain listener stays for the operators' own
                # checks and is closed to everyone else by the NetworkPolicy below.
                "tls": {"secretName": tls_secret(scope.system)},
                "rabbitmq": {
                    "additionalConfig": "\n".join(
                        [
                            "cluster_partition_handling = pause_minority",
                            "quorum_queue.property_equivalence.relaxed_checks_on_redeclaration = true",
                        ]
                    )
                },
                "affinity": {
                    "podAntiAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": pods}, "topologyKey": "kubernetes.io/hostname"}
                        ]
                    }
                },
                "override": {
                    "statefulSet": {
                        "spec": {
                            "template": {
                                "spec": {
                                    "containers": [],
                                    "topologySpreadConstraints": [
                                        {
                                            "maxSkew": 1,
                                            "topologyKey": ZONE_KEY,
                                            "whenUnsatisfiable": "DoNotSchedule",
                                            "labelSelector": {"matchLabels": pods},
                                        }
                                    ],
                                }
                            }
                        }
                    }
                },
            },
            opts=scope.opts(self, protect=True),
        )
        ref = {"name": self.name}
        PodDisruptionBudget(
            scope.resource_name("rabbitmq", "pdb"),
            metadata=meta(self.name),
            spec=PodDisruptionBudgetSpecArgs(max_unavailable=1, selector=LabelSelectorArgs(match_labels=pods)),
            opts=scope.opts(self),
        )
        custom_resource(
            scope.resource_name("rabbitmq", "vhost"),
            api_version="rabbitmq.com/v1beta1",
            kind="Vhost",
            metadata=meta(object_name(self.name, "vhost"), stateful=True),
            spec={
                "name": self.vhost,
                "defaultQueueType": "quorum",
                # Deleting the object must not delete the queues and their messages.
                "deletionPolicy": "retain",
                "rabbitmqClusterReference": ref,
            },
            opts=scope.opts(self, depends_on=[cluster]),
        )
        for user in sorted(args.users, key=lambda u: u.agent):
            uname = user_name(scope.system, user.agent)
            custom_resource(
                scope.resource_name("rabbitmq", user.agent, "user"),
                api_version="rabbitmq.com/v1beta1",
                kind="User",
                metadata=meta(uname),
                # The operator generates the password into <name>-user-credentials.
                spec={"tags": [], "rabbitmqClusterReference": ref},
                opts=scope.opts(self, depends_on=[cluster]),
            )
            custom_resource(
                scope.resource_name("rabbitmq", user.agent, "permission"),
                api_version="rabbitmq.com/v1beta1",
                kind="Permission",
                metadata=meta(object_name(uname, "permission")),
                spec={
                    "vhost": self.vhost,
                    "userReference": {"name": uname},
                    "permissions": {
                        # Queues and exchanges are declared by the operator, never by agents.
                        "configure": "^$",
                        "write": exact(list(user.writes)),
                        "read": exact(list(user.reads)),
                    },
                    "rabbitmqClusterReference": ref,
                },
                opts=scope.opts(self, depends_on=[cluster]),
            )
        self._network_policy(args, pods, labels)
        self.register_outputs({"name": self.name, "vhost": self.vhost})

    def _network_policy(self, args: MessageBrokerArgs, pods: dict[str, str], labels: dict[str, str]) -> None:
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
        from pulumi_kubernetes.networking.v1 import NetworkPolicy

        scope = args.scope
        # Clustering (epmd, inter-node, CLI) flows between the broker's own nodes.
        NetworkPolicy(
            scope.resource_name("rabbitmq", "network-policy"),
            metadata=scope.metadata(self.name, labels=labels, spec_path="queues"),
            spec=service_ingress(
                LabelSelectorArgs(match_labels=dict(pods)),
                clients=sorted({u.instance for u in args.users}),
                client_ports=(AMQPS_PORT,),
                namespaces=[
                    (args.operator_namespace, (5671, 5672, 15671, 15672)),
                    (args.keda_namespace, (AMQPS_PORT,)),
                    (args.monitoring_namespace, (METRICS_PORT,)),
                ],
            ),
            opts=scope.opts(self),
        )
