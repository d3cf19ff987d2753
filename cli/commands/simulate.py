"""`simulate`: a Monte Carlo of the planned topology, beside `plan`'s closed form.

Needs the spec and the planner only (no Pulumi); numpy is imported inside the command, so neither
`--help` nor the other commands pay for it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.output import EXIT_FAILED, EXIT_OK, console, render_problems, spec_errors, write_stdout

if TYPE_CHECKING:
    from blueprints.plan.simulate import Distribution, Result


class SimulateFormat(StrEnum):
    text = "text"
    json = "json"


class OutageShape(StrEnum):
    exponential = "exponential"
    lognormal = "lognormal"
    pareto = "pareto"


def simulate(
    spec: SpecArg,
    env: EnvOpt = None,
    hours: Annotated[
        float,
        typer.Option("--hours", "-n", help="Simulated hours (more: a tighter confidence interval). At most 1e9."),
    ] = 1e6,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed: the same seed gives the same result.")] = 1,
    outages: Annotated[
        OutageShape,
        typer.Option("--outages", help="Outage lengths: exponential (as the closed form), or heavy-tailed."),
    ] = OutageShape.exponential,
    output: Annotated[
        SimulateFormat, typer.Option("--output", "-o", help="text for people, json for machines.")
    ] = SimulateFormat.text,
) -> None:
    """Check the plan's estimates with a Monte Carlo simulation of failures and failovers.

    Services, zones and regions fail and recover (outage lengths from the figures, exponential or
    heavy-tailed), common-cause events take every region at once, detection and switch times come
    from the mechanisms the components build, replication lags while a region degrades. Reports
    availability with a 95 % confidence interval, downtime per month and RTO/RPO p50/p99 per
    disruption beside `plan`'s closed form. Exit 0 when every objective holds in the simulation, 1
    when one is missed, 2 on bad input.

    [bold]Examples[/bold]

      agentha-blueprint simulate examples/support-agent/spec.yaml --env prod

      agentha-blueprint simulate spec.yaml --hours 1e8 --seed 7 --outages lognormal

      agentha-blueprint simulate spec.yaml -e prod -o json > simulation.json
    """
    from blueprints.figures import figures
    from blueprints.plan.planner import plan as make_plan
    from blueprints.plan.simulate import Options, check_options
    from blueprints.plan.simulate import simulate as run
    from blueprints.spec.loader import load_spec

    fmt = output.value
    with spec_errors(fmt):
        check_options(hours, seed)
        loaded = load_spec(spec, env)
        planned = make_plan(loaded.spec, env)
        s = loaded.spec
        figs = figures(s.assumptions.slas, {k: v.total_seconds() for k, v in s.assumptions.timings.items()})
        result = run(s, planned, figs, Options(hours=hours, seed=seed, outages=outages.value))
    if fmt == "json":
        data = result.to_json()
        data["system"] = planned.system
        data["environment"] = env
        data["warnings"] = [w.to_json() for w in loaded.warnings]
        write_stdout(json.dumps(data, indent=2))
    else:
        if loaded.warnings:
            render_problems(loaded.warnings, stderr=True)
        render_text(result, title=f"{planned.system}" + (f" ({env})" if env else ""))
    raise typer.Exit(EXIT_OK if result.objectives_met else EXIT_FAILED)


def _pct(value: float | None) -> str:
    from blueprints.units import format_percent

    return "—" if value is None else format_percent(value)


def _dur(value: float | None) -> str:
    from blueprints.units import format_duration

    if value is None:
        return "—"
    if value == float("inf"):
        return "unbounded"
    # Whole seconds from 10 s on; a tenth of a second below (format_duration shows the milliseconds).
    return format_duration(round(value) if value >= 10 else round(value, 1))


def _dist(d: Distribution) -> str:
    if d.count == 0:
        return "none happened"
    return f"{_dur(d.p50)} / {_dur(d.p99)}  (n={d.count:,})"


def render_text(result: Result, *, title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(
        f"[bold]simulate {escape(title)}[/bold]: {result.hours:.3g} hours, seed {result.seed}, {result.outages} outages"
    )
    table = Table(title="Simulated beside the closed form", title_justify="left")
    for h in ("", "plan (closed form)", "simulated", "objective", "verdict"):
        table.add_column(h, overflow="fold")
    checks = {c.name: c for c in result.checks}
    a = checks.get("availability")
    verdict = {True: "[green]met[/green]", False: "[bold red]MISSED[/bold red]", None: "no objective"}
    table.add_row(
        "availability",
        _pct(result.closed_form),
        f"{_pct(result.availability)} (95 % CI {_pct(result.ci_low)} – {_pct(result.ci_high)})",
        _pct(a.objective) if a else "—",
        (verdict[a.met] + (" (inside the CI)" if "inside the 95 % CI" in a.how else "")) if a else "",
    )
    closed_down = None if result.closed_form is None else (1 - result.closed_form / 100) * 30 * 86400
    table.add_row("downtime / 30 days", _dur(closed_down), _dur(result.downtime_month_s), "", "")
    for kind, dists in (("RTO", result.rto), ("RPO", result.rpo)):
        for disruption, dist in dists.items():
            c = checks.get(f"{kind} {disruption}")
            table.add_row(
                f"{kind} {disruption} p50 / p99",
                _dur(c.closed_form) if c else "—",
                escape(_dist(dist)),
                _dur(c.objective) if c and c.objective is not None else "—",
                verdict[c.met] if c else "not an objective",
            )
    out.print(table)
    if result.rpo_above_bound is not None:
        out.print(
            f"RPO region: {result.rpo_above_bound * 100:.1f} % of simulated region losses lost more than the plan's "
            "bound (the replication-lag alarm had paged before the region was lost)."
        )
    for q in result.queues:
        if q.delay.count == 0:
            continue
        lost = (
            ""
            if q.lost_share is None
            else f"; lost in {q.lost_share * 100:.2g} % of them (out longer than {_dur(q.retention_s)})"
        )
        out.print(
            f"queue {escape(q.queue)}: messages left in a failed-over region are delayed until it returns, "
            f"p50 {_dur(q.delay.p50)} / p99 {_dur(q.delay.p99)}{lost}."
        )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for note in result.assumptions:
        grid.add_row("[dim]assumes[/dim]", escape(note))
    out.print(grid)
