"""Small hand-built graphs and the cached compliant graphs the policy tests derive defects from."""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from stacks.graph import CapturedResource, ResourceGraph


def urn(type_token: str, name: str, stack: str = "test") -> str:
    return f"urn:pulumi:{stack}::agentha-blueprint::{type_token}::{name}"


def resource(
    type_token: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    parent: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    custom: bool = True,
    property_dependencies: dict[str, tuple[str, ...]] | None = None,
) -> CapturedResource:
    return CapturedResource(
        urn=urn(type_token, name),
        type=type_token,
        name=name,
        custom=custom,
        parent=parent,
        provider=provider,
        inputs=inputs or {},
        property_dependencies=property_dependencies or {},
        region=region,
    )


def graph(*resources: CapturedResource, stack: str = "test") -> ResourceGraph:
    return ResourceGraph(project="agentha-blueprint", stack=stack, resources=sorted(resources, key=lambda r: r.urn))


def mutate(
    base: ResourceGraph,
    select: Callable[[CapturedResource], bool],
    change: Callable[[dict[str, Any]], None] | None = None,
    *,
    drop: bool = False,
    expect_one: bool = True,
    **fields: Any,
) -> ResourceGraph:
    """A copy of `base` where the selected resource's inputs are changed (or the resource dropped)."""
    chosen = [r for r in base if select(r)]
    if expect_one and len(chosen) != 1:
        raise AssertionError(
            f"the selector matched {len(chosen)} resources, expected exactly one: "
            + ", ".join(r.name for r in chosen[:5])
        )
    picked = {id(r) for r in chosen}
    out: list[CapturedResource] = []
    for r in base:
        if id(r) in picked:
            if drop:
                continue
            inputs = copy.deepcopy(r.inputs)
            if change is not None:
                change(inputs)
            r = dataclasses.replace(r, inputs=inputs, **fields)
        out.append(r)
    return ResourceGraph(project=base.project, stack=base.stack, resources=out, exports=base.exports)


# --- compliant bases: the examples (and a fixture with every AWS engine), synthesized once -------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "policies" / "fixtures"
BASES: dict[str, tuple[str, str | None]] = {
    "support-prod": ("examples/support-agent/spec.yaml", "prod"),
    "support-staging": ("examples/support-agent/spec.yaml", "staging"),
    "support-dev": ("examples/support-agent/spec.yaml", "dev"),
    "orders-prod": ("examples/order-routing/spec.yaml", "prod"),
    "orders-dev": ("examples/order-routing/spec.yaml", "dev"),
    "claims-aws": ("examples/claims-aws/spec.yaml", None),
    "research-prod": ("examples/research-agent/spec.yaml", "prod"),
    "research-dev": ("examples/research-agent/spec.yaml", "dev"),
    "claims-kube": ("examples/claims-kubernetes/spec.yaml", "prod"),
    "engines": ("tests/policies/fixtures/aws-all-engines.yaml", None),
    "kube-multi": ("tests/policies/fixtures/kubernetes-active-passive.yaml", "prod"),
    "single-zone": ("tests/policies/fixtures/aws-single-zone.yaml", None),
    "kube-single-zone": ("tests/policies/fixtures/kubernetes-single-zone.yaml", None),
}


@functools.cache
def base(key: str) -> tuple[ResourceGraph, Any]:
    """(graph, PolicyContext) of a compliant base, synthesized once per test session."""
    import json

    from blueprints.spec.loader import load_spec
    from policies.check import kube_contexts
    from policies.context import PolicyContext
    from stacks.synth import synth

    spec, env = BASES[key]
    loaded = load_spec(ROOT / spec, env)
    contexts: dict[str, str] = {}
    if loaded.spec.target == "kubernetes":
        contexts = kube_contexts(loaded.spec.metadata.name, [r.name for r in loaded.spec.topology.regions])
    if spec.startswith("examples/"):
        from tests.conftest import synthesized

        result = synthesized(spec, env)  # shared with the other tests' cache (same config as `check`)
    else:
        config: dict[str, str] = {}
        if contexts:
            config["agentha:kubeContexts"] = json.dumps(contexts)
        result = synth(ROOT / spec, env, config=config)
    context = PolicyContext(
        plan=result.plan, loaded=loaded, spec_file=str(ROOT / spec), environment=env, kube_contexts=contexts
    )
    return result.graph, context


def context_for_text(key: str, edit: Callable[[str], str]) -> Any:
    """The base's context re-planned from its spec text after `edit` (spec mutations for stack rules)."""
    import dataclasses as dc

    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_text

    spec, env = BASES[key]
    text = edit((ROOT / spec).read_text(encoding="utf-8"))
    loaded = load_text(text, str(ROOT / spec), env)
    _, context = base(key)
    return dc.replace(context, plan=plan(loaded.spec, env, advise=False), loaded=loaded)
