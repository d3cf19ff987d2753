"""Benchmark: what the policy rules add on top of `synth`.

    python bench/check.py [--repeat 5] [--markdown]

For each spec — the support-agent example (prod), the research-agent example (Kubernetes, prod) and a
generated large AWS spec (bench/specgen.py defaults: 3 regions × 3 zones, 20 agents, 10 stores,
10 queues) — it measures in one process, alternating, after one warm-up of each:

- synth: `stacks.synth.synth` alone (load, validate, plan, the stack program, capture);
- check: `policies.check.run_check`, i.e. what `agentha-blueprint check` does (config, load, synth,
  then every rule over the graph), with the rules' own time taken inside it.

Each timed run starts after a `gc.collect()`, so neither pays for the other's garbage. It prints
the median of each, the rules' time, and the overhead of check over synth. Goal: the rules
add ≤ 20 % on top of synth.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(spec: Path, environment: str | None, repeat: int) -> dict[str, float]:
    from policies.check import run_check
    from stacks.synth import synth

    synth(spec, environment)  # warm-up: imports, provider SDK modules
    run_check(spec, environment)
    synth_times: list[float] = []
    check_times: list[float] = []
    rule_times: list[float] = []
    resources = violations = 0
    for _ in range(repeat):
        gc.collect()  # each timed run starts without the previous run's garbage
        started = time.perf_counter()
        result = synth(spec, environment)
        synth_times.append(time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        run = run_check(spec, environment)
        check_times.append(time.perf_counter() - started)
        rule_times.append(run.rules_seconds)
        resources, violations = len(result.graph), len(run.report.violations)
    synth_s = statistics.median(synth_times)
    check_s = statistics.median(check_times)
    rules_s = statistics.median(rule_times)
    return {
        "resources": resources,
        "violations": violations,
        "synth": synth_s,
        "check": check_s,
        "rules": rules_s,
        "rules_pct": 100 * rules_s / synth_s,
        "overhead_pct": 100 * (check_s - synth_s) / synth_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)

    from bench.specgen import generate

    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large.yaml"
        large.write_text(generate())
        cases = [
            ("support-agent (prod)", ROOT / "examples/support-agent/spec.yaml", "prod"),
            ("research-agent (prod, kubernetes)", ROOT / "examples/research-agent/spec.yaml", "prod"),
            ("generated large (20 agents, 10 stores, 10 queues, 3 regions)", large, None),
        ]
        rows = [(name, measure(spec, env, args.repeat)) for name, spec, env in cases]
    if args.markdown:
        print("| spec | resources | synth (s) | check (s) | rules (s) | rules / synth | check over synth |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, m in rows:
            print(
                f"| {name} | {m['resources']:.0f} | {m['synth']:.2f} | {m['check']:.2f} | {m['rules']:.3f} | "
                f"{m['rules_pct']:.1f} % | {m['overhead_pct']:+.1f} % |"
            )
    else:
        for name, m in rows:
            print(
                f"{name}: {m['resources']:.0f} resources, synth {m['synth']:.2f} s, check {m['check']:.2f} s, "
                f"rules {m['rules']:.3f} s ({m['rules_pct']:.1f} % of synth), check over synth "
                f"{m['overhead_pct']:+.1f} %, violations {m['violations']:.0f}"
            )
    worst = max(m["rules_pct"] for _, m in rows)
    print(f"goal: rules ≤ 20 % of synth — worst {worst:.1f} % ({'met' if worst <= 20 else 'MISSED'})")


if __name__ == "__main__":
    main()
