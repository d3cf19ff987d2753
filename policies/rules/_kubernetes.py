"""Reading Kubernetes workloads: pod templates, containers, selectors (shared by the Kubernetes rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from policies.resources import Subject, get, items, mapping

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout"
WORKLOADS = (DEPLOYMENT, STATEFUL_SET, ROLLOUT)
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def pod_spec(props: Any) -> Any:
    return get(props, "spec", "template", "spec")


def pod_labels(props: Any) -> dict[str, Any]:
    return mapping(get(props, "spec", "template", "metadata", "labels"))


def containers(props: Any, *, init: bool = True) -> list[Any]:
    spec = pod_spec(props)
    found = items(get(spec, "containers"))
    if init:
        found += items(get(spec, "initContainers"))
    return found


def namespace(subject: Subject) -> str | None:
    value = get(subject.props, "metadata", "namespace")
    return value if isinstance(value, str) else None


def selecting(objects: Iterable[Subject], workload: Subject, *selector: str) -> list[Subject]:
    """The `objects` in the workload's namespace and region whose label selector (the field at the
    path `selector`, e.g. spec.podSelector) selects its pods."""
    labels = pod_labels(workload.props)
    return [
        o
        for o in objects
        if namespace(o) == namespace(workload)
        and o.region == workload.region
        and selects(get(o.props, *selector), labels)
    ]


def selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    """Does a LabelSelector (matchLabels and matchExpressions) select pods with `labels`?"""
    match = mapping(get(selector, "matchLabels"))
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for expr in items(get(selector, "matchExpressions")):
        key, op = get(expr, "key"), get(expr, "operator")
        values = [v for v in items(get(expr, "values")) if isinstance(v, str)]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
