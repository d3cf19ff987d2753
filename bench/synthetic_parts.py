"""Benchmark: what the synthetic transaction (`ingress.synthetic`) adds to synth and render.

    python bench/synthetic_parts.py [--repeat 3]

For the support-agent example (aws, two regions) and the research-agent example (kubernetes), it
synthesizes the spec as written (with `ingress.synthetic`) and the same spec without it, each in a
fresh Python process, interleaved, and prints a Markdown table of the median CPU time, the resource
count and the difference (the canaries, buckets, roles, alarms and health checks on aws; the Probe,
the module ConfigMap and the alert on kubernetes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
c0 = time.process_time()
from stacks.synth import synth
result = synth(sys.argv[1])
cpu = time.process_time() - c0
print(json.dumps({"cpu": cpu, "resources": len(result.graph)}))
"""

SPECS = {
    "support-agent (aws)": ROOT / "examples" / "support-agent" / "spec.yaml",
    "research-agent (kubernetes)": ROOT / "examples" / "research-agent" / "spec.yaml",
}


def without_synthetic(path: Path, folder: Path) -> Path:
    yaml = YAML()
    spec = yaml.load(path.read_text(encoding="utf-8"))
    del spec["ingress"]["synthetic"]
    out = folder / f"{path.parent.name}-without.yaml"
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(spec, handle)
    return out


def run(spec: Path) -> dict[str, float]:
    env_path = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(spec)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in SPECS.items():
            base = without_synthetic(path, Path(tmp))
            withs, withouts = [], []
            for _ in range(repeat):
                withouts.append(run(base))
                withs.append(run(path))
            cpu_with = statistics.median(r["cpu"] for r in withs)
            cpu_without = statistics.median(r["cpu"] for r in withouts)
            n_with, n_without = int(withs[0]["resources"]), int(withouts[0]["resources"])
            rows.append((label, n_without, n_with, cpu_without, cpu_with))
    print("| spec | resources without | with | synth CPU without (s) | with (s) | added |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, n0, n1, c0, c1 in rows:
        print(f"| {label} | {n0} | {n1} (+{n1 - n0}) | {c0:.2f} | {c1:.2f} | {c1 - c0:+.2f} s ({(c1 / c0 - 1):+.0%}) |")


if __name__ == "__main__":
    main()
