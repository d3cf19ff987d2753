"""Benchmark `render` (Kubernetes) against the bare Pulumi SDK floor, each in a fresh process.

    python bench/render_kubernetes.py [--repeat 3] [--agents 20 --stores 10 --queues 10 --regions 3]

Cases: the Kubernetes example (examples/research-agent, env prod), a large generated spec
(bench/specgen.py --target kubernetes) and its double. For each case:

- render: a fresh interpreter runs what `agentha-blueprint render` runs — load and validate the spec,
  plan, run the stack program under the SDK's mocks, turn the captured graph into YAML, write the files.
- core floor (`bench/floors.py kubernetes-core`, as bench/paired.py runs it): a fresh interpreter
  registers the very same custom resources (same types, names, inputs, one Kubernetes provider per
  region) directly as plain `pulumi.CustomResource`s under the same mocks: what the SDK costs with
  none of our layers (no spec, plan, components, typed args, YAML).
- typed floor (`bench/floors.py kubernetes-typed`): the same objects registered through
  pulumi-kubernetes' own classes (the typed built-in kinds, `apiextensions.CustomResource` for the
  operators' kinds), still without components, spec, plan or YAML: what a hand-written
  pulumi-kubernetes program declaring them would cost.

Prints wall time (best of --repeat runs: on a shared machine interference only adds time), the
render/floor ratio, peak RSS and how both grow from the large spec to its double.
Goals: ratio ≤ 1.5, growth about 2× for 2× the resources.
Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "research-agent" / "spec.yaml"

RENDER_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from stacks.synth import synth
from stacks.manifests import render
from cli.files import write_files
spec, env, out, graph_out = sys.argv[1], sys.argv[2] or None, Path(sys.argv[3]), sys.argv[4]
result = synth(spec, env)
t1 = time.perf_counter()
files = render(result.graph)
t2 = time.perf_counter()
write_files({out / rel: text for rel, text in files.items()}, force=True)
t3 = time.perf_counter()
elapsed = t3 - t0
if graph_out:  # what `synth --output json` prints: the floors' input
    Path(graph_out).write_text(result.graph.dumps())
print(json.dumps({"seconds": elapsed, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "resources": len(result.graph), "files": len(files),
                  "synth": t1 - t0, "yaml": t2 - t1, "write": t3 - t2}))
"""


def child(argv: list[str]) -> dict:
    """Run one fresh process to completion: its CPU time (user + system) and peak RSS from wait4, its
    wall time, and the JSON of its last stdout line when it prints one (render does; floors do not)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(argv)}\n{stderr[-3000:]}")
    lines = stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    result.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kb=usage.ru_maxrss)
    return result


def render_child(*args: str) -> list[str]:
    return [sys.executable, "-c", RENDER_CHILD, *args]


def floor_child(name: str, graph_file: Path) -> list[str]:
    """bench/floors.py: the same floor processes as bench/paired.py."""
    return [sys.executable, str(ROOT / "bench" / "floors.py"), name, str(graph_file)]


def measure(spec: Path, env: str, repeat: int, work: Path) -> dict:
    graph_file = work / f"{spec.parent.name}-{env or 'base'}.graph.json"
    renders = [
        child(render_child(str(spec), env, str(work / f"out-{i}"), str(graph_file) if i == 0 else ""))
        for i in range(repeat)
    ]
    floors = [child(floor_child("kubernetes-core", graph_file)) for _ in range(repeat)]
    typed = [child(floor_child("kubernetes-typed", graph_file)) for _ in range(repeat)]
    return {
        "render_wall": min(r["wall"] for r in renders),
        "write": min(r["write"] for r in renders),
        "yaml": min(r["yaml"] for r in renders),
        "render_work": min(r["seconds"] for r in renders),
        "render_cpu": min(r["cpu"] for r in renders),
        "floor_cpu": min(f["cpu"] for f in floors),
        "render_rss_mb": max(r["rss_kb"] for r in renders) / 1024,
        "floor_wall": min(f["wall"] for f in floors),
        "floor_rss_mb": max(f["rss_kb"] for f in floors) / 1024,
        "typed_wall": min(t["wall"] for t in typed),
        "typed_cpu": min(t["cpu"] for t in typed),
        "typed_rss_mb": max(t["rss_kb"] for t in typed) / 1024,
        "resources": renders[0]["resources"],
        "files": renders[0]["files"],
    }


def generated(work: Path, name: str, **sizes: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from specgen import generate  # type: ignore[import-not-found]

    path = work / name / "spec.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate(target="kubernetes", name=name, **sizes), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    for flag, default in (("agents", 20), ("stores", 10), ("queues", 10), ("regions", 3)):
        parser.add_argument(f"--{flag}", type=int, default=default)
    args = parser.parse_args(argv)
    sizes = {"agents": args.agents, "stores": args.stores, "queues": args.queues, "regions": args.regions}
    double = {k: (v * 2 if k != "regions" else v) for k, v in sizes.items()}
    with tempfile.TemporaryDirectory(prefix="agentha-bench-k8s-") as tmp:
        work = Path(tmp)

        def label(s: dict[str, int]) -> str:
            return "generated " + "/".join(str(s[k]) for k in ("agents", "stores", "queues", "regions"))

        cases = [
            ("research-agent (example, prod)", EXAMPLE, "prod"),
            (label(sizes), generated(work, "large", **sizes), ""),
            (label(double), generated(work, "double", **double), ""),
        ]
        rows = []
        for label, spec, env in cases:
            rows.append((label, measure(spec, env, args.repeat, work)))
    header = (
        f"{'case':<30} {'resources':>9} {'files':>5} {'render':>12} {'yaml':>5} {'write':>5} {'typed floor':>12} "
        f"{'core floor':>12} {'/typed':>6} {'/core':>6} {'MB render/typed/core':>20}"
    )
    print(header)
    print("-" * len(header))
    for label, m in rows:
        print(
            f"{label:<30} {m['resources']:>9} {m['files']:>5} "
            f"{m['render_cpu']:>5.2f} ({m['render_wall']:>4.2f}) {m['yaml']:>5.2f} {m['write']:>5.2f} "
            f"{m['typed_cpu']:>5.2f} ({m['typed_wall']:>4.2f}) {m['floor_cpu']:>5.2f} ({m['floor_wall']:>4.2f}) "
            f"{m['render_cpu'] / m['typed_cpu']:>6.2f} {m['render_cpu'] / m['floor_cpu']:>6.2f} "
            f"{m['render_rss_mb']:>8.0f}/{m['typed_rss_mb']:.0f}/{m['floor_rss_mb']:.0f}"
        )
    (_, large), (_, big) = rows[1], rows[2]
    print()
    print(
        f"growth large -> double: resources x{big['resources'] / large['resources']:.2f}, "
        f"render x{big['render_wall'] / large['render_wall']:.2f} "
        f"(cpu x{big['render_cpu'] / large['render_cpu']:.2f}), "
        f"typed floor cpu x{big['typed_cpu'] / large['typed_cpu']:.2f}, "
        f"core floor x{big['floor_wall'] / large['floor_wall']:.2f} (cpu x{big['floor_cpu'] / large['floor_cpu']:.2f})"
    )
    print("render, floors: CPU seconds (wall seconds) of a fresh process, best of --repeat; interpreter start and")
    print("imports included. Ratios use CPU time (a busy shared machine inflates wall time unevenly).")
    print("typed floor: the same objects through pulumi-kubernetes' classes (typed built-ins, apiextensions")
    print("CustomResource), no components; core floor: bare pulumi.CustomResource without pulumi-kubernetes.")
    print("generated a/s/q/r = agents/stores/queues/regions; write = staging every file, one os.sync(), then renames.")


if __name__ == "__main__":
    main()
