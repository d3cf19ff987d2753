"""SystemNamespace: the namespace that holds one system's objects in one region's cluster."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes.meta import STATEFUL_ANNOTATIONS, RegionScope

POD_SECURITY_ENFORCE = "baseline"
"""Pod Security Admission level enforced on the namespace.

The agents themselves meet `restricted` (tests check every rendered agent pod), but the operators'
pods (RabbitMQ, Redis) do not all set a seccomp profile, so `restricted` is audited and warned
about rather than enforced: enforcing it would stop the brokers and stores from starting.
"""


@dataclass(frozen=True)
class SystemNamespaceArgs:
    scope: RegionScope
    """The region; `scope.namespace` is the namespace's name."""


class SystemNamespace(pulumi.ComponentResource):
    """A Namespace with Pod Security Admission labels, protected from deletion (it holds the data)."""

    name: str
    namespace: pulumi.Resource

    def __init__(self, name: str, args: SystemNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:SystemNamespace", name, None, opts)
        from pulumi_kubernetes.core.v1 import Namespace

        scope = args.scope
        labels = scope.labels(name=scope.namespace, instance=scope.namespace, component="namespace")
        labels.update(
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
                labels=labels,
                spec_path="metadata.name",
                namespaced=False,
                annotations=STATEFUL_ANNOTATIONS,
            ),
            # Deleting the namespace deletes every volume in it: `pulumi destroy` must be deliberate.
            opts=scope.opts(self, namespaced=False, protect=True),
        )
        self.register_outputs({"name": self.name})
