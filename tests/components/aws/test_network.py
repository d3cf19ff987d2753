"""Network: the planner's subnet layout, NAT per zone, routes, endpoints, or an existing VPC."""

from __future__ import annotations

from tests.components.aws.helpers import dependencies, graph, synth_case, tags


def test_subnets_follow_the_plan_in_every_region() -> None:
    s = synth_case("support-agent")
    subnets = s.graph.of_type("aws:ec2/subnet:Subnet")
    for region in s.plan.regions:
        planned = {(n.zone, n.cidr, n.public) for n in region.network.subnets}
        built = {
            (r.inputs["availabilityZone"], r.inputs["cidrBlock"], tags(r)["agentha:role"] == "subnet-public")
            for r in subnets
            if r.inputs["region"] == region.name
        }
        assert built == planned
    (vpc,) = [r for r in s.graph.of_type("aws:ec2/vpc:Vpc") if r.inputs["region"] == "us-west-2"]
    assert vpc.inputs["cidrBlock"] == s.plan.region("us-west-2").network.cidr
    assert vpc.inputs["enableDnsHostnames"] and vpc.inputs["enableDnsSupport"]


def test_each_zone_leaves_through_its_own_nat_gateway() -> None:
    g = graph("support-agent")  # nat: per-zone
    nats = {r.inputs["region"] + tags(r)["agentha:zone"]: r for r in g.of_type("aws:ec2/natGateway:NatGateway")}
    assert len(nats) == 6
    routes = [r for r in g.of_type("aws:ec2/route:Route") if "private-default-route" in r.name]
    assert len(routes) == 6
    for route in routes:
        (nat_urn,) = dependencies(route, "natGatewayId")
        nat = g.by_urn(nat_urn)
        assert nat is not None
        zone = route.name.removeprefix("support-agent-network-private-default-route-")
        assert tags(nat)["agentha:zone"] == zone


def test_endpoints_for_the_services_the_agents_use() -> None:
    g = graph("support-agent")
    endpoints = [r for r in g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if r.inputs["region"] == "us-east-1"]
    kinds = {
        r.inputs["serviceName"].removeprefix("com.amazonaws.us-east-1."): r.inputs["vpcEndpointType"] for r in endpoints
    }
    # support-agent's conversation has no internet egress (pull-through caches): ECR, S3 for the layers,
    # X-Ray for its collector join what every agent uses
    assert kinds == {
        "dynamodb": "Gateway",
        "s3": "Gateway",
        "sqs": "Interface",
        "secretsmanager": "Interface",
        "logs": "Interface",
        "ecr.api": "Interface",
        "ecr.dkr": "Interface",
        "xray": "Interface",
    }
    for endpoint in endpoints:
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert endpoint.inputs["privateDnsEnabled"] is True
            assert len(endpoint.inputs["subnetIds"]) == 3
        else:
            assert len(endpoint.inputs["routeTableIds"]) == 3  # every zone's private route table


def test_without_narrowed_agents_no_ecr_or_xray_endpoint_is_built() -> None:
    g = graph("no-image-cache")
    services = {r.inputs["serviceName"].split(".", 3)[-1] for r in g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert services == {"dynamodb", "sqs", "secretsmanager", "logs"}


def test_the_default_security_group_is_emptied() -> None:
    g = graph("support-agent@dev")
    (default,) = g.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert "ingress" not in default.inputs and "egress" not in default.inputs


def test_an_existing_vpc_is_used_as_it_is() -> None:
    s = synth_case("existing-vpc")
    g = s.graph
    assert not g.of_type("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway")
    assert not g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    for sg in g.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert sg.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    for service in g.of_type("aws:ecs/service:Service"):
        assert service.inputs["networkConfiguration"]["subnets"] == [
            "subnet-0aaa0000000000001",
            "subnet-0aaa0000000000002",
        ]


def test_a_single_nat_gateway_serves_every_zone() -> None:
    g = graph("lean")  # nat: single
    (nat,) = g.of_type("aws:ec2/natGateway:NatGateway")
    routes = [r for r in g.of_type("aws:ec2/route:Route") if "private-default-route" in r.name]
    assert len(routes) == 2 and all(dependencies(r, "natGatewayId") == (nat.urn,) for r in routes)
