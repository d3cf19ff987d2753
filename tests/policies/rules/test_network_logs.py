"""Access logs on internet-facing ALBs and flow logs on VPCs are required outside `dev`: the cases the
seeded corpus (a prod ALB without access logs, a prod VPC without its flow log) does not show."""

from __future__ import annotations

import dataclasses

from policies.engine import evaluate
from policies.rules import aws_ec2_vpc_enable_flow_logs as flow_logs
from policies.rules import aws_lb_load_balancer_enable_access_logs as access_logs
from stacks.graph import ResourceGraph
from tests.policies.graphs import base
from tests.policies.rules.corpus import DELETE, change, drop, setting

SA, E1, W2 = "support-agent", "us-east-1", "us-west-2"


def _messages(graph: ResourceGraph, context: object, rule: object) -> list[str]:
    report = evaluate(graph, context, rules=[rule.RULE])  # type: ignore[attr-defined]
    return [v.message for v in report.violations]


def test_dev_builds_neither_and_neither_rule_asks_for_them() -> None:
    graph, context = base("support-dev")
    assert graph.of_type("aws:ec2/flowLog:FlowLog") == []
    assert all("accessLogs" not in lb.inputs for lb in graph.of_type("aws:lb/loadBalancer:LoadBalancer"))
    assert _messages(graph, context, access_logs) == []
    assert _messages(graph, context, flow_logs) == []


def test_the_same_graph_outside_dev_is_flagged_on_both() -> None:
    graph, context = base("support-dev")
    prod = dataclasses.replace(context, environment="prod")
    (alb,) = _messages(graph, prod, access_logs)
    assert f"{SA}-conversation-alb-{E1}" in alb and "observability.access_logs" in alb
    (vpc,) = _messages(graph, prod, flow_logs)
    assert "has no flow log" in vpc and "observability.flow_logs" in vpc


def test_an_internal_alb_needs_no_access_logs() -> None:
    graph, context = base("orders-prod")
    (alb,) = [r for r in graph.of_type("aws:lb/loadBalancer:LoadBalancer") if r.region == "eu-west-1"]
    assert alb.inputs["internal"] is True
    damaged = change(alb.name, setting("accessLogs", DELETE))(graph)
    assert _messages(damaged, context, access_logs) == []


def test_access_logs_turned_off_are_flagged() -> None:
    graph, context = base("support-prod")
    damaged = change(f"{SA}-conversation-alb-{W2}", setting("accessLogs.enabled", False))(graph)
    (message,) = _messages(damaged, context, access_logs)
    assert "writes no access logs" in message


def test_a_network_load_balancer_is_not_asked_for_access_logs() -> None:
    graph, context = base("support-prod")
    nlb = graph.named(f"{SA}-model-gateway-nlb-{E1}")
    assert nlb is not None and "accessLogs" not in nlb.inputs
    damaged = change(nlb.name, setting("internal", False))(graph)
    assert _messages(damaged, context, access_logs) == []


def test_a_flow_log_without_a_destination_covers_nothing() -> None:
    graph, context = base("support-prod")
    damaged = change(f"{SA}-flow-log-{E1}", setting("logDestination", DELETE))(graph)
    (message,) = _messages(damaged, context, flow_logs)
    assert E1 in message


def test_every_prod_vpc_and_public_alb_is_covered() -> None:
    graph, context = base("support-prod")
    assert len(graph.of_type("aws:ec2/flowLog:FlowLog")) == len(graph.of_type("aws:ec2/vpc:Vpc")) == 2
    assert _messages(graph, context, access_logs) == []
    assert _messages(graph, context, flow_logs) == []
    assert _messages(drop(f"{SA}-flow-log-{E1}")(graph), context, flow_logs) != []
