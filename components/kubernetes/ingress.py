"""AgentIngress: how users reach the ingress agent in one region — an Ingress with TLS."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from blueprints.plan.models import RoutingPlan
from components.kubernetes.meta import RegionScope, object_name


@dataclass(frozen=True)
class AgentIngressArgs:
    scope: RegionScope
    routing: RoutingPlan
    service: str
    """The ingress agent's Service (port `http`)."""
    tls_secret_name: str
    """TLS certificate Secret (tls.crt, tls.key) for the domain: cert-manager or out of band."""
    ingress_class_name: str | None = None
    """IngressClass to use; None takes the cluster's default class. `public: false` needs an
    internal class (a load balancer on the private network), `public: true` an internet-facing one."""


class AgentIngress(pulumi.ComponentResource):
    """A TLS-only Ingress for the spec's domain, routing every path to the ingress agent."""

    name: str
    host: str

    def __init__(self, name: str, args: AgentIngressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:AgentIngress", name, None, opts)
        from pulumi_kubernetes.networking.v1 import (
            HTTPIngressPathArgs,
            HTTPIngressRuleValueArgs,
            IngressBackendArgs,
            IngressRuleArgs,
            IngressServiceBackendArgs,
            IngressSpecArgs,
            IngressTLSArgs,
            ServiceBackendPortArgs,
        )
        from pulumi_kubernetes.networking.v1 import Ingress as K8sIngress

        scope, routing = args.scope, args.routing
        self.name = object_name(scope.system, routing.agent)
        self.host = routing.domain
        labels = scope.labels(name=routing.agent, instance=self.name, component="ingress")
        K8sIngress(
            scope.resource_name(routing.agent, "ingress"),
            metadata=scope.metadata(
                self.name,
                labels=labels,
                spec_path="ingress",
                annotations={"agentha.dev/exposure": "public" if routing.public else "private"},
            ),
            spec=IngressSpecArgs(
                ingress_class_name=args.ingress_class_name,
                tls=[IngressTLSArgs(hosts=[routing.domain], secret_name=args.tls_secret_name)],
                rules=[
                    IngressRuleArgs(
                        host=routing.domain,
                        http=HTTPIngressRuleValueArgs(
                            paths=[
                                HTTPIngressPathArgs(
                                    path="/",
                                    path_type="Prefix",
                                    backend=IngressBackendArgs(
                                        service=IngressServiceBackendArgs(
                                            name=args.service, port=ServiceBackendPortArgs(name="http")
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
            ),
            opts=scope.opts(self),
        )
        self.register_outputs({"name": self.name, "host": self.host})
