"""Security groups allow only what the topology needs."""

from __future__ import annotations

from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import dependencies, graph, tags


def rules_of(g: ResourceGraph, group: CapturedResource, kind: str) -> list[CapturedResource]:
    type_ = f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule"
    return [r for r in g.of_type(type_) if group.urn in dependencies(r, "securityGroupId")]


def group(g: ResourceGraph, part: str, role: str, region: str) -> CapturedResource:
    return next(
        r
        for r in g.of_type("aws:ec2/securityGroup:SecurityGroup")
        if tags(r)["agentha:part"] == part and tags(r)["agentha:role"] == role and r.inputs["region"] == region
    )


def test_public_alb_takes_https_and_the_redirect_port_from_the_internet_only() -> None:
    g = graph("support-agent")
    lb = group(g, "conversation", "lb-sg", "us-east-1")
    ingress = rules_of(g, lb, "Ingress")
    assert sorted(r.inputs["fromPort"] for r in ingress) == [80, 443]
    assert all(r.inputs["cidrIpv4"] == "0.0.0.0/0" for r in ingress)
    (egress,) = rules_of(g, lb, "Egress")
    task = group(g, "conversation", "task-sg", "us-east-1")
    assert task.urn in dependencies(egress, "referencedSecurityGroupId") and egress.inputs["fromPort"] == 8080


def test_private_ingress_takes_traffic_from_the_vpc_only() -> None:
    g = graph("order-routing")
    lb = group(g, "router", "lb-sg", "eu-west-1")
    for rule in rules_of(g, lb, "Ingress"):
        assert rule.inputs["cidrIpv4"] == "10.40.0.0/16"


def test_tasks_take_their_port_only_from_their_load_balancer() -> None:
    g = graph("support-agent")
    for region in ("us-east-1", "us-west-2"):
        task = group(g, "conversation", "task-sg", region)
        (rule,) = rules_of(g, task, "Ingress")
        lb = group(g, "conversation", "lb-sg", region)
        assert lb.urn in dependencies(rule, "referencedSecurityGroupId")
        assert "cidrIpv4" not in rule.inputs and rule.inputs["fromPort"] == rule.inputs["toPort"] == 8080
    worker = group(graph("order-routing"), "fulfiller", "task-sg", "eu-west-1")
    assert not rules_of(graph("order-routing"), worker, "Ingress")  # a queue worker takes no connections


def test_stores_take_connections_only_from_the_agents_that_use_them() -> None:
    g = graph("stores")
    for store, port in (("sessions", 5432), ("hot-cache", 6379)):
        sg = group(g, store, "store-sg", "us-west-2")
        (rule,) = rules_of(g, sg, "Ingress")
        assert rule.inputs["fromPort"] == port
        user = group(g, "conversation", "task-sg", "us-west-2")
        assert user.urn in dependencies(rule, "referencedSecurityGroupId")


def test_a_called_agents_load_balancer_takes_its_port_only_from_its_callers_tasks() -> None:
    g = graph("calls")
    for region in ("us-east-1", "us-west-2"):
        lb = group(g, "action-executor", "lb-sg", region)
        caller = group(g, "conversation", "task-sg", region)
        (ingress,) = rules_of(g, lb, "Ingress")
        assert caller.urn in dependencies(ingress, "referencedSecurityGroupId")
        assert "cidrIpv4" not in ingress.inputs and ingress.inputs["fromPort"] == ingress.inputs["toPort"] == 8081
        # the caller's side of the same path: its tasks may leave towards that load balancer, on that port
        (egress,) = [r for r in rules_of(g, caller, "Egress") if lb.urn in dependencies(r, "referencedSecurityGroupId")]
        assert egress.inputs["fromPort"] == egress.inputs["toPort"] == 8081
        # and the load balancer reaches its own tasks only
        (out,) = rules_of(g, lb, "Egress")
        assert group(g, "action-executor", "task-sg", region).urn in dependencies(out, "referencedSecurityGroupId")


def test_a_port_nobody_calls_gets_no_load_balancer_group_or_vpc_wide_rule() -> None:
    g = graph("support-agent")
    assert not [
        r
        for r in g.of_type("aws:ec2/securityGroup:SecurityGroup")
        if tags(r)["agentha:part"] == "action-executor" and tags(r)["agentha:role"] == "lb-sg"
    ]
    task = group(g, "action-executor", "task-sg", "us-east-1")
    assert not rules_of(g, task, "Ingress")


def https_out(g: ResourceGraph, part: str, region: str) -> list[CapturedResource]:
    task = group(g, part, "task-sg", region)
    return [r for r in rules_of(g, task, "Egress") if r.inputs["fromPort"] == 443]


def endpoint(g: ResourceGraph, service: str, region: str) -> CapturedResource:
    return next(
        r
        for r in g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if r.inputs["serviceName"] == f"com.amazonaws.{region}.{service}"
    )


def test_an_agent_reaching_models_only_through_the_gateway_gets_no_https_to_the_internet() -> None:
    g = graph("support-agent")
    for region in ("us-east-1", "us-west-2"):
        out = https_out(g, "conversation", region)
        assert all("cidrIpv4" not in r.inputs for r in out), "no CIDR at all, let alone 0.0.0.0/0"
        endpoints_sg = next(
            r
            for r in g.of_type("aws:ec2/securityGroup:SecurityGroup")
            if tags(r)["agentha:role"] == "sg-endpoints" and r.inputs["region"] == region
        )
        peers = [r for r in out if endpoints_sg.urn in dependencies(r, "referencedSecurityGroupId")]
        assert len(peers) == 1
        # the gateway endpoints' prefix lists, taken from the endpoints' own outputs
        lists = [r for r in out if "prefixListId" in r.inputs]
        assert all(r.inputs["prefixListId"].startswith("pl-") for r in lists)
        from_endpoint = {u for r in lists for u in dependencies(r, "prefixListId")}
        assert from_endpoint == {endpoint(g, "s3", region).urn, endpoint(g, "dynamodb", region).urn}
        assert len(out) == 3
        # the gateway and its stores stay reachable through their own rules
        gateway_lb = group(g, "model-gateway", "lb-sg", region)
        task = group(g, "conversation", "task-sg", region)
        assert any(gateway_lb.urn in dependencies(r, "referencedSecurityGroupId") for r in rules_of(g, task, "Egress"))


def test_the_gateway_and_agents_it_does_not_serve_keep_https_to_the_internet() -> None:
    g = graph("support-agent")
    for part in ("model-gateway", "action-executor"):
        (out,) = https_out(g, part, "us-east-1")
        assert out.inputs["cidrIpv4"] == "0.0.0.0/0"


def test_an_agent_calling_an_http_api_directly_keeps_https_to_the_internet() -> None:
    g = graph("direct-api")
    (out,) = https_out(g, "conversation", "us-east-1")
    assert out.inputs["cidrIpv4"] == "0.0.0.0/0"


def test_images_fargate_must_pull_from_the_internet_keep_https_to_the_internet() -> None:
    for case in ("no-image-cache", "existing-vpc"):
        (out,) = https_out(graph(case), "conversation", "us-east-1")
        assert out.inputs["cidrIpv4"] == "0.0.0.0/0", case
