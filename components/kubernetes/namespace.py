"""SystemNamespace: the namespace that holds one system's objects in one region's cluster, and what
applies to all of it.

- the `Namespace`, with Pod Security Admission `restricted` enforced;
- a default-deny `NetworkPolicy` (ingress and egress) over every pod in it, so a pod no other
  policy selects (a debug pod, an operator's job we did not foresee) can neither connect nor be
  reached; each agent, store and the broker open exactly what they need in their own policies;
- the `PriorityClass` of the stateful pods (CloudNativePG, RabbitMQ, Redis), above every agent's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes.meta import STATEFUL_ANNOTATIONS, STATEFUL_PRIORITY, RegionScope, stateful_priority_class

POD_SECURITY_ENFORCE = "restricted"
"""Pod Security Admission level enforced on the namespace.

Every pod rendered or made by an operator from rendered objects meets `restricted`: the agents
(tests check each rendered pod), CloudNativePG's instances and jobs (its default security context:
non-root, RuntimeDefault seccomp, all capabilities dropped), RabbitMQ's (Cluster Operator 2.17 and
later set the same on its pods, containers and init container) and Redis's (the RedisReplication
and RedisSentinel here set them, the exporter's included). Operators older than that are refused
at admission: see docs/kubernetes.md, "Operators and CRDs a cluster needs first".
"""


def default_deny_name(namespace: str) -> str:
    return f"{namespace}-default-deny"[:63].rstrip("-")


@dataclass(frozen=True)
class SystemNamespaceArgs:
    scope: RegionScope
    """The region; `scope.namespace` is the namespace's name."""


class SystemNamespace(pulumi.ComponentResource):
    """A Namespace with Pod Security Admission labels, protected from deletion (it holds the data),
    its default-deny NetworkPolicy and the stateful pods' PriorityClass."""

    name: str
    namespace: pulumi.Resource
    stateful_priority_class: str

    def __init__(self, name: str, args: SystemNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:SystemNamespace", name, None, opts)
        from pulumi_kubernetes.core.v1 import Namespace
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs
        from pulumi_kubernetes.networking.v1 import NetworkPolicy, NetworkPolicySpecArgs
        from pulumi_kubernetes.scheduling.v1 import PriorityClass

        scope = args.scope
        labels = scope.labels(name=scope.namespace, instance=scope.namespace, component="namespace")
        ns_labels = dict(labels)
        ns_labels.update(
            {
                "pod-security.kubernetes.io/enforce": POD_SECURITY_ENFORCE,
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            }
        )
        self.name = scope.namespace
        self.namespace = Namespace(
            scope.resource_name("namespace"),
            metadata=scope.metadata(
                scope.namespace,
                labels=ns_labels,
                spec_path="metadata.name",
                namespaced=False,
                annotations=STATEFUL_ANNOTATIONS,
            ),
            # Deleting the namespace deletes every volume in it: `pulumi destroy` must be deliberate.
            opts=scope.opts(self, namespaced=False, protect=True),
        )
        NetworkPolicy(
            scope.resource_name("default-deny"),
            metadata=scope.metadata(default_deny_name(scope.namespace), labels=labels, spec_path="metadata.name"),
            # Every pod, both directions, no rule: what no other policy allows is denied.
            spec=NetworkPolicySpecArgs(pod_selector=LabelSelectorArgs(), policy_types=["Ingress", "Egress"]),
            opts=scope.opts(self, depends_on=[self.namespace]),
        )
        self.stateful_priority_class = stateful_priority_class(scope.system)
        PriorityClass(
            scope.resource_name("stateful-priority-class"),
            metadata=scope.metadata(
                self.stateful_priority_class,
                labels=scope.labels(name="stateful", instance=self.stateful_priority_class, component="priority"),
                spec_path="stores",
                namespaced=False,
            ),
            value=STATEFUL_PRIORITY,
            global_default=False,
            preemption_policy="PreemptLowerPriority",
            description=f"{scope.system}: stores and message broker, above every agent of the system",
            opts=scope.opts(self, namespaced=False),
        )
        self.register_outputs({"name": self.name, "statefulPriorityClass": self.stateful_priority_class})
