"""Benchmark: cold start of the CLI, each run a fresh process.

    python bench/cli_startup.py [--runs 9] [--markdown]

Runs the installed `agentha-blueprint` console script (as a user would) and times, from process
start to exit, over `--runs` fresh processes each (median, min, max):

- `python -c pass`: the interpreter's own start, the floor under everything else;
- `agentha-blueprint --help` (goal: median ≤ 0.35 s on the 2-core benchmark machine);
- `agentha-blueprint validate` of a generated 50-agent spec (bench/specgen.py: 3 regions × 3
  zones, 50 agents, 10 stores, 10 queues; goal: median ≤ 0.6 s), base spec and every environment;
- `agentha-blueprint plan -o json` of the same spec (no goal; for reference).

One untimed run of each comes first so the file cache is warm for all of them alike. Wall time is
what a user waits; CPU time (user + system of the child) is also printed because it barely moves
when other jobs load the machine. `--markdown` prints the table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOALS = {"--help": 0.35, "validate (50 agents)": 0.6}  # issue 19


def script() -> str:
    beside = Path(sys.executable).with_name("agentha-blueprint")
    found = str(beside) if beside.exists() else shutil.which("agentha-blueprint")
    if not found:
        raise SystemExit("agentha-blueprint is not installed: pip install -e . first")
    return found


def timed(cmd: list[str], runs: int, expect: tuple[int, ...]) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + system of the child) of each fresh run."""
    env = dict(os.environ, COLUMNS="100")
    subprocess.run(cmd, capture_output=True, env=env, check=False)  # warm the file cache
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in expect:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode()[-2000:]}")
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per command (at least 7)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for docs/benchmarks.md")
    args = parser.parse_args(argv)
    runs = max(args.runs, 7)

    from bench.specgen import generate

    cli = script()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec-50.yaml"
        spec.write_text(generate(agents=50), encoding="utf-8")
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], (0,)),
            ("--help", [cli, "--help"], (0,)),
            ("validate (50 agents)", [cli, "validate", str(spec)], (0,)),
            ("plan -o json (50 agents)", [cli, "plan", str(spec), "-o", "json"], (0, 1)),
        ]
        rows = []
        for name, cmd, expect in cases:
            wall, cpu = timed(cmd, runs, expect)
            goal = GOALS.get(name)
            median = statistics.median(wall)
            verdict = "" if goal is None else ("met" if median <= goal else "MISSED")
            rows.append((name, median, min(wall), max(wall), statistics.median(cpu), goal, verdict))

    load = os.getloadavg()[0]
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    if args.markdown:
        print(f"Cold start, a fresh process per run, {runs} runs each ({machine}; load average {load:.1f}).\n")
        print("| command | median wall | min | max | median CPU | goal (median wall) | |")
        print("|---|---:|---:|---:|---:|---|---|")
        for name, median, low, high, cpu, goal, verdict in rows:
            goal_text = f"≤ {goal:g} s" if goal is not None else "—"
            print(f"| `{name}` | {median:.3f} s | {low:.3f} s | {high:.3f} s | {cpu:.3f} s | {goal_text} | {verdict} |")
    else:
        print(f"{runs} fresh processes each; {machine}; load average {load:.1f}")
        for name, median, low, high, cpu, goal, verdict in rows:
            goal_text = f"goal ≤ {goal:g} s: {verdict}" if goal is not None else ""
            print(f"{name:28s} wall median {median:.3f} s  min {low:.3f}  max {high:.3f}  CPU {cpu:.3f} s  {goal_text}")
    if any(r[6] == "MISSED" for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
