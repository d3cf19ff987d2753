"""AgentIngress: how users reach the ingress agent in one region — an Ingress with TLS.

`ingress.public` chooses the IngressClass: an internet-facing one for `true`, an internal one (an
ingress controller whose load balancer has only a private address) for `false`. The annotation
alone does not make an Ingress private: a default ingress-nginx is internet-facing.
"""

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
    """IngressClass of a public ingress (`public: true`); None takes the cluster's default class."""
    private_ingress_class_name: str = "nginx-internal"
    """IngressClass of a private ingress (`public: false`): a controller whose load balancer is
    internal (stack config `agentha:privateIngressClass`). Never the default class, which is usually
    internet-facing."""

    @property
    def class_name(self) -> str | None:
        return self.ingress_class_name if self.routing.public else self.private_ingress_class_name


class AgentIngress(pulumi.ComponentResource):
    """A TLS-only Ingress for the spec's domain, routing every path to the ingress agent."""

    name: str
    host: str
    ingress_class_name: str | None

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
        if not routing.public and not args.private_ingress_class_name:
            raise ValueError(
                "ingress.public is false but no private IngressClass is set: set stack config "
                "agentha:privateIngressClass to the class of an ingress controller with an internal load balancer"
            )
        self.ingress_class_name = args.class_name
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
                ingress_class_name=args.class_name,
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
        self.register_outputs({"name": self.name, "host": self.host, "ingressClassName": self.ingress_class_name})
