"""GlobalRouting: DNS load balancing across the regions' clusters with k8gb.

One `Gslb` per cluster, referencing that cluster's Ingress: k8gb in each cluster publishes the
domain's records for the clusters whose ingress agent has ready endpoints, and the clusters learn
each other's health over DNS (no cluster-to-cluster API access). Active-passive uses the `failover`
strategy with the primary region as primary geo tag; active-active uses `roundRobin` across every
healthy region (`geoip` needs a GeoIP database in k8gb's CoreDNS; see docs/kubernetes.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints.plan.models import RoutingPlan
from components.kubernetes.meta import RegionScope, custom_resource


@dataclass(frozen=True)
class GlobalRoutingArgs:
    scope: RegionScope
    routing: RoutingPlan
    ingress_name: str
    primary_region: str
    """The active-passive primary; k8gb's `clusterGeoTag` of each cluster must be its region name."""


def strategy(routing: RoutingPlan, primary_region: str) -> dict[str, Any]:
    ttl = max(1, round(routing.ttl_s))
    if routing.mode == "failover":
        return {"type": "failover", "primaryGeoTag": primary_region, "dnsTtlSeconds": ttl}
    return {"type": "roundRobin", "dnsTtlSeconds": ttl}


class GlobalRouting(pulumi.ComponentResource):
    """This cluster's share of the global DNS (see the module docstring)."""

    name: str
    strategy: str

    def __init__(self, name: str, args: GlobalRoutingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:GlobalRouting", name, None, opts)
        scope = args.scope
        self.name = args.ingress_name
        spec_strategy = strategy(args.routing, args.primary_region)
        self.strategy = spec_strategy["type"]
        custom_resource(
            scope.resource_name(args.routing.agent, "gslb"),
            api_version="k8gb.io/v1beta1",
            kind="Gslb",
            metadata=scope.metadata(
                self.name,
                labels=scope.labels(name=args.routing.agent, instance=self.name, component="routing"),
                spec_path="topology.failover",
            ),
            spec={
                "resourceRef": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": args.ingress_name},
                "strategy": spec_strategy,
            },
            opts=scope.opts(self),
        )
        self.register_outputs({"name": self.name, "strategy": self.strategy})
