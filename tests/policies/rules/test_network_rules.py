"""The network rules read relations on the graph (VPC ↔ default security group, subnet ↔ route table
↔ internet gateway / NAT gateway ↔ zone): the cases the seeded corpus does not show."""

from __future__ import annotations

from policies.engine import evaluate
from policies.rules import aws_ec2_route_table_use_own_zone_nat as own_nat
from policies.rules import aws_ec2_subnet_disallow_public_ip as subnet_ip
from policies.rules import aws_ec2_vpc_restrict_default_security_group as default_sg
from policies.rules import aws_lb_load_balancer_drop_invalid_headers as headers
from stacks.graph import ResourceGraph
from tests.policies.graphs import base, context_for_text, mutate, resource
from tests.policies.rules.aws_defects import _route_through
from tests.policies.rules.corpus import change, setting

SA, E1 = "support-agent", "us-east-1"


def _messages(graph: ResourceGraph, context: object, rule: object) -> list[str]:
    report = evaluate(graph, context, rules=[rule.RULE])  # type: ignore[attr-defined]
    return [v.message for v in report.violations]


def test_a_rule_resource_attached_to_the_default_group_is_traffic_it_allows() -> None:
    graph, context = base("support-prod")
    group = graph.named(f"{SA}-network-default-sg-{E1}")
    assert group is not None
    rule = resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "allow-all-in",
        {"securityGroupId": "sg-default", "ipProtocol": "-1", "cidrIpv4": "10.20.0.0/16", "region": E1},
        region=E1,
        property_dependencies={"securityGroupId": (group.urn,)},
    )
    damaged = ResourceGraph(graph.project, graph.stack, [*graph.resources, rule], graph.exports)
    (message,) = _messages(damaged, context, default_sg)
    assert "allows traffic (rule 'allow-all-in')" in message


def test_every_generated_vpc_has_its_default_group_managed_and_empty() -> None:
    graph, context = base("support-prod")
    vpcs = graph.of_type("aws:ec2/vpc:Vpc")
    groups = graph.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert len(vpcs) == len(groups) == 2
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in groups)
    assert _messages(graph, context, default_sg) == []


def test_a_public_subnet_may_map_public_ips() -> None:
    """Public = associated with a route table that routes to the internet gateway (not the tag)."""
    graph, context = base("support-prod")
    damaged = change(f"{SA}-network-public-subnet-{E1}a", setting("mapPublicIpOnLaunch", True))(graph)
    assert _messages(damaged, context, subnet_ip) == []


def test_a_subnet_without_association_is_private() -> None:
    graph, context = base("support-prod")
    damaged = change(f"{SA}-network-private-subnet-{E1}c", setting("mapPublicIpOnLaunch", True))(graph)
    damaged = mutate(damaged, lambda r: r.name == f"{SA}-network-private-rta-{E1}c", drop=True)
    (message,) = _messages(damaged, context, subnet_ip)
    assert f"subnet '{SA}-network-private-subnet-{E1}c'" in message


def test_generated_private_route_tables_each_use_their_own_zone_nat() -> None:
    graph, context = base("support-prod")
    routes = [r for r in graph.of_type("aws:ec2/route:Route") if "natGatewayId" in r.inputs]
    assert len(routes) == 6  # 3 zones x 2 regions, each checked (not a vacuous pass)
    assert _messages(graph, context, own_nat) == []


def test_a_shared_nat_is_not_judged_where_the_plan_says_nat_single() -> None:
    graph, _ = base("support-prod")
    damaged = _route_through(f"{SA}-network-private-default-route-{E1}b", f"{SA}-network-nat-{E1}a")(graph)
    single = context_for_text("support-prod", lambda t: t.replace("nat: per-zone", "nat: single"))
    assert _messages(damaged, single, own_nat) == []
    _, per_zone = base("support-prod")
    assert len(_messages(damaged, per_zone, own_nat)) == 1


def test_network_load_balancers_are_not_asked_to_drop_headers() -> None:
    graph, context = base("engines")
    nlbs = [
        r for r in graph.of_type("aws:lb/loadBalancer:LoadBalancer") if r.inputs.get("loadBalancerType") == "network"
    ]
    assert nlbs and all("dropInvalidHeaderFields" not in r.inputs for r in nlbs)
    assert _messages(graph, context, headers) == []
    albs = [
        r
        for r in graph.of_type("aws:lb/loadBalancer:LoadBalancer")
        if r.inputs.get("loadBalancerType") == "application"
    ]
    damaged = mutate(graph, lambda r: r.urn == albs[0].urn, lambda i: i.pop("dropInvalidHeaderFields"))
    assert len(_messages(damaged, context, headers)) == 1
