"""Before/after: one CLI command under two source trees, whole processes, paired.

    python bench/ab.py --rounds 12 /work/main . -- validate spec-50.yaml

Each round runs the command once per tree (`PYTHONPATH=<tree>`, started from a neutral folder so the
current directory cannot shadow the tree), in an order that rotates from round to round, after one
untimed warm-up round. A ratio is taken inside each round (CPU time of the child, user + system, from
`wait4`), and the median (min–max) over the rounds is printed beside each tree's median CPU time:
on a machine shared with other jobs wall time moves with them, CPU time and paired ratios much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def cpu_seconds(tree: Path, args: list[str], cwd: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "100"}
    code = f"import sys; sys.argv = ['agentha-blueprint', *{args!r}]; from cli.main import run; run()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the CLI arguments")
    args = parser.parse_args(argv)
    command = [a if not Path(a).exists() else str(Path(a).resolve()) for a in args.command if a != "--"]
    trees = [args.before.resolve(), args.after.resolve()]
    runs: dict[Path, list[float]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as neutral:
        for r in range(args.rounds + 1):
            order = trees if r % 2 == 0 else trees[::-1]
            for tree in order:
                seconds = cpu_seconds(tree, command, neutral)
                if r:  # round 0 warms the file cache
                    runs[tree].append(seconds)
    before, after = runs[trees[0]], runs[trees[1]]
    ratios = [a / b for a, b in zip(after, before, strict=True)]
    load = os.getloadavg()
    print(f"{' '.join(command)}: {args.rounds} paired rounds, load average {load[0]:.1f} / {load[1]:.1f}")
    print(f"  before {trees[0]}: CPU median {statistics.median(before):.3f} s (min {min(before):.3f})")
    print(f"  after  {trees[1]}: CPU median {statistics.median(after):.3f} s (min {min(after):.3f})")
    print(f"  after / before: median {statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})")


if __name__ == "__main__":
    main()
