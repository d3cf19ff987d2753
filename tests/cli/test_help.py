"""`--help` on every command (nested ones too) exits 0 and shows worked examples."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import ROOT

runner = CliRunner()


def command_paths(*, groups: bool = True) -> list[tuple[str, ...]]:
    """Every command by its words (`stack add`); with `groups`, the nested groups too (`stack`)."""
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):  # a group (typer bundles its own click)
            if path and groups:
                paths.append(path)
            for name, sub in sorted(command.commands.items()):
                walk(sub, (*path, name))
        elif path:
            paths.append(path)

    walk(root, ())
    return paths


def test_nested_groups_and_their_commands_are_walked() -> None:
    paths = command_paths()
    assert ("stack",) in paths and ("stack", "add") in paths
    assert ("stack",) not in command_paths(groups=False)


def test_the_spec_commands_are_registered() -> None:
    assert {("validate",), ("plan",), ("schema",)} <= set(command_paths())


def test_top_level_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for path in command_paths():
        assert path[0] in result.stdout


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [], env={"COLUMNS": "200"})
    assert "Usage" in result.output and "validate" in result.output


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_help_shows_examples(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert f"agentha-blueprint {' '.join(path)}" in result.stdout  # an example of this very command
    assert "Traceback" not in result.output


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_short_help_flag_works_too(path: tuple[str, ...]) -> None:
    assert runner.invoke(app, [*path, "-h"]).exit_code == 0


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("agentha-blueprint ")


@pytest.mark.parametrize("path", command_paths(groups=False), ids=" ".join)
def test_help_reads_well_at_80_columns(path: tuple[str, ...]) -> None:
    """Prose reflows to the terminal (no line cut short where the docstring wrapped), arguments
    read as names (SPEC, not {SPEC}), flags show no <bool> type (issue 18)."""
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert "<bool>" not in result.output
    command = typer.main.get_command(app)
    for word in path:
        command = command.commands[word]  # type: ignore[attr-defined]
    for paragraph in (command.help or "").split("\n\n"):
        if not paragraph.startswith(" "):
            assert "\n" not in paragraph, f"{' '.join(path)}: a prose paragraph keeps its docstring line breaks"


def test_reflow_joins_prose_and_keeps_indented_blocks() -> None:
    from cli.help import reflow

    text = """First line
    goes on.

    [bold]Examples[/bold]

      cmd one
      cmd two
    """
    assert reflow(text) == "First line goes on.\n\n[bold]Examples[/bold]\n\n  cmd one\n  cmd two"


# --- typer's help formatter without the modules our help never uses (issue 19) -------------------


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["stack", "--help"], ["stack", "add", "--help"]])
def test_help_does_not_load_markdown_or_pygments(args: list[str]) -> None:
    from tests.cli.test_lazy_imports import run_fresh

    result = run_fresh(args, top=("markdown_it", "pygments", "rich"))
    assert result["code"] in (0, None)
    loaded = set(result["heavy"])
    assert "rich.console" in loaded  # the check can see rich modules at all
    assert not loaded & {"markdown_it", "pygments", "rich.markdown", "rich.traceback", "rich.syntax"}


def test_the_stand_ins_build_the_real_classes_and_leave_the_real_modules_importable() -> None:
    code = (
        "import sys\n"
        "from cli.help import import_help_formatter\n"
        "import_help_formatter()\n"
        "import typer.rich_utils as ru\n"
        "assert 'rich.markdown' not in sys.modules and 'rich.traceback' not in sys.modules\n"
        "from rich.markdown import Markdown\n"
        "from rich.traceback import Traceback\n"
        "assert isinstance(ru.Markdown('*x*'), Markdown)\n"
        "assert ru.Traceback is not Traceback\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr[-2000:]
