"""`blast-radius`: what each disruption breaks, from the plan and (optionally) the synthesized graph.

The plan side is pure and fast; listing the resources a disruption makes unreachable needs the
captured graph, so `--graph` (the default) runs the same offline synth as `synth` and `check`, and
imports Pulumi only then.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.commands.synth import QuietOpt, progress
from cli.output import EXIT_FAILED, EXIT_OK, spec_errors, write_stdout

if TYPE_CHECKING:
    from blueprints.plan.models import TopologyPlan
    from blueprints.spec.models import HASpec
    from stacks.graph import ResourceGraph


class BlastFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


GraphOpt = Annotated[
    bool,
    typer.Option(
        "--graph/--no-graph",
        help="Synthesize the resource graph offline (a few seconds) to list the resources each disruption "
        "makes unreachable; --no-graph reads the plan only.",
    ),
]


def load(
    spec: Path, env: str | None, fmt: str, *, graph: bool, quiet: bool
) -> tuple[HASpec, TopologyPlan, ResourceGraph | None]:
    """The validated spec, its plan and (with `graph`) the captured graph; bad input exits 2."""
    from blueprints.plan.planner import plan as make_plan
    from blueprints.spec.loader import load_spec

    with spec_errors(fmt):
        loaded = load_spec(spec, env)
        planned = make_plan(loaded.spec, env)
    if not graph:
        return loaded.spec, planned, None
    from pulumi.errors import RunError

    from cli.output import usage_error
    from stacks.synth import synth as run_synth

    try:
        with spec_errors(fmt), progress("synthesizing under Pulumi mocks…", quiet=quiet):
            result = run_synth(spec, env)
    except RunError as err:  # the program refused to build (it says why and how to fix it)
        usage_error(str(err), "see the message above", fmt, path="(program)")
    return loaded.spec, planned, result.graph


def blast_radius(
    spec: SpecArg,
    env: EnvOpt = None,
    output: Annotated[
        BlastFormat, typer.Option("--output", "-o", help="text (the matrix), json or markdown (matrix and details).")
    ] = BlastFormat.text,
    graph: GraphOpt = True,
    quiet: QuietOpt = False,
) -> None:
    """Show what each disruption breaks: every zone, every region, each store's primary, the message
    broker, a bad deploy of each agent and each external dependency.

    For each: serving capacity left per agent against replicas.min, writer and quorum state and data
    at risk per store, messages stranded or delayed per queue, whether users still reach a healthy
    region and after how long, the resources that become unreachable, and the disruption's RTO/RPO
    against its objective — the plan's own numbers. Exit 0 when every disruption the objectives cover
    meets them, 1 when one breaches them, 2 on bad input.

    [bold]Examples[/bold]

      agentha-blueprint blast-radius examples/support-agent/spec.yaml --env prod

      agentha-blueprint blast-radius spec.yaml --output markdown > BLAST-RADIUS.md

      agentha-blueprint blast-radius spec.yaml --no-graph --output json
    """
    from blueprints.analysis import matrix
    from blueprints.analysis.blast_radius import analyse

    fmt = output.value
    loaded, planned, captured = load(spec, env, "json" if fmt == "json" else "text", graph=graph, quiet=quiet)
    result = analyse(loaded, planned, captured)
    if fmt == "json":
        write_stdout(json.dumps(result.to_json(), indent=2))
    elif fmt == "markdown":
        write_stdout(matrix.markdown(result))
    else:
        write_stdout(matrix.text(result))
    raise typer.Exit(EXIT_FAILED if result.breached else EXIT_OK)


def runbook(
    spec: SpecArg,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the pages into (created if missing).")],
    env: EnvOpt = None,
    stack: Annotated[
        str | None,
        typer.Option("--stack", "-s", help="Pulumi stack the commands read names from (default: --env)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite pages that differ.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one Markdown runbook page per failure mode, and an index.

    Zone loss, region failover and failback, each store's failover, broker outage and dead-letter
    redrive, bad deploy rollback, each external dependency's outage, secret rotation: how each is
    detected (the alarm and dashboard names of this environment), what the system does by itself and
    how long it takes (the plan's timing), the exact aws / kubectl / pulumi commands, how to verify,
    how to fail back, and the drill that rehearses it. Deterministic; all files are written or none;
    a page that differs is never overwritten without --force. Exit 0, or 2 on bad input.

    [bold]Examples[/bold]

      agentha-blueprint runbook examples/support-agent/spec.yaml --env prod --out runbooks/

      agentha-blueprint runbook spec.yaml --env staging --stack acme/staging --out docs/runbooks --force
    """
    from blueprints.analysis.blast_radius import analyse
    from blueprints.analysis.runbooks import names, runbook_files
    from cli.files import write_files
    from cli.output import console

    loaded, planned, captured = load(spec, env, "text", graph=True, quiet=quiet)
    assert captured is not None
    result = analyse(loaded, planned, captured)
    files = runbook_files(loaded, planned, result, names(captured, planned.target, captured.exports), stack or env)
    with spec_errors():
        written = write_files({out / name: text for name, text in files.items()}, force=force)
    changed = sum(1 for w in written if w.status != "unchanged")
    console(stderr=True).print(f"wrote {out}: {len(files)} pages ({changed} changed)")
    raise typer.Exit(EXIT_OK)


class DiagramFormat(StrEnum):
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


def diagram(
    spec: SpecArg,
    env: EnvOpt = None,
    fmt: Annotated[
        DiagramFormat,
        typer.Option(
            "--format",
            "-f",
            help="mermaid (text; a .md --out gets a Markdown page), or svg/png (needs Graphviz's dot).",
        ),
    ] = DiagramFormat.mermaid,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Draw the planned system: regions, zones and replicas per zone, stores with their primary and
    replication, queues, routing and failover, external dependencies, the flow between agents.

    Mermaid text is built here (GitHub renders it in Markdown); SVG and PNG are drawn by Graphviz
    (`dot`, e.g. `apt-get install graphviz` or `brew install graphviz`). Reads the plan only: no
    Pulumi. Exit 0, or 2 on bad input or when `dot` is missing.

    [bold]Examples[/bold]

      agentha-blueprint diagram examples/support-agent/spec.yaml --env prod

      agentha-blueprint diagram spec.yaml --env prod --out DIAGRAM.md

      agentha-blueprint diagram spec.yaml --format svg --out topology.svg
    """
    from blueprints.analysis import diagram as draw
    from blueprints.plan.planner import plan as make_plan
    from blueprints.spec.loader import load_spec
    from cli.output import console, usage_error

    with spec_errors():
        loaded = load_spec(spec, env)
        planned = make_plan(loaded.spec, env)
    model = draw.build(planned)
    if fmt is DiagramFormat.mermaid:
        text = draw.markdown(model) if out is not None and out.suffix == ".md" else draw.mermaid(model)
        if out is None:
            write_stdout(text)
            raise typer.Exit(EXIT_OK)
        from cli.files import write_files

        with spec_errors():
            write_files({out: text}, force=force)
        console(stderr=True).print(f"wrote {out}")
        raise typer.Exit(EXIT_OK)
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        usage_error(
            f"--format {fmt.value} needs Graphviz's `dot` program, which is not on PATH",
            "install Graphviz (apt-get install graphviz, brew install graphviz, choco install graphviz), "
            "or use --format mermaid",
            path="--format",
        )
    if fmt is DiagramFormat.png and out is None:
        usage_error("--format png writes binary data", "give --out FILE.png", path="--out")
    done = subprocess.run([dot, f"-T{fmt.value}"], input=draw.dot(model).encode(), capture_output=True, check=False)
    if done.returncode != 0:
        usage_error(
            f"dot failed: {done.stderr.decode(errors='replace').strip()}", "report it with the spec", path="--format"
        )
    if out is None:
        write_stdout(done.stdout.decode())
        raise typer.Exit(EXIT_OK)
    write_bytes(out, done.stdout, force=force)
    console(stderr=True).print(f"wrote {out}")
    raise typer.Exit(EXIT_OK)


def write_bytes(path: Path, data: bytes, *, force: bool) -> None:
    """Write a binary file atomically (a staged file moved into place); never over another file
    without `force` (exit 2 names it)."""
    import os
    import tempfile

    from cli.output import usage_error

    if path.exists() and path.read_bytes() != data and not force:
        usage_error(
            f"{path} exists with other content; not overwritten", "move it away, or re-run with --force", path=str(path)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
