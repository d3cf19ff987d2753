"""What every Kubernetes object of the blueprint shares: its region scope, labels, names, options.

Not a component: the small pure helpers the components use so that every object carries an
explicit `metadata.name`, its namespace (cluster-scoped kinds excepted), the recommended
`app.kubernetes.io/*` labels, the spec's tags as labels, the spec path it comes from, its region,
and goes through its region's provider.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from blueprints.plan import naming

if TYPE_CHECKING:
    import pulumi
    from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

MANAGED_BY = "agentha-blueprint"
SPEC_PATH = "agentha.dev/spec-path"
"""Annotation: where in the HA spec an object comes from (`agents.planner`, `stores.findings`)."""
REGION = "agentha.dev/region"
"""Annotation: the region (cluster) an object belongs to; manifest export groups by it."""
OWNER = "agentha.dev/owner"
STATEFUL_ANNOTATIONS: dict[str, str] = {
    # GitOps tools must never prune what holds data: the manifest export has no `protect` option,
    # so stateful objects say it in the annotations Argo CD and Flux read.
    "argocd.argoproj.io/sync-options": "Delete=false,Prune=false",
    "kustomize.toolkit.fluxcd.io/prune": "disabled",
}
OPERATOR_NAME_LIMIT = 40
"""Operator-managed objects derive longer names (`<name>-server-0`, `<name>-1-initdb-<hash>`)."""
STATEFUL_PRIORITY = 1_000_000
"""PriorityClass value of the system's stores and broker (CloudNativePG, RabbitMQ, Redis pods).

Above every agent's (at most 100,000, `agent_workload.priority_value`): agents preempt with
`PreemptLowerPriority`, and a store or broker pod pending after a zone loss must never be the one
preempted, nor be kept out by the agents that depend on it. Far below the system classes
(`system-cluster-critical` is 2,000,000,000)."""


def stateful_priority_class(system: str) -> str:
    """Name of the stateful pods' PriorityClass. A dot keeps it apart from the agents' `<system>-<agent>`
    classes (agent names have none), so no agent name can take it."""
    return naming.fit(f"{system}.stateful", 253)


_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def _clean(text: str) -> str:
    """Label-name syntax: [A-Za-z0-9] at both ends, [-_.A-Za-z0-9] inside, at most 63 characters."""
    cleaned = _LABEL_BAD.sub("-", text).strip("-_.")
    if len(cleaned) > 63:
        digest = hashlib.sha256(text.encode()).hexdigest()[:6]
        cleaned = f"{cleaned[:56].rstrip('-_.')}-{digest}"
    return cleaned


def label_value(text: str) -> str:
    """A label value: empty or label-name syntax; anything else is replaced, long values end in a hash."""
    return "" if not text else _clean(text)


def label_key(text: str) -> str | None:
    """A label key (`[prefix/]name`), or None when nothing usable is left."""
    prefix, _, name = text.rpartition("/")
    name = _clean(name)
    if not name:
        return None
    if prefix:
        prefix = re.sub(r"[^a-z0-9.-]+", "-", prefix.lower()).strip("-.")
        if not prefix or len(prefix) > 253 or not _LABEL_PREFIX.match(prefix):
            return name
        return f"{prefix}/{name}"
    return name


def tag_labels(tags: Sequence[tuple[str, str]], owner: str | None) -> tuple[tuple[str, str], ...]:
    """The spec's tags (and owner) as labels; keys the blueprint sets itself are left to it."""
    out: dict[str, str] = {}
    for key, value in tags:
        k = label_key(key)
        if k is None or k.startswith("app.kubernetes.io/") or k.startswith("agentha.dev/"):
            continue
        out[k] = label_value(value)
    if owner:
        out[OWNER] = label_value(owner)
    return tuple(sorted(out.items()))


def is_label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return bool(_LABEL_NAME.match(name)) and len(name) <= 63 and (not prefix or bool(_LABEL_PREFIX.match(prefix)))


def is_label_value(value: str) -> bool:
    return value == "" or (len(value) <= 63 and bool(_LABEL_NAME.match(value)))


def env_name(name: str) -> str:
    """`llm-api-key` -> `LLM_API_KEY` (a C identifier, as env var names should be)."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()
    return f"_{text}" if text[:1].isdigit() else text


def cpu_quantity(vcpu: float) -> str:
    """vCPU as a Kubernetes quantity in millicores (`0.5` -> `500m`)."""
    return f"{round(vcpu * 1000)}m"


def memory_quantity(mib: int) -> str:
    """MiB as a Kubernetes quantity (`2048` -> `2Gi`, `1536` -> `1536Mi`)."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def object_name(*parts: str | None, limit: int = 63) -> str:
    """A DNS-1123 object name from parts, fitted to `limit` (63: also valid as a Service name)."""
    return naming.fit(naming.join(*parts), limit)


@dataclass(frozen=True)
class RegionScope:
    """One region's cluster: where its objects go and what they all carry."""

    system: str
    region: str
    namespace: str
    provider: pulumi.ProviderResource
    tag_labels: tuple[tuple[str, str], ...] = ()
    depends_on: tuple[pulumi.Resource, ...] = field(default=())
    """Resources every namespaced object waits for (the namespace)."""

    def labels(self, *, name: str, instance: str, component: str) -> dict[str, str]:
        """Recommended labels (`app.kubernetes.io/*`) over the spec's tags."""
        out = dict(self.tag_labels)
        out.update(
            {
                "app.kubernetes.io/name": label_value(name),
                "app.kubernetes.io/instance": label_value(instance),
                "app.kubernetes.io/part-of": label_value(self.system),
                "app.kubernetes.io/component": component,
                "app.kubernetes.io/managed-by": MANAGED_BY,
            }
        )
        return out

    def metadata(
        self,
        name: str,
        *,
        labels: Mapping[str, str],
        spec_path: str,
        namespaced: bool = True,
        annotations: Mapping[str, str] | None = None,
    ) -> ObjectMetaArgs:
        from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

        notes = {SPEC_PATH: spec_path, REGION: self.region}
        if annotations:
            notes.update(annotations)
        return ObjectMetaArgs(
            name=name,
            namespace=self.namespace if namespaced else None,
            labels=dict(labels),
            annotations=notes,
        )

    def opts(self, parent: pulumi.Resource, *, namespaced: bool = True, **extra: Any) -> pulumi.ResourceOptions:
        """Options of a child: its parent and, explicitly, this region's provider."""
        import pulumi

        depends = list(self.depends_on) if namespaced else []
        depends += list(extra.pop("depends_on", None) or [])
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, depends_on=depends or None, **extra)

    def resource_name(self, *parts: str | None) -> str:
        """Logical (Pulumi) name: unique across regions, since URNs do not carry the parent's name."""
        return naming.resource(self.system, naming.join(*parts), None, self.region)


def custom_resource(
    resource_name: str,
    *,
    api_version: str,
    kind: str,
    metadata: ObjectMetaArgs,
    spec: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
) -> pulumi.CustomResource:
    """An operator's custom resource (its spec is untyped in the SDK; tests check it against the CRD)."""
    from pulumi_kubernetes.apiextensions import CustomResource

    return CustomResource(
        resource_name, api_version=api_version, kind=kind, metadata=metadata, spec=dict(spec), opts=opts
    )


def plain(value: Any) -> Any:
    """Typed SDK input objects as plain camelCase data (a Rollout embeds the same pod template).

    Uses the SDK's own serialisation names (`input_type_to_dict`), so the keys are exactly those a
    Deployment's template is sent with.
    """
    from pulumi import _types

    if _types.is_input_type(type(value)):
        return {k: plain(v) for k, v in _types.input_type_to_dict(value).items() if v is not None}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def regex_escape(name: str) -> str:
    """Escape a DNS-style name for a regex (only `.` and regex metacharacters need it, not `-`)."""
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", name)
