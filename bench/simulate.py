"""Benchmark: `agentha-blueprint simulate` over a long horizon, wall time and peak memory.

    python bench/simulate.py [--hours 1e8] [--runs 5] [--markdown]

Runs the installed console script as a user would (`simulate examples/support-agent/spec.yaml
--env prod --hours 1e8 -o json`), each run a fresh process, and reports per run the wall time (process
start to exit: interpreter, imports, load, plan, simulation, output) and the child's peak resident
set size (`ru_maxrss` of the waited child). Goal on the 2-core benchmark machine: ≤ 5 s and ≤ 500 MB
for 10^8 simulated hours. Also prints, in-process, the time of the simulation alone (without start-up,
load and plan) for the three examples. `--markdown` prints the table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_S = 5.0
GOAL_MB = 500.0
EXAMPLES = (("support-agent", "prod"), ("order-routing", "prod"), ("research-agent", "prod"))


def script() -> str:
    beside = Path(sys.executable).with_name("agentha-blueprint")
    found = str(beside) if beside.exists() else shutil.which("agentha-blueprint")
    if not found:
        raise SystemExit("agentha-blueprint is not installed: pip install -e . first")
    return found


def fresh_run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, COLUMNS="100"))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports kilobytes


def in_process(hours: float) -> list[tuple[str, float, float, float]]:
    """(example, seconds of the simulation alone, availability, CI half-width) per example."""
    from blueprints.figures import figures
    from blueprints.plan.planner import plan
    from blueprints.plan.simulate import Options, simulate
    from blueprints.spec.loader import load_spec

    rows = []
    for name, env in EXAMPLES:
        loaded = load_spec(ROOT / "examples" / name / "spec.yaml", env)
        spec = loaded.spec
        planned = plan(spec, env)
        figs = figures(spec.assumptions.slas, {k: v.total_seconds() for k, v in spec.assumptions.timings.items()})
        simulate(spec, planned, figs, Options(hours=1e4))  # warm-up: numpy import
        started = time.perf_counter()
        result = simulate(spec, planned, figs, Options(hours=hours))
        rows.append((name, time.perf_counter() - started, result.availability, (result.ci_high - result.ci_low) / 2))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=1e8, help="simulated hours (default 1e8)")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes (at least 3)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for docs/benchmarks.md")
    args = parser.parse_args(argv)
    runs = max(args.runs, 3)
    cmd = [
        script(),
        "simulate",
        str(ROOT / "examples" / "support-agent" / "spec.yaml"),
        "--env",
        "prod",
        "--hours",
        f"{args.hours:g}",
        "-o",
        "json",
    ]
    fresh_run(cmd)  # warm the file cache
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        wall, cpu, peak = fresh_run(cmd)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    rows = in_process(args.hours)
    wall, peak = statistics.median(walls), max(peaks)
    verdict = "within" if wall <= GOAL_S and peak <= GOAL_MB else "OUTSIDE"
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    if args.markdown:
        print(f"Machine: {machine}. `simulate` of support-agent (prod), {args.hours:g} hours, {runs} fresh runs:")
        print()
        print("| measure | median | min | max | goal |")
        print("|---|---|---|---|---|")
        print(
            f"| wall time (fresh process) | {wall:.2f} s | {min(walls):.2f} s | {max(walls):.2f} s | ≤ {GOAL_S:g} s |"
        )
        print(
            f"| CPU time, user + system | {statistics.median(cpus):.2f} s | {min(cpus):.2f} s | {max(cpus):.2f} s | |"
        )
        print(
            f"| peak RSS (fresh process) | {statistics.median(peaks):.0f} MB | {min(peaks):.0f} MB | "
            f"{max(peaks):.0f} MB | ≤ {GOAL_MB:g} MB |"
        )
        print()
        print("The simulation alone, in one process (after load and plan):")
        print()
        print("| example | simulation | availability | 95 % CI ± |")
        print("|---|---|---|---|")
        for name, seconds, a, half in rows:
            print(f"| {name} | {seconds:.2f} s | {a:.5f} % | {half:.5f} pts |")
        return
    print(f"{machine}; simulate support-agent prod, {args.hours:g} hours, {runs} fresh runs")
    print(f"  wall  median {wall:.2f} s  (min {min(walls):.2f}, max {max(walls):.2f})   goal ≤ {GOAL_S:g} s")
    print(f"  CPU   median {statistics.median(cpus):.2f} s (user + system; barely moves with other jobs' load)")
    print(f"  peak RSS max {peak:.0f} MB   goal ≤ {GOAL_MB:g} MB   → {verdict} the goal")
    for name, seconds, a, half in rows:
        print(f"  {name:15s} simulation alone {seconds:.2f} s   availability {a:.5f} % ± {half:.5f}")


if __name__ == "__main__":
    main()
