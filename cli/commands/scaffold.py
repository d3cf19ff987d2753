"""`init` (a new standalone project) and `stack add` (a new environment in one).

Neither imports Pulumi: they render jinja2 templates, check the spec with the loader `validate`
uses, and write every file through `cli.files.write_files` (all staged, then moved into place).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from cli.help import HelpCommand, HelpGroup
from cli.output import EXIT_BAD_INPUT, EXIT_FAILED, console, spec_errors, usage_error

stack_app = typer.Typer(
    cls=HelpGroup,
    help="""Manage a project's stacks: one per environment (Pulumi.<env>.yaml + environments.<env>).

    Run inside a project made by `init` (or pass --project); every change is validated before anything is written.

    [bold]Examples[/bold]

      agentha-blueprint stack add qa

      agentha-blueprint stack add prod-eu --region eu-west-1,eu-central-1

      agentha-blueprint stack add staging --project ~/src/my-agents
    """,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class TargetChoice(StrEnum):
    aws = "aws"
    kubernetes = "kubernetes"


class PatternChoice(StrEnum):
    single_zone = "single-zone"
    multi_zone = "multi-zone"
    active_passive = "active-passive"
    active_active = "active-active"


def is_terminal() -> bool:
    """Both ends of a conversation are a terminal (prompts need someone to answer them)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _choice(allowed: Sequence[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip()
        if value not in allowed:
            raise typer.BadParameter(f"choose one of: {', '.join(allowed)}")
        return value

    return check


def _ask(
    name: str, target: str, pattern: str, regions: tuple[str, ...], environments: tuple[str, ...]
) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...]]:
    """Ask for each choice, the flags' values (or their defaults) offered as the answers."""
    from cli.scaffolding import PATTERNS, TARGETS, InitOptions, split_list

    name = typer.prompt("System name (DNS-safe, prefixes every resource)", default=name).strip()
    target = typer.prompt(f"Target ({' | '.join(TARGETS)})", default=target, value_proc=_choice(TARGETS))
    pattern = typer.prompt(f"Pattern ({' | '.join(PATTERNS)})", default=pattern, value_proc=_choice(PATTERNS))
    suggested = regions or InitOptions(name=name, target=target, pattern=pattern).region_names  # type: ignore[arg-type]
    answer = typer.prompt("Regions, primary first (comma-separated)", default=",".join(suggested))
    envs = typer.prompt("Environments (comma-separated)", default=",".join(environments))
    return name, target, pattern, split_list([answer]), split_list([envs])


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the new project (created if missing).", metavar="DIR", show_default=False)
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="System name, DNS-safe. Default: the folder's name.", show_default=False),
    ] = None,
    target: Annotated[TargetChoice, typer.Option("--target", help="Where it runs.")] = TargetChoice.aws,
    pattern: Annotated[
        PatternChoice, typer.Option("--pattern", help="HA pattern: one zone, zones of one region, or several regions.")
    ] = PatternChoice.multi_zone,
    regions: Annotated[
        list[str] | None,
        typer.Option(
            "--regions",
            help="Regions, primary first, comma-separated. Default: aws us-east-1 (+ us-west-2 for "
            "multi-region patterns); kubernetes europe-west4 (+ europe-west1).",
            show_default=False,
        ),
    ] = None,
    zones: Annotated[
        int | None,
        typer.Option("--zones", help="Zones per region. Default: 1 for single-zone, else 3.", show_default=False),
    ] = None,
    environments: Annotated[
        list[str] | None,
        typer.Option(
            "--environments", help="Environments (one stack each), comma-separated. Default: dev,staging,prod."
        ),
    ] = None,
    requirement: Annotated[
        str | None,
        typer.Option(
            "--requirement",
            help="The pip requirement for agentha-blueprint written to requirements.txt, which the CI "
            "workflow installs too: a version range, a git URL or a local path. "
            "Default: where this copy of agentha-blueprint was installed from when that is a git URL or a "
            "local folder, else agentha-blueprint~=<this version's series>.",
            metavar="REQUIREMENT",
            show_default=False,
        ),
    ] = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Ask for each choice (needs a terminal).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist with other content.")] = False,
) -> None:
    """Create a new project: an HA spec, Pulumi project and stacks, a CI workflow.

    The spec is valid as written and its plan meets its objectives; values marked PLACEHOLDER
    (image, DNS names, alarm email) are yours to replace. Existing files with other content are
    never overwritten without --force (exit 2, nothing written). Re-running with the same options
    leaves every byte as it is and exits 1 ("already holds this project"), or 0 with --force.

    [bold]Examples[/bold]

      agentha-blueprint init support-agent --target aws --pattern active-passive

      agentha-blueprint init research --target kubernetes --regions europe-west4 --environments dev,prod

      agentha-blueprint init my-agents --interactive

      agentha-blueprint init my-agents --requirement "agentha-blueprint @ git+https://github.com/acme/agentha-blueprint@v0.1.0"
    """
    from cli.scaffolding import (
        DEFAULT_ENVIRONMENTS,
        InitOptions,
        default_name,
        init_files,
        installed_requirement,
        local_folder,
        split_list,
    )

    region_list = split_list(regions)
    env_list = split_list(environments) if environments else DEFAULT_ENVIRONMENTS
    system = name if name is not None else default_name(directory)
    target_value, pattern_value = target.value, pattern.value
    if interactive:
        if not is_terminal():
            usage_error(
                "--interactive needs a terminal to ask its questions",
                "run it in a terminal, or pass the options (--name, --target, --pattern, --regions, --environments)",
                path="--interactive",
            )
        system, target_value, pattern_value, region_list, env_list = _ask(
            system, target_value, pattern_value, region_list, env_list
        )
    if name is None and system and system != directory.resolve().name:
        console(stderr=True).print(
            f"system name: {system} (made DNS-safe from the folder name '{directory.resolve().name}'; "
            "pass --name to choose another)",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
    if not system:
        usage_error(
            f"cannot make a system name from the folder name '{directory.name}'",
            "pass --name, e.g. --name support-agent",
            path="--name",
        )
    opts = InitOptions(
        name=system,
        target=target_value,  # type: ignore[arg-type]
        pattern=pattern_value,  # type: ignore[arg-type]
        regions=region_list,
        zones=zones,
        environments=env_list,
        requirement=requirement if requirement is not None else installed_requirement(),
    )
    if directory.exists() and not directory.is_dir():
        usage_error(f"{directory} exists and is not a folder", "choose another DIR", path="DIR")
    with spec_errors():
        files = init_files(directory, opts)
    written = _write(files, force)
    if written and all(item.status == "unchanged" for item in written) and not force:
        _already_there(directory)
    _report(written, directory)
    folder = local_folder(opts.requirement or "")
    if folder is not None:
        console(stderr=True).print(
            f"[yellow]warning[/yellow]: requirements.txt installs agentha-blueprint from {folder}, a folder on this "
            "machine only, so the generated CI workflow cannot install it; the project's README says how to "
            "build a wheel to commit instead (or re-run with --requirement and a git URL or index your CI reaches)",
            soft_wrap=True,
            markup=True,
            highlight=False,
        )
    first = opts.environments[0]
    _next(
        f"cd {directory}",
        "# replace the values marked PLACEHOLDER in spec.yaml and the stack files",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements.txt",
        "agentha-blueprint validate spec.yaml",
        f"agentha-blueprint plan spec.yaml --env {first}",
        f"pulumi login --local && pulumi stack select {first} --create && pulumi preview",
    )


def _write(files: dict[Path, str], force: bool) -> list[Any]:
    """Write every file or none; on a conflict say so, say that nothing was written, and exit 2."""
    from blueprints.errors import SpecError
    from cli.files import write_files
    from cli.output import render_problems

    try:
        return write_files(files, force=force)
    except SpecError as err:
        render_problems(err.problems, stderr=True)
        console(stderr=True).print(
            "[bold]nothing was written[/bold]: move those files away, or re-run with --force to overwrite them",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:  # a full disk, a read-only folder: write_files has already undone its work
        from rich.markup import escape

        target = exc.filename or next(iter(files), "")
        console(stderr=True).print(
            f"[bold]cannot write {escape(str(target))}[/bold]: {escape(str(exc.strerror or exc))}; nothing was written",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _already_there(directory: Path) -> NoReturn:
    """A re-run that would change nothing: no file was touched, and the caller learns so (exit 1)."""
    from rich.markup import escape

    console(stderr=True).print(
        f"[bold]{escape(str(directory))} already holds this project: nothing written[/bold] "
        "(every file already has this content). Change an option to make a different project, or "
        "pass --force to accept a re-run that changes nothing.",
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_FAILED)


def _next(*commands: str) -> None:
    out = console()
    out.print()
    out.print("[bold]Next[/bold]")
    for command in commands:
        out.print(f"  {command}", soft_wrap=True, markup=False)


def _report(written: Sequence[Any], base: Path) -> None:
    from rich.markup import escape

    out = console()
    colour = {"created": "green", "updated": "yellow", "unchanged": "dim"}
    for item in written:
        try:
            shown = item.path.relative_to(base)
        except ValueError:
            shown = item.path
        out.print(
            f"  [{colour[item.status]}]{item.status:<9}[/{colour[item.status]}] {escape(str(shown))}", soft_wrap=True
        )
    if written and all(item.status == "unchanged" for item in written):
        out.print("unchanged: every file already has this content", soft_wrap=True)


@stack_app.command("add", cls=HelpCommand)
def add(
    env: Annotated[
        str,
        typer.Argument(help="Environment (and stack) name, e.g. qa or prod-eu.", show_default=False, metavar="ENV"),
    ],
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec", help="The HA spec. Default: the one the existing stacks name, else spec.yaml.", show_default=False
        ),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            help="Regions of this environment, primary first (repeat or comma-separate). Default: the base spec's.",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        Path, typer.Option("--project", help="Folder of the Pulumi project (or any folder inside it).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing environments.<env> block and stack file.")
    ] = False,
) -> None:
    """Add an environment: Pulumi.<env>.yaml and an environments.<env> block in the spec.

    The spec keeps every comment, key order and spacing you wrote; only the new block is added
    (after the last environment). The result must pass `validate`, or nothing is written.

    [bold]Examples[/bold]

      agentha-blueprint stack add qa

      agentha-blueprint stack add prod-eu --region eu-west-1

      agentha-blueprint stack add perf --project infra --spec infra/agents.yaml

      agentha-blueprint stack add qa --force
    """
    from cli.scaffolding import add_stack

    with spec_errors():
        files, proj, spec_path = add_stack(project, env, spec=spec, regions=region or (), force=force)
    written = _write(files, True)  # add_stack refused an existing environment or stack file unless --force
    _report(written, proj.root)
    # Next steps are run from where the user is: the spec relative to here, and Pulumi in the project.
    here, root = Path.cwd().resolve(), proj.root.resolve()
    shown = os.path.relpath(spec_path.resolve(), here)
    pulumi_step = f"pulumi stack select {env} --create && pulumi preview"
    if root != here:
        pulumi_step = f"cd {os.path.relpath(root, here)} && {pulumi_step}"
    from cli.scaffolding import missed_objectives

    with spec_errors():
        missed = missed_objectives(spec_path, env)
    if missed:
        out = console()
        out.print(f"[yellow]the plan of {env} misses objectives[/yellow] (override them under environments.{env}):")
        for line in missed:
            out.print(f"  {line}", soft_wrap=True, markup=False)
    _next(f"agentha-blueprint plan {shown} --env {env}", pulumi_step)
