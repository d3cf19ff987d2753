"""Synthesized AWS cases for the component tests: the examples, their environments, and variants.

Every pattern is covered: multi-zone (the examples' dev), single-zone, active-passive with a warm
(support-agent), hot and pilot-light (support-agent staging) standby, and active-active
(order-routing). Variants are the examples with a few fields changed, written to a temporary
folder and run through the same `stacks.synth.synth` as `agentha-blueprint synth`. Each case is
synthesized at most once per test session (the machine has two cores).
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from stacks.graph import CapturedResource, ResourceGraph
from stacks.synth import Synthesis

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
AURORA_PASSWORD = {"agentha:auroraMasterPassword": "offline-test-only"}

Spec = dict[str, Any]


def _load(example: str) -> Spec:
    return YAML(typ="safe").load((EXAMPLES / example / "spec.yaml").read_text(encoding="utf-8"))


def _hot(spec: Spec) -> Spec:
    spec["topology"]["standby"] = "hot"
    spec["rollout"] = {"strategy": "blue-green", "bake_time": "10m", "auto_rollback": True}
    return spec


def _single_zone(spec: Spec) -> Spec:
    spec["topology"] = {
        "pattern": "single-zone",
        "regions": [{"name": "us-east-1", "role": "primary", "zones": ["us-east-1a"]}],
    }
    spec["objectives"] = {"availability": 99.0, "disruptions": {"application": {"rto": "10m", "rpo": "0s"}}}
    spec["chaos"] = {"drills": ["agent-crash"]}
    spec["rollout"] = {"strategy": "rolling"}
    spec["environments"] = {}
    return spec


def _with_stores(spec: Spec) -> Spec:
    spec["stores"] += [
        {"name": "sessions", "engine": "aurora-postgresql", "backup": {"retention": "14d"}},
        {"name": "hot-cache", "engine": "valkey", "cache": True},
    ]
    spec["agents"][0]["uses"] += ["sessions", "hot-cache"]
    spec["objectives"]["disruptions"]["region"] = {"rto": "30m", "rpo": "5m"}
    spec["rollout"] = {"strategy": "linear", "steps": [20, 40, 60, 80, 100], "bake_time": "2m"}
    return spec


def _stores_manual(spec: Spec) -> Spec:
    """Aurora and Valkey across the regions, failover by hand (the Region switch plan asks for approval)."""
    spec = _with_stores(spec)
    spec["topology"]["failover"]["mode"] = "manual"
    return spec


def _aurora(spec: Spec) -> Spec:
    """Aurora alone across the regions, automatic failover: the plan's trigger and its Aurora block."""
    spec["stores"] += [{"name": "sessions", "engine": "aurora-postgresql", "backup": {"retention": "14d"}}]
    spec["agents"][0]["uses"] += ["sessions"]
    spec["objectives"]["disruptions"]["region"] = {"rto": "30m", "rpo": "5m"}
    return spec


def _aurora_manual(spec: Spec) -> Spec:
    """The same by hand: automatic DNS failover buys nothing for writes until someone approves."""
    spec = _aurora(spec)
    spec["topology"]["failover"]["mode"] = "manual"
    return spec


def _stores_one_region(spec: Spec) -> Spec:
    spec = _with_stores(spec)
    spec["topology"] = {
        "pattern": "multi-zone",
        "regions": [{"name": "us-east-1", "role": "primary", "zones": ["us-east-1a", "us-east-1b"]}],
    }
    spec["objectives"]["disruptions"].pop("region")
    spec["chaos"] = {"drills": ["zone-outage"]}
    spec["environments"] = {}
    return spec


def _synchronous(spec: Spec) -> Spec:
    """Every store strongly consistent across the spec's regions (over two: two replicas and a witness)."""
    for store in spec["stores"]:
        store["replication"] = "sync"
        # AWS offers multi-region strong consistency without TTL (the dynamodb-strong-consistency-ttl rule).
        store.pop("ttl_attribute", None)
    spec["objectives"]["disruptions"]["region"] = {"rto": "5m", "rpo": "0s"}
    spec["rollout"] = {"strategy": "rolling"}
    spec["environments"] = {}
    return spec


def _strong(spec: Spec) -> Spec:
    """Strong consistency over three regions: three replicas, no witness."""
    spec["topology"]["regions"].append(
        {"name": "eu-west-2", "role": "active", "zones": ["eu-west-2a", "eu-west-2b", "eu-west-2c"]}
    )
    return _synchronous(spec)


def _existing_vpc(spec: Spec) -> Spec:
    spec = copy.deepcopy(spec)
    spec["network"]["existing"] = {
        "us-east-1": {
            "vpc_id": "vpc-0a1b2c3d4e5f60718",
            "private_subnet_ids": ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"],
            "public_subnet_ids": ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"],
        }
    }
    return spec


def _calls(spec: Spec) -> Spec:
    """The conversation agent calls the action executor over HTTP; zonal autoshift on."""
    spec["agents"][0]["calls"] = ["action-executor"]
    spec["topology"]["zonal_autoshift"] = True
    return spec


def _lean(spec: Spec) -> Spec:
    spec["network"]["nat"] = "single"
    spec["rollout"]["auto_rollback"] = False
    return spec


def _gateway_store(spec: Spec) -> Spec:
    """The model gateway shares its rate-limit counters in a Valkey store."""
    spec["stores"].append({"name": "limits", "engine": "valkey", "cache": True})
    spec["gateway"]["rate_limit_store"] = "limits"
    return spec


def _private_synthetic(spec: Spec) -> Spec:
    """order-routing's private ingress with a synthetic transaction (canaries in the private subnets)."""
    spec["ingress"]["synthetic"] = {
        "path": "/v1/orders/health-order",
        "expect": {"status": 200},
        "interval": "1m",
        "timeout": "15s",
        "failure_threshold": 1,
    }
    return spec


def _waf_tuned(spec: Spec) -> Spec:
    spec["ingress"]["waf"] = {"rate_limit": 50, "managed_rule_groups": ["AWSManagedRulesKnownBadInputsRuleSet"]}
    return spec


def _waf_off(spec: Spec) -> Spec:
    spec["ingress"]["waf"] = {"enabled": False}
    return spec


def _no_tracing(spec: Spec) -> Spec:
    spec["observability"]["tracing"] = "none"
    return spec


def _logs_off(spec: Spec) -> Spec:
    spec.setdefault("observability", {}).update({"access_logs": {"enabled": False}, "flow_logs": {"enabled": False}})
    return spec


def _logs_on(spec: Spec) -> Spec:
    """Access and flow logs turned on (in dev, where they are off by default), tuned."""
    spec.setdefault("observability", {}).update(
        {
            "access_logs": {"enabled": True, "retention": "30d"},
            "flow_logs": {"enabled": True, "retention": "45d", "traffic": "REJECT"},
        }
    )
    return spec


def _no_image_cache(spec: Spec) -> Spec:
    """support-agent as it was before its pull-through caches: images straight from ghcr.io."""
    del spec["network"]["image_cache"]
    return spec


def _direct_api(spec: Spec) -> Spec:
    """conversation also calls an HTTP API itself, not through the gateway."""
    spec["dependencies"].append({"name": "crm-api", "kind": "http-api", "callers": ["conversation"]})
    return spec


# case -> (example, environment, transform or None, extra config)
CASES: dict[str, tuple[str, str | None, Callable[[Spec], Spec] | None, dict[str, str]]] = {
    "support-agent": ("support-agent", None, None, {}),
    "support-agent@dev": ("support-agent", "dev", None, {}),
    "support-agent@staging": ("support-agent", "staging", None, {}),
    "support-agent@prod": ("support-agent", "prod", None, {}),
    "order-routing": ("order-routing", None, None, {}),
    "order-routing@dev": ("order-routing", "dev", None, {}),
    "order-routing@prod": ("order-routing", "prod", None, {}),
    "claims-aws": ("claims-aws", None, None, AURORA_PASSWORD),
    "hot": ("support-agent", None, _hot, {}),
    "single-zone": ("support-agent", None, _single_zone, {}),
    "stores": ("support-agent", None, _with_stores, AURORA_PASSWORD),
    "stores-one-region": ("support-agent", None, _stores_one_region, {}),
    "stores-manual": ("support-agent", None, _stores_manual, AURORA_PASSWORD),
    "aurora": ("support-agent", None, _aurora, AURORA_PASSWORD),
    "aurora-manual": ("support-agent", None, _aurora_manual, AURORA_PASSWORD),
    "strong": ("order-routing", None, _strong, {}),
    "strong-witness": ("order-routing", None, _synchronous, {}),
    "existing-vpc": ("support-agent", "dev", _existing_vpc, {}),
    "lean": ("support-agent", "dev", _lean, {}),
    "calls": ("support-agent", None, _calls, {}),
    "gateway-store": ("support-agent", "dev", _gateway_store, {}),
    "private-synthetic": ("order-routing", None, _private_synthetic, {}),
    "waf-tuned": ("support-agent", "dev", _waf_tuned, {}),
    "waf-off": ("support-agent", "dev", _waf_off, {}),
    "no-tracing": ("support-agent", "dev", _no_tracing, {}),
    "logs-off": ("support-agent", "prod", _logs_off, {}),
    "logs-on-dev": ("support-agent", "dev", _logs_on, {}),
    "logs-existing-vpc": ("support-agent", "dev", lambda s: _logs_on(_existing_vpc(s)), {}),
    "no-image-cache": ("support-agent", "dev", _no_image_cache, {}),
    "direct-api": ("support-agent", "dev", _direct_api, {}),
}
PATTERNS = {
    "multi-zone": "support-agent@dev",
    "single-zone": "single-zone",
    "active-passive-warm": "support-agent",
    "active-passive-hot": "hot",
    "active-passive-pilot-light": "support-agent@staging",
    "active-active": "order-routing",
}
EXAMPLE_CASES = [c for c in CASES if CASES[c][2] is None]


@cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="agentha-aws-cases-"))


def spec_path(case: str) -> Path:
    example, _, transform, _ = CASES[case]
    if transform is None:
        return EXAMPLES / example / "spec.yaml"
    path = _folder() / f"{case}.yaml"
    if not path.exists():
        spec = transform(copy.deepcopy(_load(example)))
        yaml = YAML()
        with path.open("w", encoding="utf-8") as out:
            yaml.dump(spec, out)
    return path


@cache
def synth_case(case: str) -> Synthesis:
    """The case's plan and captured graph (once per session)."""
    from stacks.synth import synth

    _, environment, _, config = CASES[case]
    return synth(spec_path(case), environment, config=dict(config) or None)


def graph(case: str) -> ResourceGraph:
    return synth_case(case).graph


# --- graph helpers ----------------------------------------------------------------------------


def of_type(g: ResourceGraph, *types: str) -> list[CapturedResource]:
    return g.of_type(*types)


def tags(r: CapturedResource) -> dict[str, str]:
    value = r.inputs.get("tags") or {}
    return value if isinstance(value, dict) else {}


def doc(r: CapturedResource, key: str) -> Any:
    """A JSON-string input (policies, container definitions) as data."""
    value = r.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def custom(g: ResourceGraph) -> Iterator[CapturedResource]:
    return (r for r in g if r.custom and not r.is_provider)


def dependencies(r: CapturedResource, key: str) -> tuple[str, ...]:
    return r.property_dependencies.get(key, ())


def build_store(case: str, store: str, **changes: Any) -> ResourceGraph:
    """Build one store's component alone, under mocks, from a case's plan with `changes` applied to
    the store's plan (for guards the spec rules already stop before they reach the component)."""
    import dataclasses

    from components.aws.aurora_cluster import AuroraCluster, AuroraClusterArgs
    from components.aws.store_placement import StorePlacement
    from components.aws.tags import TagContext
    from components.aws.valkey_cache import ValkeyCache, ValkeyCacheArgs
    from stacks.capture import synthesize

    plan = synth_case(case).plan
    if "system" in changes:
        plan = dataclasses.replace(plan, system=changes.pop("system"))
    s = dataclasses.replace(plan.store(store), **changes)
    tags = TagContext.from_plan(plan)

    placements = {
        r: StorePlacement(subnet_ids=[f"subnet-{r}"], security_group_id="sg-1", key_arn="k", topic_arn="t")
        for r in s.regions
    }

    def program() -> None:
        if s.engine == "aurora-postgresql":
            AuroraCluster(
                s.resource,
                AuroraClusterArgs(
                    store=s,
                    tags=tags,
                    placements=placements,
                    alarms=plan.observability.alarms,
                    master_password="offline-test-only" if s.replica_regions else None,
                ),
            )
        else:
            ValkeyCache(
                s.resource,
                ValkeyCacheArgs(
                    store=s,
                    tags=tags,
                    placements=placements,
                    alarms=plan.observability.alarms,
                ),
            )

    return synthesize(program, project="agentha-blueprint", stack="guards")
