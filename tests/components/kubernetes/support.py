"""Shared by the Kubernetes tests: syntheses of examples and pattern variants, the operators' CRD
schemas from ../shared/crds, and a small evaluator of Fairwinds Polaris's checks from ../shared/polaris.

Nothing from ../shared is copied into the repository: it is read in place (tests skip, saying why,
on a machine without it).
"""

from __future__ import annotations

import copy
import hashlib
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES, ROOT, shared_path

KUBE_EXAMPLE = EXAMPLES / "research-agent" / "spec.yaml"
LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- syntheses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A synthesized spec: its plan, its graph and its rendered objects."""

    name: str
    spec: Any
    synthesis: Any

    @property
    def plan(self) -> Any:
        return self.synthesis.plan

    @property
    def graph(self) -> Any:
        return self.synthesis.graph

    @cached_property
    def objects(self) -> list[Any]:
        from stacks.manifests import collect

        return collect(self.graph)


def kubernetes_examples() -> list[Path]:
    out = []
    for path in sorted(EXAMPLES.glob("*/spec.yaml")):
        if path.parent.name == "invalid":
            continue
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("target") == "kubernetes":
            out.append(path)
    return out


_WORK = Path(tempfile.mkdtemp(prefix="agentha-k8s-specs-"))


def spec_file(text: str) -> Path:
    """A temporary spec file holding `text` (one per distinct text)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = _WORK / digest / "spec.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


@cache
def synth_path(path: Path, environment: str | None = None) -> Any:
    """Synthesize a spec file once per session (examples through tests.conftest's cache)."""
    from stacks.synth import synth

    if path.is_relative_to(EXAMPLES):
        from tests.conftest import synthesized

        return synthesized(str(path.relative_to(ROOT)), environment)
    return synth(path, environment)


def load_spec(path: Path, environment: str | None = None) -> Any:
    from blueprints.spec.loader import load_spec as load

    return load(path, environment).spec


def _base() -> dict[str, Any]:
    return yaml.safe_load(KUBE_EXAMPLE.read_text(encoding="utf-8"))


def _regions(*specs: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {"name": name, "role": role, "zones": [f"{name}-{c}" for c in "abc"[:zones]]} for name, role, zones in specs
    ]


def variant(name: str) -> dict[str, Any]:
    """The Kubernetes example changed to one pattern (or rollout), as spec data."""
    spec = _base()
    spec.pop("environments", None)
    spec["metadata"]["name"] = f"v-{name}"
    topo = spec["topology"]
    if name == "single-zone":
        topo["pattern"] = "single-zone"
        topo["regions"] = _regions(("europe-west4", "primary", 1))
        spec["objectives"]["disruptions"].pop("zone", None)
    elif name.startswith("active-passive-"):
        topo["pattern"] = "active-passive"
        topo["standby"] = name.removeprefix("active-passive-")
        topo["regions"] = _regions(("europe-west4", "primary", 3), ("us-central1", "standby", 3))
        spec["objectives"]["disruptions"]["region"] = {"rto": "30m", "rpo": "5m"}
        spec["chaos"]["drills"] = ["zone-outage", "region-outage", "agent-crash", "store-failover"]
    elif name == "active-active":
        topo["pattern"] = "active-active"
        topo["regions"] = _regions(("europe-west4", "active", 3), ("us-central1", "active", 3))
        # Kubernetes stores take writes in one region only, so active-active keeps state elsewhere.
        spec["stores"] = []
        for agent in spec["agents"]:
            agent["uses"] = []
            agent.pop("idempotency", None)
        spec["chaos"]["drills"] = ["zone-outage", "queue-outage", "network-latency", "agent-crash"]
    elif name == "model-gateway":
        specgen().with_model_gateway(spec)
    elif name in ("rolling", "blue-green", "linear"):
        spec["rollout"] = {"strategy": name, "steps": [25, 50, 75, 100] if name == "linear" else [100]}
    elif name != "multi-zone":
        raise ValueError(name)
    return spec


VARIANTS = (
    "single-zone",
    "multi-zone",
    "active-passive-pilot-light",
    "active-passive-warm",
    "active-passive-hot",
    "active-active",
    "rolling",
    "blue-green",
    "linear",
    "model-gateway",
)


def variant_text(name: str) -> str:
    return yaml.safe_dump(variant(name), sort_keys=False)


@cache
def case(name: str) -> Case:
    """A named case: `example:<dir>[:<env>]`, `variant:<name>` or `generated`."""
    kind, _, rest = name.partition(":")
    env: str | None = None
    if kind == "example":
        folder, _, env_name = rest.partition(":")
        path, env = EXAMPLES / folder / "spec.yaml", env_name or None
    elif kind == "variant":
        path = spec_file(variant_text(rest))
    elif kind == "generated":
        path = spec_file(specgen().generate(agents=3, stores=2, queues=2, regions=2, target="kubernetes", name="gen"))
    else:
        raise ValueError(name)
    return Case(name, load_spec(path, env), synth_path(path, env))


@cache
def specgen() -> Any:
    """bench/specgen.py (bench/ is a folder of scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("agentha_bench_specgen", ROOT / "bench" / "specgen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_cases() -> list[str]:
    examples = [f"example:{p.parent.name}" for p in kubernetes_examples()]
    examples += [f"example:{p.parent.name}:dev" for p in kubernetes_examples()]
    return examples + [f"variant:{v}" for v in VARIANTS] + ["generated"]


# --- CRD schemas ---------------------------------------------------------------------------------

_GLOBAL_FLAGS = re.compile(r"^(\^?)\(\?([aiLmsux]+)\)")


def tidy_pattern(pattern: str) -> str:
    """Go's RE2 allows `(?i)` after `^`; Python wants global flags first."""
    match = _GLOBAL_FLAGS.match(pattern)
    if match:
        return f"(?{match.group(2)}){match.group(1)}{pattern[match.end() :]}"
    return pattern


def close_schema(node: Any) -> Any:
    """A CRD's openAPIV3Schema as `kubectl apply`'s strict field validation sees it: every object
    schema that lists properties is closed unless it preserves unknown fields; `nullable` admits null."""
    if isinstance(node, list):
        return [close_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: close_schema(v) for k, v in node.items()}
    if (
        "properties" in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
        and "additionalProperties" not in out
    ):
        out["additionalProperties"] = False
    if out.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if isinstance(out.get("pattern"), str):
        out["pattern"] = tidy_pattern(out["pattern"])
    return out


class CrdSchemas:
    """Validators of the custom resources, keyed by (apiVersion, kind), from ../shared/crds."""

    def __init__(self, folder: Path) -> None:
        from jsonschema import Draft7Validator

        self.validators: dict[tuple[str, str], Any] = {}
        self.sources: dict[tuple[str, str], str] = {}
        for path in sorted(folder.glob("*.yaml")):
            for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=LOADER):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                for version in spec["versions"]:
                    if not version.get("served", True):
                        continue
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    schema = close_schema(version["schema"]["openAPIV3Schema"])
                    self.validators[key] = Draft7Validator(schema)
                    self.sources[key] = path.name

    def errors(self, obj: Mapping[str, Any]) -> list[str]:
        key = (obj["apiVersion"], obj["kind"])
        validator = self.validators.get(key)
        if validator is None:
            return [f"no CRD in ../shared/crds for {key[0]} {key[1]}"]
        return [
            f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
        ]


@cache
def crd_schemas() -> CrdSchemas:
    return CrdSchemas(shared_path("crds"))


@cache
def _built_in_validator(version: str, api_version: str, kind: str) -> Any:
    """kubernetes-validate's strict schema for one kind, compiled once (its `validate()` recompiles
    the schema and its definitions on every call, which dominates a run over many objects)."""
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    schema_version = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{schema_version}-local-strict"
    schema = utils.schema_contents(f"{folder}/{kind.lower()}-{api}.json", version)
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def built_in_errors(obj: Mapping[str, Any], version: str) -> list[str]:
    """Strict validation of a built-in object, as `kubernetes_validate.validate(obj, version, strict=True)`."""
    validator = _built_in_validator(version, str(obj["apiVersion"]), str(obj["kind"]))
    return [f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in validator.iter_errors(obj)]


BUILT_IN_GROUPS = {"", "apps", "autoscaling", "policy", "networking.k8s.io", "scheduling.k8s.io", "batch"}


def is_built_in(obj: Mapping[str, Any]) -> bool:
    api = str(obj["apiVersion"])
    group = api.split("/")[0] if "/" in api else ""
    return group in BUILT_IN_GROUPS


# --- Polaris -------------------------------------------------------------------------------------


def _tidy_polaris(node: Any) -> Any:
    if isinstance(node, list):
        return [_tidy_polaris(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "required" and not value:
            continue  # Polaris leaves `required:` empty in places; JSON Schema wants a list
        if key == "pattern" and isinstance(value, str):
            out[key] = tidy_pattern(value)
            continue
        out[key] = _tidy_polaris(value)
    return out


@dataclass(frozen=True)
class PolarisCheck:
    id: str
    target: str
    severity: str
    schema: dict[str, Any] | None
    schema_target: str | None
    controllers_include: tuple[str, ...] = ()
    controllers_exclude: tuple[str, ...] = ()
    templated: bool = False


@dataclass
class Finding:
    check: str
    severity: str
    subject: str
    detail: str = ""


@cache
def polaris_checks() -> dict[str, PolarisCheck]:
    folder = shared_path("polaris")
    severities = yaml.safe_load((folder / "default.yaml").read_text(encoding="utf-8"))["checks"]
    out: dict[str, PolarisCheck] = {}
    for check_id, severity in severities.items():
        path = folder / "checks" / f"{check_id}.yaml"
        if not path.exists() or severity == "ignore":
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        schema = raw.get("schema")
        text = raw.get("schemaString")
        templated = bool(raw.get("additionalSchemaStrings")) or (text is not None and "{{" in text)
        if schema is not None and "{{" in yaml.safe_dump(schema):
            templated = True
        if schema is None and text is not None and "{{" not in text:
            schema = yaml.safe_load(text)
        out[check_id] = PolarisCheck(
            id=check_id,
            target=raw["target"],
            severity=severity,
            schema=_tidy_polaris(schema) if schema is not None and not templated else None,
            schema_target=raw.get("schemaTarget"),
            controllers_include=tuple((raw.get("controllers") or {}).get("include") or ()),
            controllers_exclude=tuple((raw.get("controllers") or {}).get("exclude") or ()),
            templated=templated or schema is None,
        )
    return out


def _valid(schema: dict[str, Any], value: Any) -> bool:
    from jsonschema import Draft201909Validator

    return Draft201909Validator(schema).is_valid(value)


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A label selector's meaning: null (absent) selects nothing, empty (`{}`) selects every pod."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values):
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout")


def subject(obj: Mapping[str, Any]) -> str:
    """`<region>:<kind>/<name>` (the same name recurs in every region's cluster)."""
    region = (obj["metadata"].get("annotations") or {}).get("agentha.dev/region", "")
    return f"{region}:{obj['kind']}/{obj['metadata']['name']}"


def _hardened(container: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    """linuxHardening by its meaning: seccomp (not Unconfined), SELinux options, or dropped capabilities."""
    csc, psc = container.get("securityContext") or {}, pod.get("securityContext") or {}
    seccomp = (csc.get("seccompProfile") or {}).get("type") or (psc.get("seccompProfile") or {}).get("type")
    if seccomp and seccomp != "Unconfined":
        return True
    if csc.get("seLinuxOptions") or psc.get("seLinuxOptions"):
        return True
    caps = csc.get("capabilities") or {}
    return bool(caps.get("drop")) and not any(str(a).upper() == "ALL" for a in caps.get("add") or [])


def polaris(objects: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Run every Polaris check that applies to the objects; return the failures.

    Plain-schema checks run as JSON Schema (2019-09) on their target; checks that relate two objects
    through Go templates run by their meaning (stated in each branch below).
    """
    objs = list(objects)
    checks = polaris_checks()
    findings: list[Finding] = []

    def fail(check: PolarisCheck, subject: str, detail: str = "") -> None:
        findings.append(Finding(check.id, check.severity, subject, detail))

    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for obj in objs:
        by_kind.setdefault(obj["kind"], []).append(obj)
    workloads = [o for o in objs if o["kind"] in WORKLOAD_KINDS]

    for check in checks.values():
        if check.templated:
            continue
        assert check.schema is not None
        target = check.target
        if target in ("Container", "PodSpec", "PodTemplate", "Controller"):
            for w in workloads:
                kind = w["kind"]
                if check.controllers_include and kind not in check.controllers_include and kind != "Rollout":
                    continue
                if kind in check.controllers_exclude:
                    continue
                name = subject(w)
                template = w["spec"]["template"]
                pod = template["spec"]
                if target == "Controller":
                    if not _valid(check.schema, w):
                        fail(check, name)
                elif target == "PodTemplate":
                    if not _valid(check.schema, template):
                        fail(check, name)
                elif target == "PodSpec" or check.schema_target == "PodSpec":
                    if not _valid(check.schema, pod):
                        fail(check, name)
                else:
                    for c in pod.get("containers") or []:
                        if not _valid(check.schema, c):
                            fail(check, f"{name}/{c['name']}")
        else:
            group, _, kind = target.rpartition("/")
            for obj in by_kind.get(kind, []):
                api = str(obj["apiVersion"])
                if (api.split("/")[0] if "/" in api else "") != group:
                    continue
                if not _valid(check.schema, obj):
                    fail(check, subject(obj))

    # --- the templated checks, by meaning ---
    def same_ns(obj: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
        return obj["metadata"].get("namespace") == other["metadata"].get("namespace")

    for w in workloads:
        name = subject(w)
        template = w["spec"]["template"]
        labels = template.get("metadata", {}).get("labels") or {}
        pod = template["spec"]
        # metadataAndInstanceMismatched: the instance label equals the controller's name.
        if (w["metadata"].get("labels") or {}).get("app.kubernetes.io/instance") != w["metadata"]["name"]:
            fail(checks["metadataAndInstanceMismatched"], name)
        # missingPodDisruptionBudget: a PDB in the namespace selects the pods.
        pdbs = [
            p
            for p in by_kind.get("PodDisruptionBudget", [])
            if same_ns(p, w) and selects(p["spec"].get("selector"), labels)
        ]
        if not pdbs:
            fail(checks["missingPodDisruptionBudget"], name)
        # missingNetworkPolicy: a NetworkPolicy selects the pods and governs both Ingress and Egress.
        policies = [
            n
            for n in by_kind.get("NetworkPolicy", [])
            if same_ns(n, w)
            and selects(n["spec"].get("podSelector"), labels)
            and {"Ingress", "Egress"} <= {t.capitalize() for t in n["spec"].get("policyTypes") or []}
        ]
        if not policies:
            fail(checks["missingNetworkPolicy"], name)
        # automountServiceAccountToken: no token in the pod, by the pod's or the account's setting.
        if pod.get("automountServiceAccountToken") is not False:
            account = next(
                (
                    s
                    for s in by_kind.get("ServiceAccount", [])
                    if same_ns(s, w) and s["metadata"]["name"] == pod.get("serviceAccountName", "default")
                ),
                None,
            )
            if account is None or account.get("automountServiceAccountToken") is not False:
                fail(checks["automountServiceAccountToken"], name)
        # linuxHardening: per container.
        for c in pod.get("containers") or []:
            if not _hardened(c, pod):
                fail(checks["linuxHardening"], f"{name}/{c['name']}")
        # pdbMinAvailableGreaterThanHPAMinReplicas: the budget never demands more than the autoscaler's floor.
        scalers = [
            h
            for h in by_kind.get("HorizontalPodAutoscaler", []) + by_kind.get("ScaledObject", [])
            if same_ns(h, w) and (h["spec"].get("scaleTargetRef") or {}).get("name") == w["metadata"]["name"]
        ]
        for pdb in pdbs:
            floor = pdb["spec"].get("minAvailable")
            for scaler in scalers:
                low = scaler["spec"].get("minReplicas", scaler["spec"].get("minReplicaCount"))
                if isinstance(floor, int) and isinstance(low, int) and floor > low:
                    fail(checks["pdbMinAvailableGreaterThanHPAMinReplicas"], name, f"{floor} > {low}")
    # hpaMaxAvailability: maxReplicas above minReplicas.
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        low, high = hpa["spec"].get("minReplicas"), hpa["spec"].get("maxReplicas")
        if low is not None and not high > low:
            fail(checks["hpaMaxAvailability"], subject(hpa))
    return findings


# --- small helpers -------------------------------------------------------------------------------


@dataclass
class Index:
    """Objects of one graph by region, kind and name."""

    objects: list[Any] = field(default_factory=list)

    def of(self, kind: str, region: str | None = None) -> list[dict[str, Any]]:
        return [m.object for m in self.objects if m.object["kind"] == kind and (region is None or m.region == region)]

    def named(self, kind: str, name: str, region: str | None = None) -> dict[str, Any]:
        found = [o for o in self.of(kind, region) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"{len(found)} {kind} named {name}"
        return copy.deepcopy(found[0])


def index(c: Case) -> Index:
    return Index(c.objects)
