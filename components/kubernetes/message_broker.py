"""MessageBroker: one RabbitMQ cluster per region for the system's quorum queues.

A `RabbitmqCluster` (RabbitMQ Cluster Operator) of three nodes, one per zone and never two on a
node, so a quorum queue keeps its majority through one zone's loss; TLS on the client listener with
a certificate from a Secret; a PodDisruptionBudget allowing one node down at a time (quorum kept
during drains); the system's vhost; one broker user per agent with permissions on its own queues
only (Messaging Topology Operator); a user for KEDA that can read queue lengths from the
management API and nothing else; and a NetworkPolicy letting only those agents, the operators,
KEDA and Prometheus connect.

The broker image is pinned (`BROKER_IMAGE`): the Cluster Operator's default image changes with the
operator, and RabbitMQ 4.2.6 and 4.3.0 (the operator's default in 2.21 and 2.22) check `configure`
on passive declarations, which agents whose permissions grant no `configure` (here: none do) cannot
pass. From 4.2.7 and 4.3.1 a passive declaration needs any one permission on the resource
(rabbitmq-server `rabbit_channel:check_any_resource_access_permitted`, issue #16085), which each
agent has on its own queues (read) and exchanges (write).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.kubernetes.meta import (
    OPERATOR_NAME_LIMIT,
    STATEFUL_ANNOTATIONS,
    RegionScope,
    custom_resource,
    memory_quantity,
    object_name,
    regex_escape,
    stateful_priority_class,
)
from components.kubernetes.network_policy import service_ingress
from components.kubernetes.wiring import TLS_MOUNT, BacklogSource, CaFile, EnvVar, Peer, Wiring

BROKER_REPLICAS = 3
"""Three nodes: quorum queues keep a majority (2) through the loss of any one node or zone."""
BROKER_IMAGE = "rabbitmq:4.3.4-management"
"""Pinned: the Cluster Operator's own default at the CRD commit in ../shared/crds (cluster-operator
06cda8e, `cmd/main.go`), a release where passive declarations need any permission, not `configure`."""
CONFIGURE_ON_PASSIVE = ("4.2.6", "4.3.0")
"""RabbitMQ releases whose passive `queue.declare`/`exchange.declare` require `configure` (checked
in rabbitmq-server's tags: v4.2.5 checks nothing, v4.2.6 and v4.3.0 `check_configure_permitted`,
v4.2.7 and v4.3.1 on any permission)."""
AMQPS_PORT = 5671
MANAGEMENT_TLS_PORT = 15671
"""The management API over TLS (Service port `management-tls`): KEDA reads queue lengths there."""
METRICS_PORT = 15691
METRICS_PORT_NAME = "prometheus-tls"
"""With TLS on, the Cluster Operator's Service exposes the metrics listener only over TLS (15691,
port `prometheus-tls`): the plain `prometheus` port (15692) is left out of it."""
ZONE_KEY = "topology.kubernetes.io/zone"


def broker_name(system: str) -> str:
    return object_name(system, "rabbitmq", limit=OPERATOR_NAME_LIMIT)


def user_name(system: str, agent: str) -> str:
    return object_name(system, agent, "amqp", limit=OPERATOR_NAME_LIMIT)


def keda_user_name(system: str) -> str:
    """The broker user KEDA reads queue lengths with (no agent's name ends without `-amqp`)."""
    return object_name(system, "keda", limit=OPERATOR_NAME_LIMIT)


def image_version(image: str) -> str:
    """The RabbitMQ version in an image reference (`rabbitmq:4.3.4-management` -> `4.3.4`)."""
    tag = image.rsplit("@", 1)[0].rpartition(":")[2] if ":" in image.rsplit("/", 1)[-1] else ""
    return tag.split("-", 1)[0]


def check_image(image: str) -> None:
    """Refuse a broker image whose passive declarations require `configure`: agents could not consume."""
    if image_version(image) in CONFIGURE_ON_PASSIVE:
        raise ValueError(
            f"broker image {image}: RabbitMQ {image_version(image)} requires the configure permission on "
            "passive declarations, which agents here are not granted, so consumers and producers that "
            f"passively declare are refused; use {BROKER_IMAGE} (or 4.2.7+ / 4.3.1+)"
        )


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
            # A publish counts only once the broker has confirmed it (written to a quorum of nodes);
            # an unconfirmed one is retried. Without confirms a message in flight when a node or the
            # region fails is lost silently (docs/kubernetes.md, "Queues").
            EnvVar("AGENTHA_RABBITMQ_PUBLISHER_CONFIRMS", value="required"),
        ),
        ca_files=(CaFile(secret=tls_secret(system), key="ca.crt", path="rabbitmq/ca.crt"),),
        peers=(Peer(match_labels=(("app.kubernetes.io/name", name),), ports=(AMQPS_PORT,)),),
    )


def backlog_source(system: str, namespace: str, queue: str) -> BacklogSource:
    """Where KEDA reads a queue's length: the management API over TLS, as the KEDA user.

    Not AMQP: a passive `queue.declare` answers with the *ready* messages only, so a queue whose
    messages are all being worked on looks empty and its busy consumers would be scaled in. The
    management API's `messages` counts ready and unacknowledged ones.
    """
    name = broker_name(system)
    return BacklogSource(
        host=f"https://{name}.{namespace}.svc:{MANAGEMENT_TLS_PORT}/{system}",
        vhost=system,
        queue=queue,
        credentials_secret=f"{keda_user_name(system)}-user-credentials",
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
    keda: bool = False
    """Some agent scales on a queue's backlog here: create the KEDA user."""
    image: str = BROKER_IMAGE
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
        check_image(args.image)
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
                "image": args.image,
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
                                    # Above every agent: agents never preempt the broker they rely on.
                                    "priorityClassName": stateful_priority_class(scope.system),
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
                        # Queues and exchanges are declared by the operator, never by agents: no
                        # `configure`, which would also let an agent delete its queue and the
                        # messages in it. Passive declarations pass on read or write (see above).
                        "configure": "^$",
                        "write": exact(list(user.writes)),
                        "read": exact(list(user.reads)),
                    },
                    "rabbitmqClusterReference": ref,
                },
                opts=scope.opts(self, depends_on=[cluster]),
            )
        if args.keda:
            self._keda_user(args, meta, ref, cluster)
        self._network_policy(args, pods, labels)
        self.register_outputs({"name": self.name, "vhost": self.vhost})

    def _keda_user(self, args: MessageBrokerArgs, meta: Any, ref: dict[str, str], cluster: pulumi.Resource) -> None:
        """KEDA's user: the `management` tag (the least that opens the HTTP API), access to the vhost and
        no right on any queue or exchange. Reading a queue's length over HTTP needs only vhost access
        (rabbitmq-server `rabbit_mgmt_wm_queue:is_authorized` -> `is_authorized_vhost`)."""
        scope = args.scope
        uname = keda_user_name(scope.system)
        custom_resource(
            scope.resource_name("rabbitmq", "keda", "user"),
            api_version="rabbitmq.com/v1beta1",
            kind="User",
            metadata=meta(uname),
            spec={"tags": ["management"], "rabbitmqClusterReference": ref},
            opts=scope.opts(self, depends_on=[cluster]),
        )
        custom_resource(
            scope.resource_name("rabbitmq", "keda", "permission"),
            api_version="rabbitmq.com/v1beta1",
            kind="Permission",
            metadata=meta(object_name(uname, "permission")),
            spec={
                "vhost": self.vhost,
                "userReference": {"name": uname},
                "permissions": {"configure": "^$", "write": "^$", "read": "^$"},
                "rabbitmqClusterReference": ref,
            },
            opts=scope.opts(self, depends_on=[cluster]),
        )

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
                    (args.keda_namespace, (MANAGEMENT_TLS_PORT,)),
                    (args.monitoring_namespace, (METRICS_PORT,)),
                ],
            ),
            opts=scope.opts(self),
        )
