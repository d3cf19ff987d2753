"""The floors our commands are measured against: the same resources, registered by a bare program.

    python bench/floors.py aws-typed|aws-core|kubernetes-typed|kubernetes-core GRAPH.json

GRAPH.json is what `agentha-blueprint synth SPEC --output json` prints. Measured as a whole process
(bench/paired.py, bench/render_kubernetes.py) a floor's CPU time includes reading it — 0.08 s for 2,610
resources, under 1 % of the floor — as well as the interpreter start and every import; bench/synth_aws.py
reads it (`custom_rows`) before its clock starts and times `register` alone. Each floor
registers every custom resource of the graph — type, name, inputs and provider as synth captured
them — under the same mocks and the same capture as synth (`stacks.capture.synthesize`), and exits.
Like synth, a floor lets the registrations made so far finish every `STAGE` resources (synth does
after each stage of the topology: ~14 resources on average at 10,000), so pending registrations never
pile up in either. What a floor does not do: load, validate or plan a spec, build components, wire
Outputs between resources, or print anything. So a command's ratio to its floor is the price of our
layers.

- aws-typed: through pulumi-aws's own classes and typed `*Args` names (what a hand-written Pulumi
  program declaring these resources costs at least).
- aws-core: bare `pulumi.CustomResource(type, name, props)`, without importing pulumi-aws.
- kubernetes-typed: through pulumi-kubernetes' typed built-in kinds and `apiextensions.CustomResource`,
  one `kubernetes.Provider` per region as render makes them.
- kubernetes-core: bare `pulumi.CustomResource` and `pulumi.ProviderResource`.
"""

from __future__ import annotations

import importlib
import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOORS = ("aws-typed", "aws-core", "kubernetes-typed", "kubernetes-core")
K8S_GROUPS = {"": "core", "networking.k8s.io": "networking", "scheduling.k8s.io": "scheduling"}
K8S_TYPED_GROUPS = (
    *("", "apps", "autoscaling", "policy"),
    *("networking.k8s.io", "scheduling.k8s.io", "rbac.authorization.k8s.io"),
)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _revive(value: Any) -> Any:
    """Assets and archives come back from the graph's JSON as what they hold (see stacks/capture.py)."""
    import pulumi

    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ASSETS:
            kind, held = next(iter(value.items()))
            if kind == "assetArchive":
                return pulumi.AssetArchive({k: _revive(v) for k, v in held.items()})
            return getattr(pulumi, ASSETS[kind])(held)
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


ASSETS = {
    "stringAsset": "StringAsset",
    "fileAsset": "FileAsset",
    "remoteAsset": "RemoteAsset",
    "assetArchive": "AssetArchive",
    "fileArchive": "FileArchive",
    "remoteArchive": "RemoteArchive",
}


STAGE = 15
"""Resources registered between two paces (see the module docstring)."""


async def _aws_program(rows: list[dict[str, Any]], typed: bool) -> None:
    import pulumi

    from stacks.capture import let_registrations_finish

    classes: dict[str, tuple[Any, dict[str, str]]] = {}
    for i, r in enumerate(rows):
        if i % STAGE == STAGE - 1:
            await let_registrations_finish()
        if r["type"].startswith("pulumi:providers:"):
            continue
        if not typed:
            pulumi.CustomResource(r["type"], r["name"], dict(r["inputs"]))
            continue
        if r["type"] not in classes:
            package = r["type"].split(":")[1].split("/")[0]
            module = importlib.import_module("pulumi_aws." + package + ("_" if keyword.iskeyword(package) else ""))
            cls_name = r["type"].split(":")[2]
            names = pulumi._types.input_type_py_to_pulumi_names(getattr(module, cls_name + "Args"))
            classes[r["type"]] = (getattr(module, cls_name), {v: k for k, v in names.items()})
        cls, py = classes[r["type"]]
        # Inputs the map leaves out (`bucket`, `versioningConfiguration`) take the SDK's snake_case name.
        cls(r["name"], **{py.get(k) or _snake(k): v for k, v in r["inputs"].items()})


async def _kubernetes_program(rows: list[dict[str, Any]], typed: bool) -> None:
    import pulumi

    from stacks.capture import let_registrations_finish

    providers: dict[str, Any] = {}
    for r in rows:
        if r["type"].startswith("pulumi:providers:"):
            if typed:
                import pulumi_kubernetes as k8s

                providers[r["urn"]] = k8s.Provider(r["name"], **{_snake(k): v for k, v in r["inputs"].items()})
            else:
                providers[r["urn"]] = pulumi.ProviderResource("kubernetes", r["name"], dict(r["inputs"]))
    for i, r in enumerate(rows):
        if i % STAGE == STAGE - 1:
            await let_registrations_finish()
        if r["type"].startswith("pulumi:providers:"):
            continue
        opts = pulumi.ResourceOptions(provider=providers.get(r.get("provider") or ""))
        if not typed:
            pulumi.CustomResource(r["type"], r["name"], dict(r["inputs"]), opts)
            continue
        inputs = dict(r["inputs"])
        api, kind = inputs.pop("apiVersion"), inputs.pop("kind")
        group, _, version = api.rpartition("/")
        if group in K8S_TYPED_GROUPS:
            package = K8S_GROUPS.get(group, group.split(".")[0])
            module = importlib.import_module(f"pulumi_kubernetes.{package}.{version}")
            getattr(module, kind)(r["name"], opts=opts, **{_snake(k): v for k, v in inputs.items()})
        else:
            from pulumi_kubernetes.apiextensions import CustomResource

            extra = {k: v for k, v in inputs.items() if k != "metadata"}
            CustomResource(r["name"], api_version=api, kind=kind, metadata=inputs.get("metadata"), opts=opts, **extra)


def custom_rows(graph_file: str | Path) -> list[dict[str, Any]]:
    """The custom resources of a `synth --output json` graph, in registration order."""
    return [r for r in json.loads(Path(graph_file).read_text())["resources"] if r["custom"]]


def register(floor: str, rows: list[dict[str, Any]]) -> Any:
    """Register `rows` as the floor `floor` does, under synth's mocks and capture; the captured graph."""
    if floor not in FLOORS:
        raise SystemExit(f"unknown floor {floor!r}: one of {', '.join(FLOORS)}")
    from stacks.capture import synthesize

    rows = [{**r, "inputs": _revive(r["inputs"])} for r in rows]
    target, kind = floor.split("-")
    program = _aws_program if target == "aws" else _kubernetes_program
    graph = synthesize(lambda: program(rows, kind == "typed"), project="floor", stack="bench")
    # The aws floor registers no providers (its resources carry region= inputs); kubernetes registers them all.
    expected = sum(1 for r in rows if target != "aws" or not r["type"].startswith("pulumi:providers:"))
    if len(graph) < expected:
        raise SystemExit(f"{floor}: registered {len(graph)} of {expected} resources")
    return graph


def main(argv: list[str]) -> int:
    floor, graph_file = argv
    register(floor, custom_rows(graph_file))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
