"""Benchmark: `agentha-blueprint validate` on a spec with many environments (issue 18).

    python bench/validate_environments.py [--counts 100,300,1000]

Writes the support-agent example with N small environment overrides (each `topology: {standby:
pilot-light}`) to a temporary file and times the whole CLI process, `validate` included, once per N.
It prints seconds and peak memory per N and the growth exponent between the smallest and largest N.
Goal: 1,000 environments in ≤ 5 s; growth linear (exponent ≈ 1 once start-up is subtracted).
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spec_with(n: int) -> str:
    base = (ROOT / "examples/support-agent/spec.yaml").read_text(encoding="utf-8")
    head = base.split("\nenvironments:")[0]
    envs = "".join(f"  e{i}:\n    topology: {{standby: pilot-light}}\n" for i in range(n))
    return f"{head}\nenvironments:\n{envs}"


def run(path: Path) -> tuple[float, int, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "agentha-blueprint"), "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        sys.exit(f"validate failed (exit {proc.returncode}):\n{proc.stdout.decode()}{proc.stderr.decode()}")
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before), proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", default="100,300,1000")
    counts = [int(c) for c in ap.parse_args().counts.split(",")]
    startup, _, _ = run(ROOT / "examples/support-agent/spec.yaml")
    print(f"validate of the example as written (start-up floor): {startup:.2f} s")
    times = {}
    with tempfile.TemporaryDirectory() as d:
        for n in counts:
            path = Path(d) / f"envs-{n}.yaml"
            path.write_text(spec_with(n), encoding="utf-8")
            seconds, peak_kib, code = run(path)
            times[n] = seconds
            print(f"{n:>6} environments: {seconds:6.2f} s  peak RSS ≤ {peak_kib / 1024:.0f} MiB  exit {code}")
    lo, hi = min(counts), max(counts)
    if lo != hi and times[hi] > startup and times[lo] > startup:
        k = math.log((times[hi] - startup) / (times[lo] - startup)) / math.log(hi / lo)
        print(f"growth exponent {lo}→{hi} (start-up subtracted): {k:.2f}")


if __name__ == "__main__":
    main()
