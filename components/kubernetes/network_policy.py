"""NetworkPolicy building blocks the Kubernetes components share (not a component).

The stateful services (a store, the message broker) take the same ingress-only policy: their own
pods talk to each other on any port (replication, Sentinel, clustering), the agents that use them
reach the client ports, and a few namespaces (operator, KEDA, Prometheus) reach theirs. Agents
build their own ingress-and-egress policy from the same peers and ports.

The provider SDK is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
    from pulumi_kubernetes.networking.v1 import NetworkPolicyPeerArgs, NetworkPolicyPortArgs, NetworkPolicySpecArgs


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
) -> NetworkPolicySpecArgs:
    """An ingress-only policy for a stateful service's pods (`own`).

    Rules, in order: the `clients` instances on `client_ports` (none when there are no clients), the
    service's own pods on any port, then each (namespace, ports) of `namespaces`.
    """
    from pulumi_kubernetes.networking.v1 import (
        NetworkPolicyIngressRuleArgs,
        NetworkPolicyPeerArgs,
        NetworkPolicySpecArgs,
    )

    rules = [NetworkPolicyIngressRuleArgs(from_=[NetworkPolicyPeerArgs(pod_selector=own)])]
    rules += [
        NetworkPolicyIngressRuleArgs(from_=[namespace_peer(namespace)], ports=tcp_ports(ports))
        for namespace, ports in namespaces
    ]
    if clients:
        rules.insert(
            0,
            NetworkPolicyIngressRuleArgs(
                from_=[NetworkPolicyPeerArgs(pod_selector=instances(clients))], ports=tcp_ports(client_ports)
            ),
        )
    return NetworkPolicySpecArgs(pod_selector=own, policy_types=["Ingress"], ingress=rules)
