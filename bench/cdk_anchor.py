"""Our `synth` of support-agent prod against AWS CDK's `cdk synth` of the same topology, whole processes, paired.

    python bench/cdk_anchor.py [--anchor DIR | --installed DIR] [--rounds 5] [--markdown]

The CDK side is the maintainers' anchor app (`$AGENTHA_SHARED/anchors/cdk-support-agent`, see its
README): the support-agent topology (active-passive, 2 regions x 3 zones, VPC with NAT per zone and
endpoints, KMS, SNS, 2 Fargate services with autoscaling, ALB, DynamoDB global tables, SQS with
dead-letter queues, alarms, Route 53 failover) written with aws-cdk-lib. By default it is copied to a
temporary folder (never into this repository) and `npm install`ed there (not timed); `--installed DIR`
uses a folder where that was already done.

Processes, each run once per round, in an order that rotates from round to round, after one untimed
warm-up round:

- `agentha-blueprint synth examples/support-agent/spec.yaml --env prod` (text, the default) and the
  same with `-o json`, stdout to a file: interpreter start, CLI, load, validate, plan, the Pulumi
  program under the SDK's mocks, capture, output;
- `npx cdk synth --quiet -o cdk.out` with `CDK_DISABLE_VERSION_CHECK=1`: CDK's default (the app runs
  its built-in CloudFormation template validation) and with `CDK_VALIDATION=false` (no validation).
  `cdk.out` is removed before each run (not timed). npx starts the cdk CLI, which spawns the app
  (`node app.js`, from cdk.json) and waits for it;
- the typed floor (`bench/floors.py aws-typed`): the same provider resources our synth captured
  (from the warm-up round's `-o json`), registered through pulumi-aws's classes under the same mocks,
  with no spec, plan, components or output: what any Pulumi program with typed classes pays at least
  for this topology (interpreter, pulumi and pulumi-aws imports, registration).

CPU time (user + system) is that of the whole process tree: `os.wait4` on the direct child returns
its own usage plus that of every descendant it waited for (npx waits for the cdk CLI, the CLI for the
app), and the bench checks it against the `RUSAGE_CHILDREN` delta of this process. Peak RSS is the
tree's `ru_maxrss`: the largest single process of the tree, not the sum (the cdk CLI and the app are
alive at the same time, so CDK's combined footprint is somewhat higher than shown). Ratios are taken
inside each round and reported as median (min-max).

Resource counts: CloudFormation resources in `cdk.out/*.template.json` (without `AWS::CDK::Metadata`)
against the custom resources in our captured graph (without providers; components listed apart).
The counts differ in kind: one CDK construct may expand to several CloudFormation resources and one
of our components to several provider resources, and our topology has more parts (WAF, flow logs,
access logs, canaries, region switch, chaos drills, ...): compare the CPU per process, not per resource.

Goal (issue 19): support-agent prod `synth` CPU <= CDK's validation-off synth of the same topology.
Printed as met or MISSED. Skips (exit 0, with the reason) when node, npm or the anchor is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = "examples/support-agent/spec.yaml"
ENV = "prod"

OURS_TEXT = "synth (text)"
OURS_JSON = "synth -o json"
CDK_DEFAULT = "cdk synth (default)"
CDK_NO_VALIDATION = "cdk synth (CDK_VALIDATION=false)"
TYPED_FLOOR = "typed floor (pulumi-aws classes)"
COMMANDS = (OURS_TEXT, OURS_JSON, CDK_DEFAULT, CDK_NO_VALIDATION, TYPED_FLOOR)

RATIOS: tuple[tuple[str, str], ...] = (
    (OURS_TEXT, CDK_NO_VALIDATION),
    (OURS_JSON, CDK_NO_VALIDATION),
    (OURS_TEXT, CDK_DEFAULT),
    (TYPED_FLOOR, CDK_NO_VALIDATION),
    (OURS_TEXT, TYPED_FLOOR),
)
GOAL = (OURS_TEXT, CDK_NO_VALIDATION)
"""The issue-19 goal: our synth's CPU <= CDK's validation-off synth (median of the paired ratios <= 1)."""


@dataclass(frozen=True)
class Run:
    cpu: float
    """User + system CPU seconds of the child and every descendant it waited for."""
    wall: float
    rss_mib: float
    """ru_maxrss of the tree: its largest single process."""


def skip_reason(which: Mapping[str, str | None], anchor: Path | None, installed: Path | None) -> str | None:
    """Why the benchmark cannot run here (None if it can): missing tools or anchor app."""
    missing = [tool for tool in ("node", "npm", "npx") if not which.get(tool)]
    if missing:
        return f"{', '.join(missing)} not found on PATH (the CDK side needs node 18+ and npm)"
    if installed is not None:
        if not (installed / "cdk.json").is_file():
            return f"{installed} has no cdk.json: not the anchor app"
        if not (installed / "node_modules" / "aws-cdk-lib").is_dir():
            return f"{installed} has no node_modules/aws-cdk-lib: run `npm install` there first"
        return None
    if anchor is None:
        return "no anchor given and AGENTHA_SHARED is not set (pass --anchor DIR or --installed DIR)"
    if not (anchor / "cdk.json").is_file():
        return f"the CDK anchor app is missing: {anchor}/cdk.json does not exist"
    return None


def count_cfn_resources(templates: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """CloudFormation resources by type over every stack template, without CDK's own metadata resource."""
    counts: dict[str, int] = {}
    for template in templates:
        resources = template.get("Resources") or {}
        assert isinstance(resources, Mapping)
        for body in resources.values():
            kind = str(body.get("Type", "?")) if isinstance(body, Mapping) else "?"
            if kind != "AWS::CDK::Metadata":
                counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def read_cdk_out(cdk_out: Path) -> dict[str, int]:
    templates = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(cdk_out.glob("*.template.json"))]
    if not templates:
        raise SystemExit(f"no *.template.json in {cdk_out}: cdk synth wrote no stack")
    return count_cfn_resources(templates)


@dataclass(frozen=True)
class OurCounts:
    custom: int
    """Provider resources (what `pulumi up` would create), without the providers themselves."""
    providers: int
    components: int


def count_our_resources(graph_json: str) -> OurCounts:
    """Count the captured graph of `synth -o json`: custom resources, providers, components."""
    resources = json.loads(graph_json)["resources"]
    providers = sum(1 for r in resources if r["custom"] and r["type"].startswith("pulumi:providers:"))
    custom = sum(1 for r in resources if r["custom"]) - providers
    return OurCounts(custom=custom, providers=providers, components=len(resources) - custom - providers)


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.2f}× ({self.low:.2f}–{self.high:.2f})"


def spread(values: Sequence[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values))


def paired_ratios(rounds: Sequence[Mapping[str, Run]], top: str, bottom: str) -> Spread:
    """top / bottom CPU inside each round, then median (min–max) over the rounds."""
    return spread([r[top].cpu / r[bottom].cpu for r in rounds])


def goal_line(rounds: Sequence[Mapping[str, Run]]) -> str:
    ratio = paired_ratios(rounds, *GOAL)
    verdict = "met" if ratio.median <= 1.0 else "MISSED"
    return f"{verdict}: support-agent prod synth CPU ≤ CDK's validation-off synth (median {ratio})"


def report(
    rounds: Sequence[Mapping[str, Run]],
    *,
    cfn: Mapping[str, int],
    ours: OurCounts,
    load: tuple[float, float],
    markdown: bool = False,
) -> str:
    """The table of commands (CPU/wall/RSS), the paired ratios, the counts and the goal."""
    lines: list[str] = []
    head = (
        f"support-agent prod, {len(rounds)} paired rounds (whole process trees, CPU from wait4), "
        f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end"
    )
    lines.append(head)
    lines.append("")
    if markdown:
        lines.append("| command | CPU s median (min–max) | wall s median | peak RSS MiB (max) |")
        lines.append("|---|---:|---:|---:|")
    for name in COMMANDS:
        cpu = spread([r[name].cpu for r in rounds])
        wall = statistics.median(r[name].wall for r in rounds)
        rss = max(r[name].rss_mib for r in rounds)
        cpu_text = f"{cpu.median:.2f} ({cpu.low:.2f}–{cpu.high:.2f})"
        if markdown:
            lines.append(f"| {name} | {cpu_text} | {wall:.2f} | {rss:.0f} |")
        else:
            lines.append(f"  {name:<34} CPU {cpu_text} s, wall {wall:.2f} s, peak RSS {rss:.0f} MiB")
    lines.append("")
    for top, bottom in RATIOS:
        lines.append(f"{'- ' if markdown else '  '}{top} / {bottom}: {paired_ratios(rounds, top, bottom)}")
    lines.append("")
    lines.append(
        f"Resources: CDK {sum(cfn.values())} CloudFormation resources ({len(cfn)} types, without "
        f"AWS::CDK::Metadata); ours {ours.custom} provider resources (+ {ours.providers} provider, "
        f"{ours.components} components)"
    )
    lines.append("")
    lines.append(goal_line(rounds))
    return "\n".join(lines)


def measure(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], stdout: Path) -> Run:
    """Run one child to completion; CPU and peak RSS of its whole tree from wait4 (checked against RUSAGE_CHILDREN)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdout.open("wb") as sink:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        stderr = proc.stderr.read()  # drained while it runs (cdk writes notices): no pipe stall
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} (in {cwd}) exited {code}:\n{stderr.decode(errors='replace')[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    delta = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if abs(delta - cpu) > 0.05:  # another child of ours was reaped meanwhile: nothing else runs, so never
        raise SystemExit(f"wait4 CPU {cpu:.2f} s and RUSAGE_CHILDREN delta {delta:.2f} s disagree for {argv[0]}")
    return Run(cpu, wall, usage.ru_maxrss / 1024)


def install(anchor: Path, into: Path) -> Path:
    """Copy the anchor app (read-only in the shared folder) to `into` and `npm install` it there."""
    app = into / anchor.name
    shutil.copytree(anchor, app)
    for path in [app, *app.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    print(f"npm install in {app} (not timed)…", file=sys.stderr)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=app, check=True, stdout=subprocess.DEVNULL)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("AGENTHA_SHARED")
    parser.add_argument(
        "--anchor",
        type=Path,
        default=Path(shared) / "anchors" / "cdk-support-agent" if shared else None,
        help="the anchor app to copy and install (default: $AGENTHA_SHARED/anchors/cdk-support-agent)",
    )
    parser.add_argument("--installed", type=Path, help="an anchor app folder already `npm install`ed (used as is)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    which = {tool: shutil.which(tool) for tool in ("node", "npm", "npx")}
    reason = skip_reason(which, args.anchor, args.installed)
    if reason:
        print(f"skipped: {reason}")
        return 0

    with tempfile.TemporaryDirectory(prefix="cdk-anchor-") as tmp:
        work = Path(tmp)
        app = args.installed.resolve() if args.installed else install(args.anchor.resolve(), work)
        ours_env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cdk_env = {**os.environ, "CDK_DISABLE_VERSION_CHECK": "1"}
        cdk_env.pop("CDK_VALIDATION", None)
        cli = [sys.executable, "-c", "from cli.main import run; run()", "synth", SPEC, "--env", ENV]
        cdk = ["npx", "cdk", "synth", "--quiet", "-o", "cdk.out"]
        commands: dict[str, tuple[list[str], Path, dict[str, str]]] = {
            OURS_TEXT: (cli, ROOT, ours_env),
            OURS_JSON: ([*cli, "-o", "json"], ROOT, ours_env),
            CDK_DEFAULT: (cdk, app, cdk_env),
            CDK_NO_VALIDATION: (cdk, app, {**cdk_env, "CDK_VALIDATION": "false"}),
            TYPED_FLOOR: (
                [sys.executable, str(ROOT / "bench" / "floors.py"), "aws-typed", str(work / "graph.json")],
                ROOT,
                ours_env,
            ),
        }
        rounds: list[dict[str, Run]] = []
        cfn: dict[str, int] = {}
        graph_json = ""
        load_start = os.getloadavg()[0]
        for r in range(args.rounds + 1):
            order = list(COMMANDS[r % len(COMMANDS) :] + COMMANDS[: r % len(COMMANDS)])
            if r % 2:
                order.reverse()
            if r == 0:  # the floor replays the graph: write it first
                order = [OURS_JSON, *(n for n in order if n != OURS_JSON)]
            results: dict[str, Run] = {}
            for name in order:
                argv_, cwd, env = commands[name]
                shutil.rmtree(app / "cdk.out", ignore_errors=True)
                results[name] = measure(argv_, cwd=cwd, env=env, stdout=work / f"out{COMMANDS.index(name)}.txt")
                if name == OURS_JSON:
                    graph_json = (work / f"out{COMMANDS.index(name)}.txt").read_text(encoding="utf-8")
                    if r == 0:
                        (work / "graph.json").write_text(graph_json, encoding="utf-8")
                if name == CDK_NO_VALIDATION:
                    cfn = read_cdk_out(app / "cdk.out")
            label = "warm-up" if r == 0 else f"round {r}"
            print(f"{label}: " + ", ".join(f"{n} {results[n].cpu:.2f} s" for n in COMMANDS), file=sys.stderr)
            if r:  # round 0 warms the file cache and node's compile cache
                rounds.append(results)
        print(
            report(
                rounds,
                cfn=cfn,
                ours=count_our_resources(graph_json),
                load=(load_start, os.getloadavg()[0]),
                markdown=args.markdown,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
