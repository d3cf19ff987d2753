"""CockroachCluster: one region's share of a `cockroachdb` store, a CockroachDB cluster whose nodes run
in every region's Kubernetes cluster (active-active: every region writes).

Built per region, by the CockroachDB operator's `CrdbCluster` (crdb.cockroachlabs.com/v1alpha1; the
schema checked is operator v2.9.0's CRD, whose fields used here are unchanged up to v2.18):

- its own namespace `<namespace>-crdb`, Pod Security `baseline` enforced (`restricted` audited and
  warned): the operator builds the StatefulSet itself and, up to v2.18.3, sets neither
  `runAsNonRoot`, seccomp nor dropped capabilities, and with TLS adds an init container that runs as
  UID 0 to copy the certificates (pkg/resource/statefulset.go), which `restricted` rejects. The
  database container itself runs as UID 1000581000. A default-deny NetworkPolicy covers the namespace.
- `nodes` one per zone (3 at least), spread over the zones by `topologySpreadConstraints` (honoured
  only when the operator runs with `--feature-gates=TopologySpreadRules=true`: alpha, off by default),
  `tlsEnabled` with node and client certificates from Secrets the user creates from ONE CA shared by
  every region (the operator's generated certificates would give each region its own CA, and the
  regions' nodes could not verify each other), a PodDisruptionBudget of `maxUnavailable: 1`
  (the operator makes it from the field), resources, a storage class, a pinned CockroachDB version.
- `--locality=region=<region>`: CockroachDB spreads each range's 3 replicas over the most diverse
  localities, so with 3 regions each region holds one replica and a region's loss leaves a majority.
- `--join=` the first (up to 3) nodes of EVERY region, by the names the operator advertises
  (`<cluster>-<i>.<cluster>.<namespace>`, cluster names carry the region so they differ per region).
  Reaching them is the user's part (docs/kubernetes.md, cross-region network): pod addresses routable
  between the clusters, and each cluster's DNS forwarding the other regions'
  `<cluster>.<namespace>.svc.cluster.local` to that region's cluster DNS.
- a NetworkPolicy: SQL (26257) from the agents that use the store; node traffic (26258) from its own
  pods and from the other regions' pod ranges (`topology.regions[].pod_cidrs`); the admin UI and
  metrics port (8080) from the monitoring namespace; egress open (the other regions, the object store).

Not built (the CRD has no field for them, they are SQL): users and grants, table localities and survival
goals, BACKUP schedules (docs/kubernetes.md shows them). The operator runs `cockroach init` in every
region's cluster (pkg/actor/initialize.go accepts "already initialized"), so the first region must be
applied and initialised before the others, or two regions could start two clusters (docs/kubernetes.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from blueprints.plan.models import StorePlan
from components.kubernetes.meta import (
    OPERATOR_NAME_LIMIT,
    STATEFUL_ANNOTATIONS,
    RegionScope,
    custom_resource,
    env_name,
    memory_quantity,
    object_name,
)
from components.kubernetes.wiring import TLS_MOUNT, CaFile, EnvVar, Peer, Wiring

SQL_PORT = 26257
GRPC_PORT = 26258
HTTP_PORT = 8080
COCKROACHDB_VERSION = "v25.4.2"
"""Pinned: the newest version in operator v2.18.3's crdb-versions.yaml (an upgrade is a deliberate change)."""
POD_SECURITY = "baseline"
"""What the operator's pods can meet (see the module docstring); `restricted` stays audited and warned."""
JOIN_SEEDS = 3
"""Nodes per region named in `--join` (the operator's own default joins the first three)."""
RESOURCES = {"requests": {"cpu": "2", "memory": "8Gi"}, "limits": {"cpu": "2", "memory": "8Gi"}}
"""Cockroach Labs' production guidance: 4 GiB of memory per vCPU, limits equal to requests."""


def crdb_namespace(namespace: str) -> str:
    """The namespace of a system's CockroachDB nodes in every region."""
    return object_name(namespace, "crdb")


def crdb_cluster_name(system: str, store: str, region: str) -> str:
    """The CrdbCluster's name: region-qualified, so every region's nodes advertise different names."""
    return object_name(system, store, region, limit=OPERATOR_NAME_LIMIT)


def node_tls_secret(system: str, store: str) -> str:
    return object_name(system, store, "node-tls")


def client_tls_secret(system: str, store: str) -> str:
    return object_name(system, store, "root-tls")


def app_credentials_secret(system: str, store: str) -> str:
    """The agents' SQL credentials (key `uri`), in the system's namespace of every region."""
    return object_name(system, store, "app-credentials", limit=253)


def ca_secret(system: str, store: str) -> str:
    """The shared CA certificate (key `ca.crt`) in the system's namespace: agents verify the nodes with it."""
    return object_name(system, store, "ca")


def join_addresses(system: str, store: StorePlan, namespace: str) -> list[str]:
    """The first nodes of every region, by the names the operator's nodes advertise."""
    ns = crdb_namespace(namespace)
    out = []
    for region in store.regions:
        name = crdb_cluster_name(system, store.name, region)
        for i in range(min(JOIN_SEEDS, store.instances_in(region))):
            out.append(f"{name}-{i}.{name}.{ns}:{GRPC_PORT}")
    return out


def public_host(system: str, store: str, region: str, namespace: str) -> str:
    """The operator's SQL Service of a region's nodes (`<cluster>-public`)."""
    return f"{crdb_cluster_name(system, store, region)}-public.{crdb_namespace(namespace)}.svc"


def crdb_wiring(system: str, namespace: str, store: StorePlan, region: str) -> Wiring:
    """An agent's connection: its own region's nodes (any node serves any range), TLS verified."""
    prefix = f"AGENTHA_STORE_{env_name(store.name)}"
    ca_path = f"{store.name}/ca.crt"
    name = crdb_cluster_name(system, store.name, region)
    return Wiring(
        env=(
            # postgresql://<user>:<password>@<host>:26257/<database>; host = the _HOST below.
            EnvVar(f"{prefix}_URI", secret=app_credentials_secret(system, store.name), key="uri"),
            EnvVar(f"{prefix}_HOST", value=public_host(system, store.name, region, namespace)),
            EnvVar(f"{prefix}_PORT", value=str(SQL_PORT)),
            EnvVar(f"{prefix}_SSLMODE", value="verify-full"),
            EnvVar(f"{prefix}_CA_FILE", value=f"{TLS_MOUNT}/{ca_path}"),
        ),
        ca_files=(CaFile(secret=ca_secret(system, store.name), key="ca.crt", path=ca_path),),
        peers=(
            Peer(
                match_labels=(("app.kubernetes.io/instance", name),),
                ports=(SQL_PORT,),
                namespace=crdb_namespace(namespace),
            ),
        ),
    )


@dataclass(frozen=True)
class CockroachClusterArgs:
    scope: RegionScope
    """The system's scope in this region (its namespace holds the agents)."""
    store: StorePlan
    user_instances: tuple[str, ...]
    """`app.kubernetes.io/instance` of the agents that connect."""
    peer_cidrs: tuple[str, ...] = field(default=())
    """Pod ranges of the other regions' clusters (their nodes join this one)."""
    storage_class: str | None = None
    monitoring_namespace: str = "monitoring"
    operator_namespace: str = "cockroach-operator-system"
    version: str = COCKROACHDB_VERSION


class CockroachCluster(pulumi.ComponentResource):
    """One region's CockroachDB nodes of a `cockroachdb` store (see the module docstring)."""

    name: str
    namespace: str
    join: list[str]

    def __init__(self, name: str, args: CockroachClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:CockroachCluster", name, None, opts)
        import pulumi_kubernetes as k8s
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, LabelSelectorRequirementArgs, ObjectMetaArgs
        from pulumi_kubernetes.networking.v1 import (
            IPBlockArgs,
            NetworkPolicy,
            NetworkPolicyEgressRuleArgs,
            NetworkPolicyIngressRuleArgs,
            NetworkPolicyPeerArgs,
            NetworkPolicyPortArgs,
            NetworkPolicySpecArgs,
        )

        from components.kubernetes.network_policy import namespace_peer

        scope, store = args.scope, args.store
        system, region = scope.system, scope.region
        self.name = crdb_cluster_name(system, store.name, region)
        self.namespace = crdb_namespace(scope.namespace)
        self.join = join_addresses(system, store, scope.namespace)
        labels = scope.labels(name=store.name, instance=self.name, component="store")
        spec_path = f"stores.{store.name}"

        def meta(name: str, annotations: dict[str, str] | None = None) -> ObjectMetaArgs:
            base = scope.metadata(name, labels=labels, spec_path=spec_path, annotations=annotations)
            return ObjectMetaArgs(
                name=base.name, namespace=self.namespace, labels=base.labels, annotations=base.annotations
            )

        ns_labels = scope.labels(name=self.namespace, instance=self.namespace, component="namespace") | {
            "pod-security.kubernetes.io/enforce": POD_SECURITY,
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        }
        ns = k8s.core.v1.Namespace(
            scope.resource_name(store.name, "crdb-namespace"),
            metadata=scope.metadata(
                self.namespace,
                labels=ns_labels,
                spec_path=spec_path,
                namespaced=False,
                annotations=dict(STATEFUL_ANNOTATIONS),
            ),
            # Deleting the namespace deletes the nodes' volumes: `pulumi destroy` must be deliberate.
            opts=pulumi.ResourceOptions(parent=self, provider=scope.provider, protect=True),
        )
        child = pulumi.ResourceOptions(parent=self, provider=scope.provider, depends_on=[ns])
        NetworkPolicy(
            scope.resource_name(store.name, "crdb-default-deny"),
            metadata=meta(object_name(self.namespace, "default-deny")),
            spec=NetworkPolicySpecArgs(pod_selector=LabelSelectorArgs(), policy_types=["Ingress", "Egress"]),
            opts=child,
        )
        zones = len(store.zones_in(region)) or 1
        nodes = max(3, store.instances_in(region))
        pvc: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": memory_quantity(store.storage_mib)}},
            "volumeMode": "Filesystem",
        }
        if args.storage_class:
            pvc["storageClassName"] = args.storage_class
        selector = {"app.kubernetes.io/instance": self.name}
        custom_resource(
            scope.resource_name(store.name, "crdb-cluster"),
            api_version="crdb.cockroachlabs.com/v1alpha1",
            kind="CrdbCluster",
            metadata=meta(self.name, dict(STATEFUL_ANNOTATIONS)),
            spec={
                "nodes": nodes,
                "cockroachDBVersion": args.version,
                "tlsEnabled": True,
                "nodeTLSSecret": node_tls_secret(system, store.name),
                "clientTLSSecret": client_tls_secret(system, store.name),
                "dataStore": {"pvc": {"spec": pvc}},
                "resources": RESOURCES,
                "maxUnavailable": 1,
                "automountServiceAccountToken": False,
                # No `additionalLabels`: the operator adds them to the StatefulSet's selector
                # (pkg/labels Selector), which is immutable, so a later change of the spec's tags would
                # make every update of the StatefulSet fail. The CR itself carries the tags.
                "additionalArgs": [f"--locality=region={region}", "--join=" + ",".join(self.join)],
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": "DoNotSchedule" if zones > 1 else "ScheduleAnyway",
                        "labelSelector": {"matchLabels": selector},
                    }
                ],
                "affinity": {
                    "podAntiAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": selector}, "topologyKey": "kubernetes.io/hostname"}
                        ]
                    }
                },
            },
            opts=pulumi.ResourceOptions(parent=self, provider=scope.provider, depends_on=[ns], protect=True),
        )
        cidr_peers = [NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=c)) for c in args.peer_cidrs]
        own = LabelSelectorArgs(match_labels=selector)

        def tcp(*ports: int) -> list[NetworkPolicyPortArgs]:
            return [NetworkPolicyPortArgs(port=p, protocol="TCP") for p in ports]

        rules = [
            NetworkPolicyIngressRuleArgs(from_=[NetworkPolicyPeerArgs(pod_selector=own)]),
            NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(args.operator_namespace)], ports=tcp(SQL_PORT, HTTP_PORT)
            ),
            NetworkPolicyIngressRuleArgs(from_=[namespace_peer(args.monitoring_namespace)], ports=tcp(HTTP_PORT)),
        ]
        if args.user_instances:
            rules.insert(
                0,
                NetworkPolicyIngressRuleArgs(
                    from_=[
                        NetworkPolicyPeerArgs(
                            namespace_selector=LabelSelectorArgs(
                                match_labels={"kubernetes.io/metadata.name": scope.namespace}
                            ),
                            pod_selector=LabelSelectorArgs(
                                match_expressions=[
                                    LabelSelectorRequirementArgs(
                                        key="app.kubernetes.io/instance",
                                        operator="In",
                                        values=sorted(args.user_instances),
                                    )
                                ]
                            ),
                        )
                    ],
                    ports=tcp(SQL_PORT),
                ),
            )
        if cidr_peers:
            rules.append(NetworkPolicyIngressRuleArgs(from_=cidr_peers, ports=tcp(GRPC_PORT)))
        NetworkPolicy(
            scope.resource_name(store.name, "crdb-network-policy"),
            metadata=meta(self.name),
            spec=NetworkPolicySpecArgs(
                pod_selector=own,
                policy_types=["Ingress", "Egress"],
                ingress=rules,
                egress=[NetworkPolicyEgressRuleArgs()],
            ),
            opts=child,
        )
        self.register_outputs({"name": self.name, "namespace": self.namespace, "join": self.join})
