"""cli/output.py: the one edge where domain errors and unusable paths become output and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.output import PIPE_WIDTH, console, file_problem, say

runner = CliRunner()
SPEC = str(Path(__file__).resolve().parents[2] / "examples" / "support-agent" / "spec.yaml")


def test_file_problem_names_the_folder_not_the_temporary_file() -> None:
    err = PermissionError(13, "Permission denied", "/srv/out/.graph.json.abc123.tmp")
    p = file_problem(err)
    assert p.location.file == "/srv/out" and "Permission denied" in p.message and p.rule == "file"


@pytest.mark.parametrize(
    "command",
    [["schema"], ["synth", SPEC], ["check", SPEC]],
    ids=["schema", "synth", "check"],
)
def test_an_unwritable_out_path_is_exit_2_without_a_traceback(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    result = runner.invoke(app, [*command, "--out", str(blocker / "out.txt")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "cannot use" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


def test_text_written_to_a_pipe_is_120_columns_unless_columns_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert console().width == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "70")
    assert console().width == 70


def test_a_long_path_in_a_problem_is_never_folded(capsys: pytest.CaptureFixture[str]) -> None:
    from blueprints.errors import Location, Problem
    from cli.output import render_problems

    where = "/a/" + "very-long-folder-name/" * 12 + "spec.yaml"
    render_problems([Problem(rule="r", path="p", message="m", fix="f", location=Location(where, 3, 1))])
    assert where in capsys.readouterr().out.splitlines()[0]


def test_a_line_is_styled_where_rich_would_style_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    say(("valid", "green"), ": a[b].yaml")
    assert capsys.readouterr().out == "valid: a[b].yaml\n"  # a pipe: plain, brackets as written
    monkeypatch.setenv("FORCE_COLOR", "1")
    say(("valid", "green"), ": a[b].yaml")
    out = capsys.readouterr().out
    assert "\x1b[" in out and "valid" in out and ": a[b].yaml" in out  # forced colour: through rich


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "ends with a newline\n",
        ["a", "b", "", "c\n"],
        ["tiny"] * 200_000,
        ["x" * 3_000_000, "tail"],
        "é" * 2_500_001,
    ],
    ids=["empty", "short", "newline", "pieces", "many-pieces", "large-piece", "large-text"],
)
def test_write_stdout_writes_text_or_pieces_in_slices_ending_with_one_newline(
    text: str | list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    from cli import output

    writes: list[int] = []

    class Sink(io.StringIO):
        def write(self, s: str) -> int:
            writes.append(len(s))
            return super().write(s)

    sink = Sink()
    monkeypatch.setattr(sys, "stdout", sink)
    output.write_stdout(text)
    whole = text if isinstance(text, str) else "".join(text)
    assert sink.getvalue() == (whole if whole.endswith("\n") else whole + "\n")
    if isinstance(text, str):
        assert max(writes) <= output.WRITE_SIZE  # never one write (and one encoding) of the whole text
    else:
        assert len(writes) >= len(text) // output.PIECES_PER_WRITE  # pieces go out as they come
