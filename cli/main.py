"""The `agentha-blueprint` command line.

Commands import their heavy dependencies inside the command body, so `--help`, `validate`, `plan`
and `schema` never load Pulumi or a provider SDK.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from cli.commands import check, render, resilience, scaffold, secrets, simulate, spec_commands, synth
from cli.help import HelpCommand, HelpGroup

app = typer.Typer(
    name="agentha-blueprint",
    cls=HelpGroup,
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.command(cls=HelpCommand)(spec_commands.validate)
app.command(cls=HelpCommand)(spec_commands.plan)
app.command(cls=HelpCommand)(simulate.simulate)
app.command(cls=HelpCommand)(spec_commands.schema)
app.command(cls=HelpCommand)(synth.synth)
app.command(cls=HelpCommand)(secrets.secrets)
app.command(cls=HelpCommand)(check.check)
app.command(cls=HelpCommand, name="blast-radius")(resilience.blast_radius)
app.command(cls=HelpCommand)(resilience.runbook)
app.command(cls=HelpCommand)(resilience.diagram)
app.command(cls=HelpCommand)(render.render)
app.command(cls=HelpCommand)(scaffold.init)
app.add_typer(scaffold.stack_app, name="stack")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"agentha-blueprint {version('agentha-blueprint')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Make AI agent systems highly available from one HA spec: validate it, plan the topology with
    availability/RTO/RPO estimates, build it with Pulumi, check it with policies.

    [bold]Examples[/bold]

      agentha-blueprint init my-agents --target aws --pattern active-passive

      agentha-blueprint validate spec.yaml

      agentha-blueprint plan spec.yaml --env prod --explain

      agentha-blueprint simulate spec.yaml --env prod --hours 1e8

      agentha-blueprint synth spec.yaml --env prod

      agentha-blueprint check spec.yaml --env prod --format sarif --out agentha.sarif

      agentha-blueprint blast-radius spec.yaml --env prod --output markdown

    Exit codes: 0 fine; 1 an objective missed, a mandatory policy violated, or nothing for init to
    write; 2 bad input.
    """


def run() -> None:
    """Console-script entry point.

    After a command that ran a stack program (synth, check, render, ...), the process exits without
    tearing down the interpreter: the SDK's resources, Outputs and futures (about 1 GB at 10,000
    resources) would otherwise be freed one object at a time, with a last collection over all of
    them, only for the operating system to reclaim the memory anyway. Output is flushed and the
    atexit handlers run first, so nothing written is lost; the exit code is the command's.
    """
    try:
        app()
    except SystemExit as exc:
        if "stacks.capture" in sys.modules and (exc.code is None or isinstance(exc.code, int)):
            _exit_now(exc.code or 0)
        raise


def _exit_now(code: int) -> NoReturn:
    import atexit
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the interpreter would have exited 120
            code = code or 120
    atexit._run_exitfuncs()
    os._exit(code)
