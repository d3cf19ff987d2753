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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

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
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (k != "name", str(k)))
        return {k: _ordered(value[k]) for k in keys if value[k] is not None}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def manifest_object(resource: CapturedResource) -> dict[str, Any]:
    """The object as the API server would receive it, in a stable key order, with a name."""
    inputs = normalise(resource.inputs)
    metadata = dict(inputs.get("metadata") or {})
    # The Kubernetes provider would auto-name an object without one; a manifest cannot, so the
    # logical name stands in (the blueprint's own components always set one).
    metadata.setdefault("name", resource.name)
    ordered_meta = {k: _ordered(metadata[k]) for k in METADATA_FIRST if metadata.get(k) is not None}
    ordered_meta.update(
        {k: _ordered(v) for k, v in sorted(metadata.items()) if k not in ordered_meta and v is not None}
    )
    out: dict[str, Any] = {"apiVersion": inputs["apiVersion"], "kind": inputs["kind"], "metadata": ordered_meta}
    for key in sorted(k for k in inputs if k not in TOP_LEVEL):
        if inputs[key] is not None:
            out[key] = _ordered(inputs[key])
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
    """Safe YAML, multi-line strings as block scalars (PromQL, dashboards, broker config)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(obj: Any) -> str:
    """Deterministic YAML text of one object (keys kept in the given order)."""
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 16)


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
    manifests = collect(graph)
    files: dict[str, str] = {}
    by_region: dict[str, list[str]] = {}
    for m in manifests:
        files[m.path] = dump(m.object)
        by_region.setdefault(m.region, []).append(m.path.split("/", 1)[1])
    for region, paths in sorted(by_region.items()):
        files[f"{region}/kustomization.yaml"] = kustomization(paths)
    return dict(sorted(files.items()))
