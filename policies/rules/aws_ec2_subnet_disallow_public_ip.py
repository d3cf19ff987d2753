"""Private subnets do not give public IP addresses to what starts in them.

On the graph a subnet is public when its route table association leads to a route table with a
route to an internet gateway (`aws:ec2/route:Route` or an inline route whose `gatewayId` is built
from an `aws:ec2/internetGateway:InternetGateway`); every other subnet (no association means the
VPC's main route table, which the stack leaves with its local route) is private. A private subnet
with `mapPublicIpOnLaunch: true` hands public addresses to tasks and interfaces that have no route
to use them, and that one route-table change away are exposed.
"""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, violation
from policies.rules._shared import referenced

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"


def internet_tables(resources: list[Any]) -> set[str]:
    """URNs of the route tables with a route to an internet gateway."""
    out: set[str] = set()
    for r in resources:
        if r.resource_type == ROUTE and referenced(r, "gatewayId", IGW):
            out |= {t.urn for t in referenced(r, "routeTableId", ROUTE_TABLE)}
        elif r.resource_type == ROUTE_TABLE and referenced(r, "routes", IGW):
            out.add(r.urn)
    return out


def public_subnets(resources: list[Any]) -> set[str]:
    """URNs of the subnets associated with a route table that reaches an internet gateway."""
    tables = internet_tables(resources)
    out: set[str] = set()
    for r in resources:
        if r.resource_type == ASSOCIATION and any(t.urn in tables for t in referenced(r, "routeTableId")):
            out |= {s.urn for s in referenced(r, "subnetId", SUBNET)}
    return out


def validate(args: Any, report_violation: Any) -> None:
    resources = list(args.resources)
    public = public_subnets(resources)
    for subnet in (r for r in resources if r.resource_type == SUBNET):
        if subnet.urn in public or get(subnet.props, "mapPublicIpOnLaunch") is not True:
            continue
        violation(
            report_violation,
            Subject.of(subnet),
            "is private (no route to an internet gateway) but assigns a public IP address to everything "
            "launched in it (mapPublicIpOnLaunch: true)",
            "set mapPublicIpOnLaunch: false; private subnets reach the internet through NAT or VPC endpoints",
        )


RULE = StackRule(
    id="agentha-aws-ec2-subnet-disallow-public-ip",
    description="Private subnets do not assign public IP addresses on launch.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Agents and stores live in private subnets; a public address on their interfaces makes them "
    "reachable from the internet as soon as a route or security group rule slips.",
    fix="mapPublicIpOnLaunch: false on every private subnet.",
    validate=validate,
)
