"""Rendering shared by the commands: problems (text or JSON), exit codes, the domain-error edge.

The only place a `SpecError` becomes output and an exit code. Exit codes: 0 fine, 1 an objective
missed or a mandatory policy violated, 2 bad input (the spec, a flag, a path).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Literal, NoReturn

import typer

from blueprints.errors import Location, Problem, SpecError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

OutputFormat = Literal["text", "json"]


PIPE_WIDTH = 120
"""Columns for text written to a pipe or file (CI logs are wider than rich's 80-column default)."""


def console(stderr: bool = False, *, soft_wrap: bool = False) -> Any:
    """A rich console; `soft_wrap` leaves long lines whole (paths in problems must stay copyable)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap, width=PIPE_WIDTH if piped else None)


def styled(stream: Any) -> bool:
    """Whether rich would style what goes to `stream`: a terminal, or colour forced (as rich decides)."""
    forced = os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1"
    return bool(forced) or stream.isatty()


def say(*parts: str | tuple[str, str], stderr: bool = False) -> None:
    """One line of text and (text, style) parts: through rich where it would be styled, else plain
    and unwrapped, without importing rich (25 ms of a `validate` that has nothing else to print)."""
    stream = sys.stderr if stderr else sys.stdout
    if styled(stream):
        from rich.text import Text

        console(stderr).print(Text.assemble(*parts))
    else:
        stream.write("".join(p if isinstance(p, str) else p[0] for p in parts) + "\n")


def _source_line(location: Location) -> str | None:
    if location.line is None:
        return None
    try:
        lines = Path(location.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[location.line - 1] if 0 < location.line <= len(lines) else None


def render_problems(problems: Sequence[Problem], *, stderr: bool = False) -> None:
    """Print problems for a person: position, path, rule, message, value, fix, and the source line."""
    if not problems:
        return
    from rich.markup import escape

    out = console(stderr, soft_wrap=True)
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        out.print(
            f"[bold]{escape(str(p.location))}[/bold]  [{colour}]{p.severity}[/{colour}]  "
            f"[cyan]{escape(p.path)}[/cyan]  [dim]\\[{escape(p.rule)}][/dim]"
        )
        out.print(f"  {escape(p.message)}")
        if p.environment:
            out.print(f"  [dim]found with environment {escape(p.environment)} merged over the base[/dim]")
        if p.written_at:
            out.print(f"  [dim]set by {escape(p.written_at)}[/dim]")
        source = _source_line(p.location)
        if source is not None and p.location.column:
            out.print(f"  [dim]{p.location.line:>4} |[/dim] {escape(source)}")
            out.print(f"  [dim]     |[/dim] {' ' * (p.location.column - 1)}[{colour}]^[/{colour}]")
        details = []
        if p.value is not None:
            details.append(f"value: {escape(str(p.value))}")
        if p.allowed:
            details.append(f"allowed: {escape(p.allowed)}")
        if details:
            out.print("  " + "   ".join(details))
        out.print(f"  [green]fix:[/green] {escape(p.fix)}")
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if problems:
        out.print(f"[bold]{errors} error(s), {warnings} warning(s)[/bold]")


def problems_json(problems: Sequence[Problem], **extra: Any) -> str:
    errors = [p for p in problems if p.severity == "error"]
    data = {
        "valid": not errors,
        **extra,
        "errors": len(errors),
        "warnings": len(problems) - len(errors),
        "problems": [p.to_json() for p in problems],
    }
    return json.dumps(data, indent=2, default=str)


def fail(problems: Sequence[Problem], output: str = "text") -> NoReturn:
    """Report bad input and exit 2: JSON on stdout for machines, text on stderr for people."""
    if output == "json":
        typer.echo(problems_json(problems))
    else:
        render_problems(problems, stderr=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def spec_errors(output: str = "text") -> Iterator[None]:
    """Turn a SpecError raised below the CLI into the rendered problems and exit code 2."""
    try:
        yield
    except SpecError as err:
        fail(err.problems, output)
    except OSError as err:  # a path that cannot be written (or read): bad input too, never a traceback
        fail([file_problem(err)], output)


def file_problem(err: OSError) -> Problem:
    """An OSError as a problem that names the path the user gave (not our temporary file)."""
    name = str(err.filename or "")
    path = Path(name) if name else None
    if path is not None and path.name.startswith(".") and path.name.endswith(".tmp"):
        path = path.parent  # a staged temporary file: the folder is what cannot be written
    where = str(path) if path is not None else "<file>"
    reason = err.strerror or str(err)
    return Problem(
        rule="file",
        path="(output)",
        message=f"cannot use {where}: {reason}",
        fix="choose a path you can write to (an existing, writable folder), or fix its permissions",
        location=Location(where),
    )


def usage_error(message: str, fix: str, output: str = "text", path: str = "(arguments)") -> NoReturn:
    fail([Problem(rule="usage", path=path, message=message, fix=fix, location=Location("<command line>"))], output)


WRITE_SIZE = 1 << 20
"""Characters per write of a large text: it goes out in slices, so it is never held twice at once (a
copy with its newline, then its encoding: 60 MB for a 30 MB graph)."""

PIECES_PER_WRITE = 1 << 16
"""An encoder's pieces (a few characters each) joined per write: the joining runs in C, where a
Python loop over each of the millions of pieces of a 10,000-resource graph cost seconds."""


def write_stdout(text: str | Iterable[str]) -> None:
    """Write text, or its pieces as they come (an encoder's), to stdout, ending with one newline."""
    last = ""
    if isinstance(text, str):
        for start in range(0, len(text), WRITE_SIZE):
            last = text[start : start + WRITE_SIZE]
            sys.stdout.write(last)
    else:
        pieces = iter(text)
        while batch := list(islice(pieces, PIECES_PER_WRITE)):
            joined = "".join(batch)
            if joined:
                last = joined
                sys.stdout.write(joined)
    if not last.endswith("\n"):
        sys.stdout.write("\n")
