"""Benchmark: what the model gateway adds to `synth` (aws) and `render` (kubernetes).

    python bench/gateway.py [--repeat 3]

For each target it synthesizes a spec with its model providers (so with the gateway: its workload,
load balancer or Service, network policy, alerts) and the same spec without them (no dependencies,
no gateway), each in a fresh Python process, and prints the median CPU time, the wall time and the
resource counts, so the gateway's share of the cost can be read off (a Markdown table for
docs/benchmarks.md). aws: the support-agent example (prod). kubernetes: the research-agent example
with a model provider and its fallback (the `model-gateway` variant of the Kubernetes tests),
synthesized and its manifests collected as `render` does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.specgen import with_model_gateway  # noqa: E402

CHILD = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from stacks.synth import synth
s = synth(sys.argv[1], sys.argv[2] or None)
count = len(list(s.graph))
objects = None
if sys.argv[3] == "render":
    from stacks.manifests import collect
    objects = len(collect(s.graph))
print(json.dumps({"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0, "resources": count,
                  "objects": objects}))
"""


def _without_dependencies(spec: dict) -> dict:
    spec = dict(spec)
    spec.pop("dependencies", None)
    spec.pop("gateway", None)
    used = {s for a in spec["agents"] for s in a.get("secrets", [])}
    spec["secrets"] = [s for s in spec.get("secrets", []) if s["name"] in used]
    for a in spec["agents"]:
        readiness = (a.get("probes") or {}).get("readiness") or {}
        if "covers" in readiness:
            readiness["covers"] = [c for c in readiness["covers"] if not c.startswith("model-api")]
    return spec


def _without_tracing(spec: dict) -> dict:
    spec = dict(spec)
    spec["observability"] = {**spec["observability"], "tracing": "none"}
    return spec


def _kubernetes_with_gateway() -> dict:
    return with_model_gateway(_kubernetes_without())


def _kubernetes_without() -> dict:
    return yaml.safe_load((ROOT / "examples/research-agent/spec.yaml").read_text(encoding="utf-8"))


def _run(path: Path, env: str | None, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), env or "", mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "AGENTHA_SHARED": str(ROOT.parent / "shared")},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="agentha-bench-gateway-"))
    support = yaml.safe_load((ROOT / "examples/support-agent/spec.yaml").read_text(encoding="utf-8"))
    cases = [
        ("aws synth, support-agent prod", support, "prod", "synth"),
        ("aws synth, support-agent prod, no model providers", _without_dependencies(support), "prod", "synth"),
        # The trace collector sidecars in every task (the provider alarms stay: they need no tracing).
        ("aws synth, support-agent prod, tracing: none", _without_tracing(support), "prod", "synth"),
        ("kubernetes render, research-agent prod + model providers", _kubernetes_with_gateway(), "prod", "render"),
        ("kubernetes render, research-agent prod", _kubernetes_without(), "prod", "render"),
    ]
    print("| case | resources | objects | CPU s (median) | wall s (median) |")
    print("|---|---|---|---|---|")
    for i, (label, spec, env, mode) in enumerate(cases):
        path = folder / f"{i}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        runs = [_run(path, env, mode) for _ in range(args.repeat)]
        cpu = statistics.median(r["cpu"] for r in runs)
        wall = statistics.median(r["wall"] for r in runs)
        objects = runs[0]["objects"] if runs[0]["objects"] is not None else "—"
        print(f"| {label} | {runs[0]['resources']} | {objects} | {cpu:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
