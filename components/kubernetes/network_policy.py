"""NetworkPolicy building blocks the Kubernetes components share (not a component).

The namespace denies everything by default (`SystemNamespace`). The stateful services (a store,
the message broker) take the same policy: their own pods talk to each other on any port
(replication, Sentinel, clustering), the agents that use them reach the client ports, and a few
namespaces (operator, KEDA, Prometheus) reach theirs; their egress stays open, since they reach the
Kubernetes API (CloudNativePG's instance manager, RabbitMQ's peer discovery) and the object store,
whose addresses differ per cluster. Agents build their own ingress-and-egress policy from the same
peers and ports, and reach DNS only at the cluster's resolver (`dns_egress`).

The provider SDK is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
    from pulumi_kubernetes.networking.v1 import (
        NetworkPolicyEgressRuleArgs,
        NetworkPolicyPeerArgs,
        NetworkPolicyPortArgs,
        NetworkPolicySpecArgs,
    )


def tcp_ports(numbers: Iterable[int]) -> list[NetworkPolicyPortArgs]:
    from pulumi_kubernetes.networking.v1 import NetworkPolicyPortArgs

    return [NetworkPolicyPortArgs(port=p, protocol="TCP") for p in numbers]


def namespace_peer(name: str) -> NetworkPolicyPeerArgs:
    """Every pod of one namespace (by the label the API server sets on each namespace)."""
    from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
    from pulumi_kubernetes.networking.v1 import NetworkPolicyPeerArgs

    return NetworkPolicyPeerArgs(
        namespace_selector=LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": name})
    )


DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS: tuple[tuple[str, str], ...] = (("k8s-app", "kube-dns"),)
"""CoreDNS (or kube-dns) pods: EKS, GKE, AKS and kubeadm all label them `k8s-app: kube-dns`."""
NODE_LOCAL_DNS = "169.254.20.10/32"
"""NodeLocal DNSCache's conventional link-local address: where pods resolve when the cluster runs it."""


def dns_egress(
    namespace: str = DNS_NAMESPACE, pod_labels: Sequence[tuple[str, str]] = DNS_POD_LABELS
) -> NetworkPolicyEgressRuleArgs:
    """DNS (53, UDP and TCP) to the cluster's resolver only: its pods in `namespace`, and the
    NodeLocal DNSCache address, not to any address on port 53 (a path out for DNS tunnelling)."""
    from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
    from pulumi_kubernetes.networking.v1 import (
        IPBlockArgs,
        NetworkPolicyEgressRuleArgs,
        NetworkPolicyPeerArgs,
        NetworkPolicyPortArgs,
    )

    return NetworkPolicyEgressRuleArgs(
        to=[
            NetworkPolicyPeerArgs(
                namespace_selector=LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": namespace}),
                pod_selector=LabelSelectorArgs(match_labels=dict(pod_labels)),
            ),
            NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=NODE_LOCAL_DNS)),
        ],
        ports=[NetworkPolicyPortArgs(port=53, protocol="UDP"), NetworkPolicyPortArgs(port=53, protocol="TCP")],
    )


def instances(names: Sequence[str]) -> LabelSelectorArgs:
    """The pods of these `app.kubernetes.io/instance`s (agents are selected by their instance)."""
    from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, LabelSelectorRequirementArgs

    return LabelSelectorArgs(
        match_expressions=[
            LabelSelectorRequirementArgs(key="app.kubernetes.io/instance", operator="In", values=list(names))
        ]
    )


def service_ingress(
    own: LabelSelectorArgs,
    *,
    clients: Sequence[str],
    client_ports: Iterable[int],
    namespaces: Sequence[tuple[str, Iterable[int]]],
    remote_cidrs: Sequence[str] = (),
) -> NetworkPolicySpecArgs:
    """The policy of a stateful service's pods (`own`): ingress from whom it serves, egress open.

    Ingress rules, in order: the `clients` instances on `client_ports` (none when there are no
    clients), the service's own pods on any port, each (namespace, ports) of `namespaces`, then
    `remote_cidrs` (other regions' clusters) on `client_ports`.
    Egress: one empty rule (anywhere), stated so that the namespace's default deny does not cut the
    operators' pods off from the Kubernetes API, the object store and each other.
    """
    from pulumi_kubernetes.networking.v1 import (
        IPBlockArgs,
        NetworkPolicyEgressRuleArgs,
        NetworkPolicyIngressRuleArgs,
        NetworkPolicyPeerArgs,
        NetworkPolicySpecArgs,
    )

    rules = [NetworkPolicyIngressRuleArgs(from_=[NetworkPolicyPeerArgs(pod_selector=own)])]
    rules += [
        NetworkPolicyIngressRuleArgs(from_=[namespace_peer(namespace)], ports=tcp_ports(ports))
        for namespace, ports in namespaces
    ]
    if remote_cidrs:
        rules.append(
            NetworkPolicyIngressRuleArgs(
                from_=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=c)) for c in remote_cidrs],
                ports=tcp_ports(client_ports),
            )
        )
    if clients:
        rules.insert(
            0,
            NetworkPolicyIngressRuleArgs(
                from_=[NetworkPolicyPeerArgs(pod_selector=instances(clients))], ports=tcp_ports(client_ports)
            ),
        )
    return NetworkPolicySpecArgs(
        pod_selector=own, policy_types=["Ingress", "Egress"], ingress=rules, egress=[NetworkPolicyEgressRuleArgs()]
    )
