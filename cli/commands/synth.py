"""`synth`: build the Pulumi program offline under the SDK's mocks and show what it would create."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.output import console, spec_errors, write_stdout

if TYPE_CHECKING:
    from stacks.graph import ResourceGraph


class SynthFormat(StrEnum):
    text = "text"
    json = "json"
    tfplan = "tfplan"


QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress display on stderr (it is off anyway when stderr is not a terminal)."
    ),
]


@contextmanager
def progress(message: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr that names the phase being worked on (planning, building resources,
    evaluating rules), only when stderr is a terminal and not `--quiet` (stdout stays clean)."""
    from blueprints.progress import reporting

    if quiet or not sys.stderr.isatty():
        yield
        return
    with console(stderr=True).status(message) as status, reporting(lambda phase: status.update(f"{phase}…")):
        yield


def synth(
    spec: SpecArg,
    env: EnvOpt = None,
    output: Annotated[
        SynthFormat,
        typer.Option(
            "--output",
            "-o",
            help="text (resource tree and counts) or "
            "json (the captured graph: inputs, parents, dependencies, "
            "options) or tfplan (the AWS resources as Terraform plan JSON, for scanners such as "
            "checkov --framework terraform_plan).",
        ),
    ] = SynthFormat.text,
    out: Annotated[Path | None, typer.Option("--out", help="Write the output to this file instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Run the stack's Pulumi program offline, under the SDK's mocks, and show every resource.

    It is the same program `pulumi up` runs (stacks/program.py), fed the spec and environment a stack
    file would give it. Nothing is deployed and no cloud is called.

    [bold]Examples[/bold]

      agentha-blueprint synth examples/support-agent/spec.yaml --env prod

      agentha-blueprint synth spec.yaml --output json --out graph.json

      agentha-blueprint synth spec.yaml --env prod --output tfplan --out plan.json
      checkov -f plan.json --framework terraform_plan
    """
    from pulumi.errors import RunError

    from cli.output import usage_error
    from stacks.capture import frozen_heap
    from stacks.synth import synth as run_synth

    fmt = output.value
    errors_fmt = "text" if fmt == "tfplan" else fmt  # errors go to stderr, never into the plan
    try:
        with spec_errors(errors_fmt), progress("synthesizing under Pulumi mocks…", quiet=quiet):
            result = run_synth(spec, env)
    except RunError as err:  # the program refused to build (it says why and how to fix it)
        usage_error(str(err), "see the message above", errors_fmt, path="(program)")
    if fmt == "tfplan" and result.plan.target != "aws":
        usage_error(
            f"--output tfplan translates AWS resources; this spec's target is {result.plan.target}",
            "scan the Kubernetes manifests `agentha-blueprint render` writes instead (checkov --framework kubernetes)",
            errors_fmt,
            path="(arguments)",
        )
    with frozen_heap():
        _write(result.graph, fmt, out, force)


def _write(graph: ResourceGraph, fmt: str, out: Path | None, force: bool) -> None:
    if out is not None:
        from cli.files import write_files

        text = graph.dumps() if fmt == "json" else tfplan_text(graph) if fmt == "tfplan" else None
        with spec_errors(fmt):
            write_files({out: text if text is not None else tree_text(graph)}, force=force)
        console(stderr=True).print(f"wrote {out} ({len(graph)} resources)")
    elif fmt == "json":
        write_stdout(graph.iter_json())
    elif fmt == "tfplan":
        write_stdout(tfplan_text(graph))
    else:
        render_tree(graph)


def tfplan_text(graph: ResourceGraph) -> str:
    """The graph's AWS resources as Terraform plan JSON; types with no Terraform twin are named on stderr."""
    import json

    from policies.terraform_plan import translate

    translation = translate(graph)
    if translation.untranslated:
        console(stderr=True).print(
            "not in the Terraform plan (no Terraform type known for them): " + ", ".join(translation.untranslated)
        )
    return json.dumps(translation.plan, indent=2, sort_keys=True)


def _label(r: Any) -> str:
    where = f" [{r.region}]" if r.region else ""
    return f"{r.type} {r.name}{where}"


def _children(graph: ResourceGraph) -> dict[str | None, list[Any]]:
    """Each parent's children, sorted by URN, from one pass over the graph (scanning every resource
    per node made the tree quadratic: 12 s at 10k)."""
    children: dict[str | None, list[Any]] = {}
    for r in graph:
        children.setdefault(r.parent, []).append(r)
    for kids in children.values():
        kids.sort(key=lambda r: r.urn)
    return children


def tree_lines(graph: ResourceGraph) -> list[str]:
    """The resource tree as indented lines (type name [region]), children sorted by URN."""
    lines: list[str] = []
    children = _children(graph)

    def walk(urn: str | None, depth: int) -> None:
        for r in children.get(urn, ()):
            lines.append("  " * depth + _label(r))
            walk(r.urn, depth + 1)

    walk(None, 0)
    return lines


def _wrap(label: str, width: int) -> list[str] | None:
    """`label` wrapped at spaces to `width` columns the way rich does (a broken line keeps its trailing
    space if it fits), or None if one word is longer than the width (rich would fold it)."""
    lines: list[str] = []
    line, offset = "", 0
    words = label.split(" ")
    for i, word in enumerate(words):
        piece = word if i == len(words) - 1 else word + " "
        if width - offset >= len(word):
            line, offset = line + piece, offset + len(piece)
        elif len(word) > width:
            return None
        else:  # a word after the first that does not fit: it starts the next line
            lines.append(line[:width])  # the space that ended a full line is dropped, as rich does
            line, offset = piece, len(piece)
    return [*lines, line]


def guide_lines(graph: ResourceGraph, width: int = 10**9) -> list[str] | None:
    """The tree as rich's `Tree` draws it unstyled on `width` columns (root, then `├── `/`└── `
    guides, long labels wrapped under `│   `), without rich; None where rich would fold a word."""
    lines: list[str] = []
    children = _children(graph)

    def add(label: str, first: str, rest: str) -> bool:
        wrapped = _wrap(label, width - len(first))
        if wrapped is None:
            return False
        lines.append(first + wrapped[0])
        lines.extend(rest + more for more in wrapped[1:])
        return True

    def walk(urn: str | None, prefix: str) -> bool:
        kids = children.get(urn, ())
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            below = prefix + ("    " if last else "│   ")
            if not add(_label(r), prefix + ("└── " if last else "├── "), below) or not walk(r.urn, below):
                return False
        return True

    return lines if add(f"{graph.project}/{graph.stack}", "", "") and walk(None, "") else None


def counts_lines(graph: ResourceGraph) -> list[str]:
    counts = graph.counts()
    width = max((len(t) for t in counts), default=0)
    return [f"{t.ljust(width)}  {n}" for t, n in counts.items()] + [f"{'total'.ljust(width)}  {len(graph)}"]


def tree_text(graph: ResourceGraph) -> str:
    return "\n".join([*tree_lines(graph), "", *counts_lines(graph)]) + "\n"


def render_tree(graph: ResourceGraph) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cli.output import styled

    out = console()
    lines = None if styled(sys.stdout) else _plain_guide_lines(graph, out)
    if lines is not None:
        write_stdout("\n".join(lines))
    else:
        _rich_tree(graph, out)
    table = Table(title="Resources per type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    for t, n in graph.counts().items():
        table.add_row(escape(t), str(n))
    table.add_row("[bold]total[/bold]", f"[bold]{len(graph)}[/bold]")
    out.print(table)


def _plain_guide_lines(graph: ResourceGraph, out: Any) -> list[str] | None:
    """The tree exactly as rich would write it to this unstyled console, or None where rich's own
    rendering could differ (a word it would fold, a label that is not plain printable ASCII, has
    runs of spaces or an emoji code, ASCII or legacy-Windows guides). Writing the lines directly skips building and
    measuring a renderable per resource: 0.1 s of a 450-resource synth, most of the text output's cost."""
    if out.options.ascii_only or out.legacy_windows:
        return None
    from rich._emoji_replace import _emoji_replace  # what rich's markup does to `:name:` codes

    labels = [f"{graph.project}/{graph.stack}", *(_label(r) for r in graph)]
    if not all(label.isascii() and label.isprintable() and "  " not in label for label in labels):
        return None
    if ":" in "".join(labels) and any(_emoji_replace(label) != label for label in labels):
        return None  # a label with an emoji code, e.g. `:m:`, which rich would replace
    return guide_lines(graph, out.width)


def _rich_tree(graph: ResourceGraph, out: Any) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    root = Tree(f"[bold]{escape(graph.project)}/{escape(graph.stack)}[/bold]")
    children = _children(graph)

    def walk(urn: str | None, node: Tree) -> None:
        for r in children.get(urn, ()):
            style = "bold" if r.is_component else ""
            label = escape(_label(r))
            walk(r.urn, node.add(f"[{style}]{label}[/{style}]" if style else label))

    walk(None, root)
    out.print(root)
