"""Pull-through caches (components/aws/image_cache.py) and the tasks that pull through them."""

from __future__ import annotations

import json

from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import graph


def named(g: ResourceGraph, name: str) -> CapturedResource:
    return next(r for r in g.resources if r.name == name)


def containers(g: ResourceGraph, part: str, region: str) -> dict[str, str]:
    task = named(g, f"support-agent-{part}-task-{region}")
    return {c["name"]: c["image"] for c in json.loads(task.inputs["containerDefinitions"])}


def test_a_rule_per_declared_registry_in_every_region_with_the_credential_found_by_name() -> None:
    g = graph("support-agent")
    rules = {
        (r.inputs["region"], r.inputs["ecrRepositoryPrefix"]): r
        for r in g.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    }
    assert set(rules) == {(r, p) for r in ("us-east-1", "us-west-2") for p in ("ghcr", "ecr-public")}
    for region in ("us-east-1", "us-west-2"):
        ghcr, public = rules[(region, "ghcr")], rules[(region, "ecr-public")]
        assert ghcr.inputs["upstreamRegistryUrl"] == "ghcr.io"
        # the secret the user created in this region, by its full ARN (random suffix included)
        assert ghcr.inputs["credentialArn"].startswith(
            f"arn:aws:secretsmanager:{region}:123456789012:secret:ecr-pullthroughcache/ghcr-"
        )
        assert public.inputs["upstreamRegistryUrl"] == "public.ecr.aws" and "credentialArn" not in public.inputs


def test_no_rule_without_image_cache() -> None:
    assert not graph("no-image-cache").of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")


def test_agents_pull_their_images_and_the_collectors_through_the_regions_cache() -> None:
    g = graph("support-agent")
    for region in ("us-east-1", "us-west-2"):
        registry = f"123456789012.dkr.ecr.{region}.amazonaws.com"
        assert containers(g, "conversation", region) == {
            "conversation": f"{registry}/ghcr/acme/support-agent:1.8.0",
            "otel-collector": f"{registry}/ecr-public/aws-observability/aws-otel-collector:v0.49.0",
        }
        # the model gateway keeps pulling from its upstream: it has internet egress anyway
        gateway = containers(g, "model-gateway", region)
        assert not any(".dkr.ecr." in image for image in gateway.values())


def test_the_execution_role_may_import_and_create_only_under_the_cache_prefixes() -> None:
    g = graph("support-agent")
    policy = json.loads(named(g, "support-agent-conversation-execution-policy-us-west-2").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    cache = by_sid["PullThroughCache"]
    assert "ecr:BatchImportUpstreamImage" in cache["Action"] and "ecr:CreateRepository" in cache["Action"]
    assert not any("*" in a for a in cache["Action"])
    assert cache["Resource"] == [
        "arn:aws:ecr:us-west-2:123456789012:repository/ecr-public/*",
        "arn:aws:ecr:us-west-2:123456789012:repository/ghcr/*",
    ]
    assert by_sid["EcrLogin"]["Action"] == ["ecr:GetAuthorizationToken"]  # takes no resource
    without = json.loads(
        named(graph("no-image-cache"), "support-agent-conversation-execution-policy-us-east-1").inputs["policy"]
    )
    assert not any(s["Sid"] in ("PullThroughCache", "EcrLogin") for s in without["Statement"])


def test_rules_are_children_of_the_regions_cache_component() -> None:
    g = graph("support-agent")
    for rule in g.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule"):
        assert rule.parent is not None
        assert rule.parent.endswith(f"agentha:aws:RegionImageCache::support-agent-image-cache-{rule.inputs['region']}")
