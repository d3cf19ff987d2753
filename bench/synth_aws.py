"""Benchmark: `synth` of AWS specs against the bare Pulumi SDK registering the same resources.

    python bench/synth_aws.py [--repeat 3]

For each spec — the support-agent example, a generated large spec (3 regions × 3 zones, 20 agents,
10 stores, 10 queues) and the same doubled — it runs, each in a fresh Python process:

- synth: the real thing (load, validate, plan, the stack program with every component, capture);
- typed floor: `bench/floors.py aws-typed`, the bare SDK registering the very same custom resources
  (type, name and inputs from the synth's captured graph) through pulumi-aws's own resource classes,
  under the same mocks and capture — no components, no planning, no Outputs between resources: what a
  hand-written Pulumi program declaring those resources would cost at least;
- core floor: `bench/floors.py aws-core`, the same resources as plain `pulumi.CustomResource(type,
  name, props)` — without importing pulumi-aws at all, and without its typed output properties.

It prints a Markdown table (for docs/benchmarks.md) of the median CPU time (and wall time) of each,
from the child's first import to the captured graph, the ratios (on CPU time: the machines this
runs on are shared, and CPU time is what the work costs), each child's peak RSS
(`resource.getrusage`), and how the time grows when the spec doubles.
Goals: synth ≤ 1.5 × floor, peak RSS ≤ 600 MB, doubling the spec ≤ 2.2 × the time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
c0 = time.process_time()
mode, spec, graph_file = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "synth":
    from stacks.synth import synth
    result = synth(spec)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    count = len(result.graph)
    with open(graph_file, "w") as out:  # after the clock stops: the floors replay it
        out.write(result.graph.dumps())
else:
    from bench.floors import custom_rows, register  # bench/floors.py: the same floors as bench/paired.py
    rows = custom_rows(graph_file)  # before the clock: the floor's input, not its work
    t0 = time.perf_counter()
    c0 = time.process_time()
    graph = register("aws-typed" if mode == "floor-typed" else "aws-core", rows)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    count = len(graph)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mib": peak_mib, "resources": count}))
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    """Wall time."""
    cpu: float
    """CPU time of the process (all threads): steadier than wall time on a busy machine."""
    peak_mib: float
    resources: int


def run_child(mode: str, spec: Path, graph_file: Path) -> Measurement:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(spec), str(graph_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} of {spec} failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return Measurement(data["seconds"], data["cpu"], data["peak_mib"], data["resources"])


MODES = ("synth", "floor-typed", "floor-core")


def measure(spec: Path, repeat: int, folder: Path) -> dict[str, Measurement]:
    graph_file = folder / f"{spec.stem}.graph.json"
    runs: dict[str, list[Measurement]] = {m: [] for m in MODES}
    for _ in range(repeat):  # interleaved, so drift on the machine hits every mode alike
        for mode in MODES:
            runs[mode].append(run_child(mode, spec, graph_file))
    return {
        mode: Measurement(
            statistics.median(m.seconds for m in ms),
            statistics.median(m.cpu for m in ms),
            max(m.peak_mib for m in ms),
            ms[0].resources,
        )
        for mode, ms in runs.items()
    }


def specs(folder: Path) -> list[tuple[str, Path]]:
    from bench.specgen import generate

    large = folder / "large.yaml"
    large.write_text(generate(agents=20, stores=10, queues=10, regions=3, zones=3, target="aws"))
    doubled = folder / "doubled.yaml"
    doubled.write_text(generate(agents=40, stores=20, queues=20, regions=3, zones=3, target="aws"))
    return [
        ("support-agent example", ROOT / "examples" / "support-agent" / "spec.yaml"),
        ("large (3×3, 20 agents, 10 stores, 10 queues)", large),
        ("doubled (3×3, 40 agents, 20 stores, 20 queues)", doubled),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median time, max RSS)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, dict[str, Measurement]]] = []
    with tempfile.TemporaryDirectory(prefix="agentha-bench-") as tmp:
        folder = Path(tmp)
        for label, spec in specs(folder):
            result = measure(spec, args.repeat, folder)
            rows.append((label, result))
            print(f"measured {label}", file=sys.stderr)
    lines = [
        "| spec | resources | synth CPU s (wall) | typed floor CPU s (wall) | core floor CPU s (wall) "
        "| synth / typed floor | synth / core floor | peak RSS MiB: synth / typed / core |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        synth, typed, core = r["synth"], r["floor-typed"], r["floor-core"]
        lines.append(
            f"| {label} | {synth.resources} | {synth.cpu:.2f} ({synth.seconds:.2f}) | "
            f"{typed.cpu:.2f} ({typed.seconds:.2f}) | {core.cpu:.2f} ({core.seconds:.2f}) | "
            f"{synth.cpu / typed.cpu:.2f}× | {synth.cpu / core.cpu:.2f}× | "
            f"{synth.peak_mib:.0f} / {typed.peak_mib:.0f} / {core.peak_mib:.0f} |"
        )
    large, doubled = rows[1][1], rows[2][1]
    growth = {m: doubled[m].cpu / large[m].cpu for m in MODES}
    lines += [
        "",
        f"Doubling the large spec: {doubled['synth'].resources / large['synth'].resources:.2f}× the resources; "
        f"CPU time × {growth['synth']:.2f} (synth), × {growth['floor-typed']:.2f} (typed floor), "
        f"× {growth['floor-core']:.2f} (core floor).",
    ]
    worst_typed = max(r["synth"].cpu / r["floor-typed"].cpu for _, r in rows)
    worst_core = max(r["synth"].cpu / r["floor-core"].cpu for _, r in rows)
    worst_rss = max(r["synth"].peak_mib for _, r in rows) * 1.048576  # MiB -> MB

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

    lines.append(
        f"Goals: synth ≤ 1.5× floor — {verdict(worst_typed <= 1.5)} against the typed floor (worst "
        f"{worst_typed:.2f}×), {verdict(worst_core <= 1.5)} against the core floor (worst {worst_core:.2f}×); "
        f"peak RSS ≤ 600 MB — {verdict(worst_rss <= 600)} ({worst_rss:.0f} MB); doubling ≤ 2.2× — "
        f"{verdict(growth['synth'] <= 2.2)} ({growth['synth']:.2f}×)."
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
