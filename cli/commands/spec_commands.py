"""`validate`, `plan` and `schema`: the commands that need the spec and planner only.

None of them imports Pulumi or a provider SDK (a test checks it), so they stay fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    console,
    problems_json,
    render_problems,
    say,
    spec_errors,
    write_stdout,
)

SpecArg = Annotated[Path, typer.Argument(help="Path to the HA spec (YAML).", show_default=False, metavar="SPEC")]
EnvOpt = Annotated[
    str | None, typer.Option("--env", "-e", help="Environment override to apply (default: the base spec as written).")
]


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def validate(
    spec: SpecArg,
    env: EnvOpt = None,
    output: Annotated[
        ValidateFormat, typer.Option("--output", "-o", help="text for people, json for machines.")
    ] = ValidateFormat.text,
) -> None:
    """Check an HA spec and explain every mistake (file, line, field, fix).

    Without --env it checks the base spec and every environment override; with --env, that one.
    Exit 0 when valid (warnings allowed), 2 when not.

    [bold]Examples[/bold]

      agentha-blueprint validate examples/support-agent/spec.yaml

      agentha-blueprint validate spec.yaml --env prod --output json
    """
    from blueprints.errors import SpecError
    from blueprints.spec.loader import check_all, load_spec

    fmt = output.value
    environments: list[str] = []
    # Every outcome (a file that cannot be read or parsed included) is reported the same way, so the
    # JSON always has the same shape and the text always goes to the same stream.
    try:
        if env is None:
            environments, problems = check_all(spec)
        else:
            environments = [env]
            problems = list(load_spec(spec, env).warnings)
    except SpecError as err:
        problems = err.problems
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        write_stdout(problems_json(problems, file=str(spec), environments=environments))
    else:
        render_problems(problems)
        if not errors:
            checked = "base spec" + (
                f" and environments {', '.join(environments)}"
                if env is None and environments
                else f" with environment {env}"
                if env
                else ""
            )
            say(("valid", "green"), f": {spec} ({checked})")
    raise typer.Exit(2 if errors else EXIT_OK)


def plan(
    spec: SpecArg,
    env: EnvOpt = None,
    output: Annotated[
        PlanFormat, typer.Option("--output", "-o", help="text (tables), json or markdown.")
    ] = PlanFormat.text,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each estimate's formula, figures and assumptions (text output).")
    ] = False,
) -> None:
    """Plan the topology and estimate availability, RTO and RPO against the objectives.

    Shows replicas per zone, where stores and queues live, failover routing, chaos drills, and for
    each objective the estimate, the margin and — when missed — the cheapest change that meets it.
    Exit 0 when every objective is met, 1 when one is missed (so CI can gate), 2 on a bad spec.

    [bold]Examples[/bold]

      agentha-blueprint plan examples/support-agent/spec.yaml

      agentha-blueprint plan spec.yaml --env dev --output markdown > plan.md

      agentha-blueprint plan spec.yaml --explain
    """
    from blueprints.plan.planner import plan as make_plan
    from blueprints.spec.loader import load_spec

    fmt = output.value
    with spec_errors("json" if fmt == "json" else "text"):
        loaded = load_spec(spec, env)
        result = make_plan(loaded.spec, env)
    if fmt == "json":
        data = result.to_json()
        data["objectives_met"] = result.objectives_met
        data["warnings"] = [w.to_json() for w in loaded.warnings]
        write_stdout(json.dumps(data, indent=2))
    elif fmt == "markdown":
        from cli.report import render_markdown

        write_stdout(render_markdown(result))
    else:
        from cli.report import render_text

        if loaded.warnings:
            render_problems(loaded.warnings, stderr=True)
        render_text(result, explain=explain)
    raise typer.Exit(EXIT_OK if result.objectives_met else EXIT_FAILED)


def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Print the JSON Schema of the HA spec (with field docs), for editor completion.

    Point editors at it with a first line such as
    `# yaml-language-server: $schema=./haspec.schema.json`.

    [bold]Examples[/bold]

      agentha-blueprint schema > haspec.schema.json

      agentha-blueprint schema --out docs/schema/haspec.schema.json --force
    """
    from blueprints.spec.schema import json_schema_text

    text = json_schema_text()
    if out is None:
        write_stdout(text)
        return
    from cli.files import write_files

    with spec_errors():  # an existing file without --force is bad input (exit 2), not a traceback
        write_files({out: text}, force=force)
    console(stderr=True).print(f"wrote {out}")
