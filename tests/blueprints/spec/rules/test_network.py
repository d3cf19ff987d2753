"""Rules of blueprints/spec/rules/network.py: VPC ranges, existing networks, NAT egress, alarm recipients."""

from __future__ import annotations

import pytest

from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import agent, aws, dump, kubernetes, of_rule, only


def test_network_cidr_passes_for_a_private_16() -> None:
    assert of_rule(aws(), "network-cidr") == []


@pytest.mark.parametrize(
    ("cidr", "words"),
    [
        ("10.20.0.1/16", "host bits set"),
        ("300.1.0.0/16", "not a valid IPv4 network"),
        ("10.0.0.0/8", "must be /16 to /24"),
        ("10.0.0.0/28", "must be /16 to /24"),
    ],
)
def test_network_cidr_fails_for_a_bad_range(cidr: str, words: str) -> None:
    spec = aws()
    spec["network"]["cidr"] = cidr
    p = only(spec, "network-cidr")
    assert words in p.message
    assert p.path == "network.cidr"
    assert "10.20.0.0/16" in p.fix


@pytest.mark.parametrize(
    ("cidr", "words"),
    [
        ("10.255.0.0/16", "11.0.0.0/16, outside private address space"),
        ("172.31.0.0/16", "172.32.0.0/16, outside private address space"),
        ("255.255.0.0/16", "runs past 255.255.255.255"),
    ],
)
def test_network_cidr_fails_when_a_later_region_runs_out_of_the_range(cidr: str, words: str) -> None:
    # The second region takes the next block after the first; 255.255.0.0/16 used to crash plan().
    spec = aws()
    spec["network"]["cidr"] = cidr
    p = only(spec, "network-cidr")
    assert words in p.message and "us-west-2" in p.message
    assert "room for 2 consecutive /16 blocks" in p.fix


def test_network_cidr_last_block_that_fits_plans() -> None:
    spec = aws()
    spec["network"]["cidr"] = "10.254.0.0/16"
    assert of_rule(spec, "network-cidr") == []
    result = plan(load_text(dump(spec), "spec.yaml").spec)
    assert [r.network.cidr for r in result.regions] == ["10.254.0.0/16", "10.255.0.0/16"]


def test_network_cidr_ignores_region_blocks_on_kubernetes() -> None:
    assert of_rule(kubernetes(), "network-cidr") == []


def _existing(private: int = 3, public: int = 3) -> dict:
    return {
        "vpc_id": "vpc-0abc123",
        "private_subnet_ids": [f"subnet-{i}" for i in range(private)],
        "public_subnet_ids": [f"subnet-p{i}" for i in range(public)],
    }


def test_existing_network_passes_with_one_subnet_per_zone() -> None:
    spec = aws()
    spec["network"]["existing"] = {"us-east-1": _existing()}
    assert of_rule(spec, "existing-network") == []


def test_existing_network_fails_for_a_region_the_topology_does_not_use() -> None:
    spec = aws()
    spec["network"]["existing"] = {"eu-west-1": _existing()}
    p = only(spec, "existing-network")
    assert p.path == "network.existing.eu-west-1"
    assert "us-east-1, us-west-2" in p.fix


def test_existing_network_fails_without_one_private_subnet_per_zone() -> None:
    spec = aws()
    spec["network"]["existing"] = {"us-east-1": _existing(private=2)}
    p = only(spec, "existing-network")
    assert p.path == "network.existing.us-east-1.private_subnet_ids"
    assert "one private subnet per zone" in p.fix


def test_existing_network_needs_public_subnets_only_for_a_public_ingress() -> None:
    spec = aws()
    spec["network"]["existing"] = {"us-east-1": _existing(public=0)}
    assert of_rule(spec, "existing-network") == []
    spec["ingress"]["public"] = True
    p = only(spec, "existing-network")
    assert p.path == "network.existing.us-east-1.public_subnet_ids"
    assert "one public subnet per zone" in p.fix


def test_nat_egress_passes_with_nat_or_ecr_images() -> None:
    spec = aws()
    spec["network"]["nat"] = "none"
    for a in spec["agents"]:
        a["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:1"
    assert of_rule(spec, "nat-egress") == []


def test_nat_egress_warns_for_images_outside_ecr_without_nat() -> None:
    spec = aws()
    spec["network"]["nat"] = "none"
    agent(spec, "action-executor")["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:1"
    p = only(spec, "nat-egress")
    assert p.severity == "warning"
    assert p.path == "agents[0].image"
    assert "push the image to ECR" in p.fix


def test_alarm_recipients_passes_with_an_address() -> None:
    assert of_rule(aws(), "alarm-recipients") == []


def test_alarm_recipients_warns_when_nobody_is_notified() -> None:
    spec = aws()
    del spec["observability"]
    p = only(spec, "alarm-recipients")
    assert p.severity == "warning"
    assert "observability: {notify: {email:" in p.fix
    # The section is missing: no line to point at (it pointed at apiVersion, line 1 of the document).
    assert p.location.line is None and "no `observability` section" in p.message


GHCR_CACHE = {"registry": "ghcr.io", "prefix": "ghcr", "credential": "ecr-pullthroughcache/ghcr"}


def test_image_cache_passes_with_a_credential_where_the_upstream_needs_one() -> None:
    spec = aws()
    spec["network"]["image_cache"] = [GHCR_CACHE, {"registry": "public.ecr.aws", "prefix": "ecr-public"}]
    assert of_rule(spec, "image-cache") == []


def test_image_cache_needs_a_credential_for_ghcr() -> None:
    spec = aws()
    spec["network"]["image_cache"] = [{"registry": "ghcr.io", "prefix": "ghcr"}]
    p = only(spec, "image-cache")
    assert p.path == "network.image_cache[0].credential"
    assert "ecr-pullthroughcache/" in p.fix and p.location is not None


def test_image_cache_refuses_a_credential_an_anonymous_upstream_would_not_use() -> None:
    spec = aws()
    spec["network"]["image_cache"] = [
        {"registry": "public.ecr.aws", "prefix": "ecr-public", "credential": "ecr-pullthroughcache/x"}
    ]
    assert only(spec, "image-cache").path == "network.image_cache[0].credential"


def test_image_cache_one_entry_per_registry_and_prefix() -> None:
    spec = aws()
    spec["network"]["image_cache"] = [GHCR_CACHE, {**GHCR_CACHE}, {"registry": "quay.io", "prefix": "ghcr"}]
    paths = sorted(p.path for p in of_rule(spec, "image-cache"))
    assert paths == [
        "network.image_cache[1].prefix",
        "network.image_cache[1].registry",
        "network.image_cache[2].prefix",
    ]


def test_image_cache_is_for_aws_only() -> None:
    spec = kubernetes()
    spec["network"] = {"image_cache": [GHCR_CACHE]}
    assert only(spec, "image-cache").path == "network.image_cache"


@pytest.mark.parametrize(
    ("field", "value"),
    [("prefix", "G"), ("prefix", "Ghcr"), ("credential", "ghcr-token"), ("registry", "registry.example")],
)
def test_image_cache_schema_refuses_bad_values_with_a_position(field: str, value: str) -> None:
    from blueprints.errors import SpecError

    spec = aws()
    spec["network"]["image_cache"] = [{**GHCR_CACHE, field: value}]
    with pytest.raises(SpecError) as err:
        load_text(dump(spec), "spec.yaml")
    (problem,) = err.value.problems
    assert problem.path == f"network.image_cache[0].{field}" and problem.location is not None
