"""Which agents leave for the internet on aws, and where their images come from (blueprints/plan/egress.py)."""

from __future__ import annotations

from typing import Any

import pytest

from blueprints.plan import collector, egress
from blueprints.plan.models import CachedImage, Finding, ImageCachePlan, TopologyPlan
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import aws, dump, kubernetes
from tests.blueprints.spec.rules.test_dependencies import with_providers

GHCR = {"registry": "ghcr.io", "prefix": "ghcr", "credential": "ecr-pullthroughcache/ghcr"}
PUBLIC = {"registry": "public.ecr.aws", "prefix": "ecr-public"}


def planned(spec: dict[str, Any]) -> TopologyPlan:
    return plan(load_text(dump(spec), "spec.yaml").spec)


def cached(*caches: dict[str, Any], tracing: str = "none") -> dict[str, Any]:
    spec = with_providers(aws())
    spec["network"]["image_cache"] = list(caches)
    spec["observability"]["tracing"] = tracing
    return spec


def finding(p: TopologyPlan, agent: str) -> Finding:
    (found,) = [
        f for f in p.findings if f.code in ("egress-through-gateway", "egress-open") and f"'{agent}'" in f.message
    ]
    return found


@pytest.mark.parametrize(
    ("image", "split"),
    [
        ("ghcr.io/acme/support-agent:1.8.0", ("ghcr.io", "acme/support-agent:1.8.0")),
        ("nginx:1.27", ("docker.io", "library/nginx:1.27")),
        ("acme/agent:1", ("docker.io", "acme/agent:1")),
        ("docker.io/nginx", ("docker.io", "library/nginx")),
        ("registry.lab.example:5000/r/w@sha256:ab", ("registry.lab.example:5000", "r/w@sha256:ab")),
        (collector.IMAGE, ("public.ecr.aws", "aws-observability/aws-otel-collector:v0.49.0")),
    ],
)
def test_split_image_reads_references_as_a_container_runtime_does(image: str, split: tuple[str, str]) -> None:
    assert egress.split_image(image) == split


def test_a_gateway_caller_whose_images_are_cached_is_narrowed() -> None:
    p = planned(cached(GHCR))
    conversation = p.agent("conversation")
    assert conversation.narrow_egress
    assert conversation.image_cache == CachedImage("ghcr", "acme/support-agent:1.8.0")
    assert p.image_caches == (ImageCachePlan("ghcr.io", "ghcr.io", "ghcr", "ecr-pullthroughcache/ghcr"),)
    f = finding(p, "conversation")
    assert f.code == "egress-through-gateway" and f.path == "agents[0]"
    assert "not the internet" in f.message


def test_without_a_cache_the_plan_names_the_image_that_keeps_the_internet() -> None:
    p = planned(with_providers(aws()))
    assert not p.agent("conversation").narrow_egress
    f = finding(p, "conversation")
    assert f.code == "egress-open"
    assert "ghcr.io/acme/support-agent:1.8.0 comes from ghcr.io" in f.message
    assert f.fix is not None and "network.image_cache" in f.fix


def test_the_trace_collectors_image_counts_too() -> None:
    p = planned(cached(GHCR, tracing="otel"))
    assert not p.agent("conversation").narrow_egress
    assert "trace collector's image public.ecr.aws/" in finding(p, "conversation").message
    p = planned(cached(GHCR, PUBLIC, tracing="otel"))
    assert p.agent("conversation").narrow_egress
    assert p.agent("conversation").collector_image_cache == CachedImage(
        "ecr-public", "aws-observability/aws-otel-collector:v0.49.0"
    )


def test_a_direct_http_api_or_mcp_server_keeps_the_internet_and_is_named() -> None:
    spec = cached(GHCR)
    spec["dependencies"].append({"name": "crm-api", "kind": "http-api", "callers": ["conversation"]})
    p = planned(spec)
    assert not p.agent("conversation").narrow_egress
    assert "it calls http-api 'crm-api' directly" in finding(p, "conversation").message


def test_an_agent_not_calling_the_gateway_keeps_the_internet() -> None:
    p = planned(cached(GHCR))
    assert not p.agent("action-executor").narrow_egress
    assert "does not call the model gateway" in finding(p, "action-executor").message


def test_ecr_images_narrow_only_in_their_own_region() -> None:
    spec = with_providers(aws())
    spec["observability"]["tracing"] = "none"
    spec["agents"][0]["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/support-agent:1.8.0"
    p = planned(spec)
    assert not p.agent("conversation").narrow_egress  # its tasks in us-west-2 pull across regions
    assert "tasks in us-west-2 pull it across regions" in finding(p, "conversation").message
    spec["topology"] = {
        "pattern": "multi-zone",
        "regions": [{"name": "us-east-1", "role": "primary", "zones": ["us-east-1a", "us-east-1b"]}],
    }
    spec["objectives"]["disruptions"].pop("region")
    spec["chaos"] = {"drills": ["zone-outage"]}
    assert planned(spec).agent("conversation").narrow_egress


def test_an_existing_vpc_keeps_the_internet() -> None:
    spec = cached(GHCR)
    spec["network"]["existing"] = {
        "us-west-2": {"vpc_id": "vpc-0a1b2c3d", "private_subnet_ids": ["subnet-1", "subnet-2", "subnet-3"]}
    }
    p = planned(spec)
    assert not p.agent("conversation").narrow_egress
    assert "existing VPC in us-west-2" in finding(p, "conversation").message


def test_a_spec_naming_nothing_outside_gets_no_egress_findings() -> None:
    p = planned(aws())
    assert not [f for f in p.findings if f.code in ("egress-through-gateway", "egress-open")]
    assert not any(a.narrow_egress for a in p.agents)


def test_kubernetes_keeps_its_network_policy_finding() -> None:
    spec = with_providers(kubernetes())
    spec["dependencies"][0]["callers"] = ["planner"]
    spec["dependencies"][0]["secrets"] = []
    p = planned(spec)
    (f,) = [f for f in p.findings if f.code == "egress-through-gateway"]
    assert "pods may open HTTPS to the gateway and nowhere else" in f.message
    assert not any(a.narrow_egress or a.image_cache for a in p.agents) and p.image_caches == ()
