"""Small hand-built graphs and the cached compliant graphs the policy tests derive defects from."""

from __future__ import annotations

import copy
import dataclasses
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
