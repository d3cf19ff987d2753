"""`check`: synthesize offline and evaluate the HA and security policy rules, as CI would."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.commands.synth import QuietOpt, progress
from cli.output import EXIT_FAILED, EXIT_OK, console, spec_errors, write_stdout

if TYPE_CHECKING:
    from policies.model import Report


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"


def check(
    spec: SpecArg,
    env: EnvOpt = None,
    format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="text for people; json; sarif (SARIF 2.1.0 for code-scanning dashboards); junit (JUnit XML for CI).",
        ),
    ] = CheckFormat.text,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Enforcement levels per rule (agentha-policy.yaml). Default: agentha-policy.yaml beside the spec, "
            "else in the project root, else each rule's own level.",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report to this file instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Check the topology against the HA and security policy rules, offline.

    Runs the stack's Pulumi program under the SDK's mocks (as `synth` does)
    and evaluates every rule of the CrossGuard pack in policies/ over the
    captured resources, the spec and its plan. The same rules run inside
    Pulumi with `pulumi preview --policy-pack policies`.

    Exit 0 when no mandatory rule is violated (advisory findings are shown
    but never fail), 1 on any mandatory violation, 2 on a bad spec, config
    file or flag.

    [bold]Examples[/bold]

      agentha-blueprint check examples/support-agent/spec.yaml --env prod

      agentha-blueprint check spec.yaml -e prod --format sarif --out a.sarif

      agentha-blueprint check spec.yaml --format junit > policies.xml
    """
    from policies.check import run_check

    fmt = format.value
    with spec_errors("json" if fmt == "json" else "text"), progress("synthesizing and checking policies…", quiet=quiet):
        run = run_check(spec, env, config)
    report = run.report
    if fmt == "text" and out is None:
        render_text(report)
    else:
        from policies import report as formats

        if fmt == "json":
            text = formats.to_json(report)
        elif fmt == "sarif":
            text = formats.to_sarif(report, run.context)
        elif fmt == "junit":
            text = formats.to_junit(report)
        else:
            text = text_report(report)
        if out is not None:
            from cli.files import write_files

            with spec_errors("json" if fmt == "json" else "text"):
                write_files({out: text if text.endswith("\n") else text + "\n"}, force=force)
            console(stderr=True).print(
                f"wrote {out}: {len(report.mandatory)} mandatory, {len(report.advisory)} advisory violation(s)"
            )
        else:
            write_stdout(text)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FAILED)


def text_report(report: Report) -> str:
    """The text report as plain lines (for --out)."""
    lines: list[str] = []
    for level in ("mandatory", "advisory"):
        for v in (v for v in report.violations if v.level == level):
            lines.append(f"{level.upper():9}  {v.rule_id}")
            lines.append(f"  {v.message}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    run = sum(1 for r in report.results if r.level != "disabled")
    verdict = "passed" if report.passed else "failed"
    return (
        f"{verdict}: {run} rules over {report.resources} resources; "
        f"{len(report.mandatory)} mandatory, {len(report.advisory)} advisory violation(s)"
    )


def render_text(report: Report) -> None:
    from rich.markup import escape

    out = console()
    for level, colour in (("mandatory", "red"), ("advisory", "yellow")):
        for v in (v for v in report.violations if v.level == level):
            out.print(f"[{colour}]{level}[/{colour}]  [bold]{escape(v.rule_id)}[/bold]  [dim]{v.severity}[/dim]")
            where = f"{v.resource_name}" + (f" [{v.region}]" if v.region else "") if v.resource_name else "stack"
            out.print(f"  resource: {escape(where)}" + (f"   spec: {escape(v.spec_path)}" if v.spec_path else ""))
            out.print(f"  {escape(v.problem)}")
            if v.fix:
                out.print(f"  [green]fix:[/green] {escape(v.fix)}")
    colour = "green" if report.passed else "red"
    out.print(f"[bold {colour}]{escape(_summary(report))}[/bold {colour}]")
