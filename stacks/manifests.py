"""Manifest export: a captured resource graph as plain Kubernetes YAML, one folder per region.

For teams that deploy with Argo CD, Flux or `kubectl apply` instead of Pulumi. Pure: no Pulumi, no
clock, no file system; the same graph always gives the same bytes.

Layout (one file per object, so a review diff shows exactly which object changed):

    <region>/kustomization.yaml              every file of the region, in apply order
    <region>/<NN>-<kind>-<name>.yaml          NN orders kinds for `kubectl apply -f <region>/`:
                                             namespace first, workloads after what they need

Each object keeps exactly what the program sent the API server: `apiVersion`, `kind`, `metadata`
(always with `name`), then its other fields. Numbers the engine turned into floats are whole again;
keys are in a stable order (`apiVersion`, `kind`, `metadata`, then alphabetical; `name` first in
any mapping that has one); multi-line strings are YAML block scalars.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from stacks.graph import CapturedResource, ResourceGraph, normalise

REGION_ANNOTATION = "agentha.dev/region"
KIND_ORDER: dict[str, int] = {
    "Namespace": 0,
    "PriorityClass": 1,
    "ServiceAccount": 2,
    "ConfigMap": 3,
    "Secret": 3,
    "NetworkPolicy": 4,
    "Service": 5,
    "PodDisruptionBudget": 6,
    # Operators' stateful objects, then what lives inside them.
    "Cluster": 10,
    "CrdbCluster": 10,
    "RabbitmqCluster": 10,
    "RedisReplication": 10,
    "RedisSentinel": 11,
    "Vhost": 20,
    "User": 21,
    "Permission": 22,
    "Exchange": 23,
    "Queue": 23,
    "Binding": 24,
    "Policy": 25,
    "ScheduledBackup": 26,
    "AnalysisTemplate": 30,
    "Deployment": 40,
    "StatefulSet": 40,
    "Rollout": 40,
    "HorizontalPodAutoscaler": 50,
    "TriggerAuthentication": 50,
    "ScaledObject": 51,
    "Ingress": 60,
    "Gslb": 61,
    "ServiceMonitor": 70,
    "PodMonitor": 70,
    "PrometheusRule": 71,
    "Schedule": 90,
}
OTHER_KINDS = 80
TOP_LEVEL = ("apiVersion", "kind", "metadata")
METADATA_FIRST = ("name", "namespace", "labels", "annotations")


@dataclass(frozen=True)
class Manifest:
    """One object of one region, and where it is written."""

    region: str
    path: str
    object: dict[str, Any]


def is_kubernetes_object(resource: CapturedResource) -> bool:
    return (
        resource.custom
        and resource.type.startswith("kubernetes:")
        and not resource.is_provider
        and isinstance(resource.inputs.get("kind"), str)
        and isinstance(resource.inputs.get("apiVersion"), str)
    )


def _ordered(value: Any) -> Any:
    """`value` in a stable key order (`name` first, then by key), without None values, whole floats as
    ints: `normalise` and the ordering in one pass over fresh containers (no container is shared, so
    the YAML never needs an alias)."""
    kind = type(value)
    if kind is dict:
        keys = sorted(value, key=str)
        if "name" in value:  # `name` first
            keys.remove("name")
            keys.insert(0, "name")
        return {str(k): _ordered(value[k]) for k in keys if value[k] is not None}
    if kind is list or kind is tuple:
        return [_ordered(v) for v in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return int(value) if value.is_integer() else value
    plain = normalise(value)  # anything else as `normalise` has it: a fresh dict or list, or a scalar
    return _ordered(plain) if type(plain) is dict or type(plain) is list else plain


def manifest_object(resource: CapturedResource) -> dict[str, Any]:
    """The object as the API server would receive it, in a stable key order, with a name."""
    inputs = resource.inputs
    metadata = dict(inputs.get("metadata") or {})
    # The Kubernetes provider would auto-name an object without one; a manifest cannot, so the
    # logical name stands in (the blueprint's own components always set one).
    metadata.setdefault("name", resource.name)
    ordered_meta = {k: _ordered(metadata[k]) for k in METADATA_FIRST if metadata.get(k) is not None}
    ordered_meta.update(
        {str(k): _ordered(v) for k, v in sorted(metadata.items()) if k not in ordered_meta and v is not None}
    )
    out: dict[str, Any] = {
        "apiVersion": _ordered(inputs["apiVersion"]),
        "kind": _ordered(inputs["kind"]),
        "metadata": ordered_meta,
    }
    for key in sorted(k for k in inputs if k not in TOP_LEVEL):
        if inputs[key] is not None:
            out[str(key)] = _ordered(inputs[key])
    return out


def region_of(resource: CapturedResource, obj: Mapping[str, Any]) -> str:
    annotations = obj.get("metadata", {}).get("annotations") or {}
    return str(annotations.get(REGION_ANNOTATION) or resource.region or "default")


def file_name(obj: Mapping[str, Any]) -> str:
    kind = str(obj["kind"])
    return f"{KIND_ORDER.get(kind, OTHER_KINDS):02d}-{kind.lower()}-{obj['metadata']['name']}.yaml"


def collect(graph: ResourceGraph | Iterable[CapturedResource]) -> list[Manifest]:
    """Every Kubernetes object of the graph, with its region and file path, sorted by path."""
    out: list[Manifest] = []
    seen: dict[str, str] = {}
    for resource in graph:
        if not is_kubernetes_object(resource):
            continue
        obj = manifest_object(resource)
        region = region_of(resource, obj)
        path = f"{region}/{file_name(obj)}"
        if path in seen:
            raise ValueError(
                f"two objects would be written to {path}: {seen[path]} and {resource.urn} "
                "(same kind and name in one region)"
            )
        seen[path] = resource.urn
        out.append(Manifest(region=region, path=path, object=obj))
    return sorted(out, key=lambda m: m.path)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML, multi-line strings as block scalars (PromQL, dashboards, broker config).

    The emitter asks the resolver, for every scalar, which tag its text would take if written plain
    (`"true"`, `"3"` and `"null"` must be quoted); the answer depends on the text alone (there are no
    path resolvers), so it is remembered for the texts that repeat (keys, labels, names)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # BaseResolver.resolve without path resolvers: a scalar's implicit tag, else the default tags.
        if kind is ScalarNode:
            return _implicit_tag(value) if implicit[0] else self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None  # only path resolvers use it, and there are none

    def ascend_resolver(self) -> None:
        return None


assert not _Dumper.yaml_path_resolvers, "path resolvers would make a scalar's tag depend on its place"


@functools.lru_cache(maxsize=1 << 16)
def _implicit_tag(value: str) -> str:
    return _RESOLVER.resolve(ScalarNode, value, (True, False))


_RESOLVER = yaml.resolver.Resolver()


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar(STR, value, style="|")
    return dumper.represent_scalar(STR, value)


STR = "tag:yaml.org,2002:str"
_Dumper.add_representer(str, _str)
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_OPTIONS: dict[str, Any] = {"default_flow_style": False, "sort_keys": False, "allow_unicode": True, "width": 1 << 16}


def dump(obj: Any) -> str:
    """Deterministic YAML text of one object (keys kept in the given order).

    The nodes `yaml.dump` would represent are built directly (`_node`: the same tags, values and
    styles as `_Dumper`'s representers give) and handed to the same C emitter: the same bytes,
    without the representer's per-value dispatch. An object that holds one container twice (which
    the representer writes as an anchor and an alias; `manifest_object` never makes one) goes
    through `yaml.dump` itself."""
    stream = io.StringIO()
    dumper = _Dumper(stream, **_OPTIONS)
    try:
        node = _node(obj, dumper, set())
    except _SharedContainer:
        dumper.dispose()
        return yaml.dump(obj, Dumper=_Dumper, **_OPTIONS)
    try:
        dumper.open()
        dumper.serialize(node)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


class _SharedContainer(Exception):
    """One dict or list met twice in an object."""


def _node(value: Any, dumper: Any, seen: set[int]) -> yaml.Node:
    kind = type(value)
    if kind is str:
        return ScalarNode(STR, value, style="|" if "\n" in value else None)
    if kind is dict or kind is list:
        if id(value) in seen:
            raise _SharedContainer
        seen.add(id(value))
        if kind is dict:
            items = [(_node(k, dumper, seen), _node(v, dumper, seen)) for k, v in value.items()]
            return MappingNode(_MAP, items, flow_style=False)
        return SequenceNode(_SEQ, [_node(v, dumper, seen) for v in value], flow_style=False)
    if kind is bool:
        return ScalarNode(_BOOL, "true" if value else "false")
    if kind is int:
        return ScalarNode(_INT, str(value))
    return dumper.represent_data(value)  # floats, None, anything else: the representer's own node


def kustomization(paths: Iterable[str]) -> str:
    return dump(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": sorted(paths),
        }
    )


def render(graph: ResourceGraph | Iterable[CapturedResource]) -> dict[str, str]:
    """{relative path: YAML text} for every object of every region, plus each region's kustomization."""
    return render_collected(collect(graph))


def render_collected(manifests: Iterable[Manifest]) -> dict[str, str]:
    """`render` of what `collect` returned (the caller needs the objects too: collected once)."""
    files: dict[str, str] = {}
    by_region: dict[str, list[str]] = {}
    for m in manifests:
        files[m.path] = dump(m.object)
        by_region.setdefault(m.region, []).append(m.path.split("/", 1)[1])
    for region, paths in sorted(by_region.items()):
        files[f"{region}/kustomization.yaml"] = kustomization(paths)
    return dict(sorted(files.items()))
