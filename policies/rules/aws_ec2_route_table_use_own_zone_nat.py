"""Each zone's private subnets send internet egress through a NAT gateway in that same zone.

A NAT gateway lives in one zone. A private subnet whose route table points at another zone's NAT
gateway loses its egress (model providers, third-party APIs, anything without a VPC endpoint) when
that other zone fails, although its own zone is healthy: one zone's outage then takes out two.

On the graph: subnet (its `availabilityZone`) ← route table association → route table ← route
(`natGatewayId`, or an inline route built from a NAT gateway) → NAT gateway → its subnet's zone. A
region whose plan says `network.nat: single` shares one NAT gateway on purpose (the planner reports
it as a single point of failure) and is not judged here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, names, violation
from policies.rules._shared import referenced

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"


def _zone(subnet: Any) -> str | None:
    zone = get(subnet.props, "availabilityZone") or get(subnet.props, "availabilityZoneId")
    return zone if isinstance(zone, str) else None


def _nat_zone(nat: Any) -> str | None:
    subnets = referenced(nat, "subnetId", SUBNET)
    return _zone(subnets[0]) if subnets else None


def _shared_on_purpose(region: str | None) -> bool:
    plan = current().plan
    if plan is None or region is None:
        return False
    return any(r.name == region and r.network.nat == "single" for r in plan.regions)


def validate(args: Any, report_violation: Any) -> None:
    resources = list(args.resources)
    # route table URN -> (the resource that routes, the NAT gateway it routes to)
    egress: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for r in resources:
        if r.resource_type == ROUTE:
            for table in referenced(r, "routeTableId", ROUTE_TABLE):
                egress[table.urn] += [(r, nat) for nat in referenced(r, "natGatewayId", NAT)]
        elif r.resource_type == ROUTE_TABLE:
            egress[r.urn] += [(r, nat) for nat in referenced(r, "routes", NAT)]
    for association in (r for r in resources if r.resource_type == ASSOCIATION):
        tables = referenced(association, "routeTableId", ROUTE_TABLE)
        for subnet in referenced(association, "subnetId", SUBNET):
            zone = _zone(subnet)
            if zone is None:
                continue
            for table in tables:
                for route, nat in egress.get(table.urn, []):
                    nat_zone = _nat_zone(nat)
                    if nat_zone is None or nat_zone == zone:
                        continue
                    subject = Subject.of(route)
                    if _shared_on_purpose(subject.region or Subject.of(subnet).region):
                        continue
                    violation(
                        report_violation,
                        subject,
                        f"sends the egress of subnet '{subnet.name}' in {zone} through NAT gateway '{nat.name}' "
                        f"in {nat_zone}: losing {names([nat_zone])} also cuts {zone}'s internet egress",
                        f"route each zone's private route table to the NAT gateway in its own zone ({zone})",
                    )


RULE = StackRule(
    id="agentha-aws-ec2-route-table-use-own-zone-nat",
    description="Private subnets route internet egress through a NAT gateway in their own zone.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="Zone independence: a route through another zone's NAT gateway makes a healthy zone depend on a failed "
    "one, so a single zone outage cuts egress (model providers, third-party APIs) in two.",
    fix="One private route table per zone, each with its default route to that zone's NAT gateway.",
    validate=validate,
)
