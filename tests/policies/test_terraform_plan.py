"""The graph → Terraform plan JSON translation that checkov (and other plan scanners) read."""

from __future__ import annotations

import json

import pytest

from policies.terraform_plan import TERRAFORM_TYPES, singular, snake, terraform_values, translate
from tests.policies.graphs import base, graph, resource, urn


def test_names_are_terraform_snake_case() -> None:
    assert snake("kmsMasterKeyId") == "kms_master_key_id"
    assert snake("ipv6CidrBlock") == "ipv6_cidr_block"
    assert snake("enableDnsHostnames") == "enable_dns_hostnames"
    assert snake("name") == "name"


def test_repeatable_blocks_take_their_terraform_singular_name() -> None:
    assert singular("default_actions") == "default_action"
    assert singular("failover_routing_policies") == "failover_routing_policy"
    assert singular("global_secondary_indexes") == "global_secondary_index"
    assert singular("ingress") == "ingress"


def test_values_turn_objects_into_blocks_and_keep_maps() -> None:
    values = terraform_values(
        {
            "healthCheck": {"healthyThreshold": 2, "path": "/readyz"},
            "defaultActions": [{"type": "redirect", "redirect": {"port": "443"}}],
            "securityGroups": ["sg-1"],
            "tags": {"agentha:part": "api"},
            "code": {"assetArchive": {}},
        }
    )
    assert values == {
        "health_check": [{"healthy_threshold": 2, "path": "/readyz"}],
        "default_action": [{"type": "redirect", "redirect": [{"port": "443"}]}],
        "security_groups": ["sg-1"],
        "tags": {"agentha:part": "api"},
    }


def test_references_follow_property_dependencies() -> None:
    lb = resource("aws:lb/loadBalancer:LoadBalancer", "api-alb", {"internal": False})
    assoc = resource(
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "api-waf",
        {"resourceArn": "arn:lb"},
        property_dependencies={"resourceArn": (urn("aws:lb/loadBalancer:LoadBalancer", "api-alb"),)},
    )
    plan = translate(graph(lb, assoc)).plan
    configured = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    expressions = configured["aws_wafv2_web_acl_association.api-waf"]["expressions"]
    assert expressions["resource_arn"] == {"references": ["aws_lb.api-alb.id", "aws_lb.api-alb"]}
    assert configured["aws_lb.api-alb"]["expressions"]["internal"] == {"constant_value": False}


def test_unknown_types_are_named_not_guessed() -> None:
    made_up = resource("aws:made/up:Thing", "x")
    component = resource("agentha:aws:Network", "n", custom=False)
    translation = translate(graph(made_up, component))
    assert translation.untranslated == ["aws:made/up:Thing"]
    assert translation.plan["resource_changes"] == []


@pytest.mark.parametrize("key", ["support-prod", "orders-prod", "engines", "claims-aws"])
def test_every_aws_resource_the_components_build_is_translated(key: str) -> None:
    built, _ = base(key)
    translation = translate(built)
    assert translation.untranslated == []
    aws = [r for r in built if r.custom and r.type.startswith("aws:")]
    assert len(translation.plan["resource_changes"]) == len(aws) == len(translation.addresses)
    addresses = [r["address"] for r in translation.plan["planned_values"]["root_module"]["resources"]]
    assert len(set(addresses)) == len(addresses)
    assert all(a.split(".")[0] in TERRAFORM_TYPES.values() for a in addresses)
    json.dumps(translation.plan)  # plain JSON


def test_synth_writes_a_terraform_plan(tmp_path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        app, ["synth", "examples/support-agent/spec.yaml", "--env", "dev", "-o", "tfplan", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text())
    types = {r["type"] for r in plan["resource_changes"]}
    assert {"aws_lb", "aws_ecs_service", "aws_dynamodb_table"} <= types
    assert all(r["change"]["actions"] == ["create"] for r in plan["resource_changes"])


def test_synth_refuses_tfplan_for_kubernetes() -> None:
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(app, ["synth", "examples/research-agent/spec.yaml", "-o", "tfplan", "-q"])
    assert result.exit_code == 2
    assert "target is kubernetes" in result.output
