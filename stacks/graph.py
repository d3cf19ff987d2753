"""The captured resource graph: what a Pulumi program registers, as plain data.

Built by `stacks.capture` from the engine requests of a real program run under the SDK's mocks, and
read by `synth` (the tree and counts), the policy checks and the Kubernetes manifest export. Pure
data, no Pulumi import, so policies and tests can load a graph from JSON.

Normalised on capture: input keys keep the engine's camelCase; whole floats are ints again; URNs are
sorted; the root stack's type is dropped from type chains; secrets are replaced by a marker.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

SECRET_MARKER = "[secret]"


@dataclass(frozen=True)
class CapturedResource:
    """One registered resource with its inputs and options."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)
    region: str | None = None

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def is_component(self) -> bool:
        return not self.custom


@dataclass
class ResourceGraph:
    """Every resource a program registered, sorted by URN, plus the stack's exported outputs."""

    project: str
    stack: str
    resources: list[CapturedResource]
    exports: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[CapturedResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def by_urn(self, urn: str) -> CapturedResource | None:
        return self._index().get(urn)

    def _index(self) -> dict[str, CapturedResource]:
        cache = self.__dict__.get("_urn_index")
        if cache is None or len(cache) != len(self.resources):
            cache = {r.urn: r for r in self.resources}
            self.__dict__["_urn_index"] = cache
        return cache

    def of_type(self, *types: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type in types]

    def named(self, name: str) -> CapturedResource | None:
        return next((r for r in self.resources if r.name == name), None)

    def children(self, urn: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.parent == urn]

    def descendants(self, urn: str) -> list[CapturedResource]:
        out: list[CapturedResource] = []
        stack = [urn]
        while stack:
            current = stack.pop()
            for child in self.children(current):
                out.append(child)
                stack.append(child.urn)
        return sorted(out, key=lambda r: r.urn)

    def ancestors(self, resource: CapturedResource) -> list[CapturedResource]:
        out = []
        parent = resource.parent
        while parent:
            node = self.by_urn(parent)
            if node is None:
                break
            out.append(node)
            parent = node.parent
        return out

    def counts(self) -> dict[str, int]:
        """Resources per type (components included), sorted by type."""
        return dict(sorted(Counter(r.type for r in self.resources).items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "count": len(self.resources),
            "counts": self.counts(),
            "exports": self.exports,
            "resources": [_resource_json(r) for r in self.resources],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, default=str)

    def iter_json(self) -> Iterator[str]:
        """`dumps()` in pieces as they are encoded, for writing as they come: at 10,000 resources the
        whole text is 30 MB, and encoding holds its pieces and then their join at once."""
        return json.JSONEncoder(indent=2, sort_keys=True, default=str).iterencode(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResourceGraph:
        resources = []
        for raw in data["resources"]:
            raw = dict(raw)
            for key in ("dependencies", "ignore_changes", "replace_on_changes", "aliases", "additional_secret_outputs"):
                raw[key] = tuple(raw.get(key, ()))
            raw["property_dependencies"] = {k: tuple(v) for k, v in raw.get("property_dependencies", {}).items()}
            resources.append(CapturedResource(**raw))
        return cls(project=data["project"], stack=data["stack"], resources=resources, exports=data.get("exports", {}))


_FIELDS = tuple(f.name for f in fields(CapturedResource))
_TUPLES = frozenset({"dependencies", "ignore_changes", "replace_on_changes", "aliases", "additional_secret_outputs"})


def _resource_json(r: CapturedResource) -> dict[str, Any]:
    """A resource as JSON-ready data, built shallow: inputs and outputs are already plain JSON values,
    so they are shared, not deep-copied as `dataclasses.asdict` would (half the cost at 10k resources).
    Read-only: the graph's own dicts are in it."""
    data = {name: getattr(r, name) for name in _FIELDS}
    for key in _TUPLES:
        data[key] = list(data[key])
    data["property_dependencies"] = {k: list(v) for k, v in r.property_dependencies.items()}
    return data


def normalise(value: Any) -> Any:
    """Whole floats back to ints (the engine sends every number as a float); containers recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, str | int):
        return value
    return str(value)
