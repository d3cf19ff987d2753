"""The plan as a person reads it: rich tables in a terminal, or Markdown for a pull request.

Both renderings come from one list of sections (title, header, rows), so they never drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from blueprints.plan.models import AgentPlan, Estimate, TopologyPlan
from blueprints.units import format_duration, format_memory, format_percent


@dataclass(frozen=True)
class Section:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    prose: bool = False
    """Long sentences: a terminal shows them as lines, Markdown as a table."""


def show_value(est: Estimate, value: float | None) -> str:
    if value is None:
        return "—" if est.objective is None and est.kind != "availability" else "unbounded"
    if est.kind == "availability":
        return format_percent(value)
    return format_duration(value)


def verdict(est: Estimate) -> str:
    return {True: "met", False: "MISSED", None: "no objective"}[est.met]


def margin(est: Estimate) -> str:
    m = est.margin
    if m is None:
        return ""
    if est.kind == "availability":
        return f"{m:+.4f} pts"
    return ("+" if m >= 0 else "-") + format_duration(abs(m))


def estimate_name(est: Estimate) -> str:
    return "availability" if est.kind == "availability" else f"{est.kind.upper()} {est.disruption}"


def _size(agent: AgentPlan) -> str:
    """The agent's size, and on aws the Fargate task it runs in when that differs (the collector sidecar's
    memory on top, rounded to a size Fargate offers): what the task definition states."""
    own = f"{agent.cpu:g} vCPU / {format_memory(agent.memory_mib)}"
    t = agent.task
    if t is None or (t.cpu_units, t.memory_mib) == (int(agent.cpu * 1024), agent.memory_mib):
        return own
    return f"{own} (task {t.vcpu:g} vCPU / {format_memory(t.memory_mib)} with the collector)"


def _limits(rpm: int | None, tpm: int | None) -> str:
    parts = [f"{rpm:,} requests" if rpm else "", f"{tpm:,} tokens" if tpm else ""]
    return ", ".join(p for p in parts if p) or "—"


def sections(plan: TopologyPlan) -> list[Section]:
    out: list[Section] = []
    out.append(
        Section(
            "Objectives",
            ("objective", "target", "estimate", "verdict", "margin"),
            tuple(
                (
                    estimate_name(e),
                    show_value(e, e.objective) if e.objective is not None else "—",
                    show_value(e, e.value),
                    verdict(e),
                    margin(e),
                )
                for e in plan.estimates
            ),
        )
    )
    out.append(
        Section(
            "Regions",
            ("region", "role", "serving", "compute", "zones", "network"),
            tuple(
                (
                    r.name,
                    r.role,
                    "yes" if r.serving else "no",
                    r.compute,
                    ", ".join(r.zones),
                    r.network.existing_vpc_id or r.network.cidr or "cluster network",
                )
                for r in plan.regions
            ),
        )
    )
    rows = []
    for a in plan.workloads:
        for p in a.placements:
            rows.append(
                (
                    a.name,
                    p.region,
                    " + ".join(str(n) for n in p.per_zone) + f" = {p.desired}",
                    f"{p.min}-{p.max}",
                    str(p.survivors_after_zone_loss),
                    _size(a),
                )
            )
    out.append(
        Section(
            "Agents (replicas per zone)",
            ("agent", "region", "per zone", "min-max", "after zone loss", "size"),
            tuple(rows),
        )
    )
    if plan.stores:
        out.append(
            Section(
                "Stores",
                ("store", "engine", "primary", "replicas", "replication"),
                tuple(
                    (
                        st.name,
                        st.engine + (" (cache)" if st.cache else ""),
                        st.primary_region,
                        (", ".join(st.replica_regions) or "—")
                        + (f" (witness: {st.witness_region})" if st.witness_region else ""),
                        st.replication + (f"; writes {st.writes}" if st.writes else ""),
                    )
                    for st in plan.stores
                ),
            )
        )
        out.append(
            Section(
                "On loss",
                ("store", "zone loss", "region loss"),
                tuple((st.name, st.on_zone_loss, st.on_region_loss) for st in plan.stores),
                prose=True,
            )
        )
    if plan.dependencies:
        out.append(
            Section(
                "Dependencies",
                ("dependency", "kind", "availability", "falls back to", "called by"),
                tuple(
                    (
                        d.name,
                        d.kind,
                        f"{format_percent(d.availability_percent)} ({d.basis}"
                        + (f", figure {d.figure}" if d.figure else "")
                        + ")",
                        (" → ".join(d.fallback) or "—")
                        + (f" (calls wait up to {format_duration(d.switch_s)})" if d.switch_s else ""),
                        ", ".join(d.callers) or "—",
                    )
                    for d in plan.dependencies
                ),
            )
        )
    if plan.gateway is not None:
        gw = plan.gateway
        limits = {name: (rpm, tpm) for name, rpm, tpm in gw.rate_limits}
        out.append(
            Section(
                "Model gateway (LiteLLM proxy in every region with agents)",
                (
                    "provider",
                    "fallbacks in order",
                    "timeout",
                    "retries",
                    "cooldown",
                    "limits per minute",
                    "limits held in",
                ),
                tuple(
                    (
                        name,
                        " → ".join(dict(gw.fallbacks).get(name, ())) or "—",
                        format_duration(gw.timeout(name)),
                        str(gw.retries),
                        f"{format_duration(gw.cooldown_s)} after {gw.allowed_fails} fails",
                        _limits(*limits.get(name, (None, None))),
                        gw.rate_limit_store or "each replica (its share)",
                    )
                    for name in gw.providers
                ),
            )
        )
    if plan.queues:
        out.append(
            Section(
                "Queues",
                ("queue", "kind", "regions", "visibility", "retention", "dead letters after", "dead-letter retention"),
                tuple(
                    (
                        q.name,
                        "fifo" if q.fifo else "standard",
                        ", ".join(q.regions),
                        format_duration(q.visibility_timeout_s),
                        format_duration(q.retention_s),
                        f"{q.max_receive_count} receives",
                        format_duration(q.dead_letter_retention_s),
                    )
                    for q in plan.queues
                ),
            )
        )
    if plan.routing is not None:
        r = plan.routing
        out.append(
            Section(
                "Routing",
                ("domain", "mode", "records", "region judged by", "TTL", "detect + switch"),
                (
                    (
                        r.domain,
                        r.mode + ("" if r.automatic else " (manual)"),
                        ", ".join(
                            f"{rec.region}{' ' + rec.failover_role if rec.failover_role else ''}" for rec in r.records
                        ),
                        _region_check(plan),
                        format_duration(r.ttl_s),
                        format_duration(plan.timing.region_detection.seconds + plan.timing.region_switch.seconds)
                        if plan.timing is not None and r.mechanism != "none"
                        else "-",
                    ),
                ),
            )
        )
    if plan.timing is not None and plan.timing.switch_plan:
        # The failover workflow of the ARC Region switch plan the stack builds, as the region RTO counts it.
        out.append(
            Section(
                "Region switch plan (failover workflow)",
                ("step", "what it does", "expected", "rests on"),
                tuple(
                    (
                        str(i),
                        st.label,
                        format_duration(st.seconds),
                        ", ".join(dict.fromkeys(t.figure or t.basis or "" for t in st.terms if t.figure or t.basis)),
                    )
                    for i, st in enumerate(plan.timing.switch_plan, start=1)
                ),
            )
        )
    if plan.chaos.drills:
        out.append(
            Section(
                f"Chaos drills ({plan.chaos.schedule})",
                ("drill", "disruption", "target", "expected RTO", "expected RPO"),
                tuple(
                    (
                        d.name,
                        d.disruption,
                        d.target,
                        format_duration(d.expected_rto_s) if d.expected_rto_s is not None else "unbounded",
                        format_duration(d.expected_rpo_s) if d.expected_rpo_s is not None else "unbounded",
                    )
                    for d in plan.chaos.drills
                ),
            )
        )
    return out


def _title(plan: TopologyPlan) -> str:
    env = f" (environment {plan.environment})" if plan.environment else ""
    standby = f", {plan.standby} standby" if plan.standby else ""
    return f"{plan.system}{env}: {plan.target}, {plan.pattern}{standby}"


def explanations(plan: TopologyPlan) -> list[tuple[str, list[str]]]:
    """Per estimate: the formula, inputs, assumptions and suggestion, as lines."""
    out = []
    for e in plan.estimates:
        lines = [e.formula]
        for t in e.terms:
            if t.value is None:
                shown = "—"
            elif t.unit == "percent":
                shown = f"{t.value:g}%"
            elif t.unit == "seconds":
                shown = format_duration(t.value)
            else:
                shown = f"{t.value:g}"
            origin = f" [{t.figure}, {t.basis}]" if t.figure else ""
            lines.append(f"  {t.label}: {shown}{origin}")
        lines += [f"  assumes: {a}" for a in e.assumptions]
        if e.suggestion:
            lines.append(f"  → {e.suggestion}")
        out.append((estimate_name(e), lines))
    return out


MAX_UNBROKEN = 24
"""Widest name a table cell keeps whole (region, agent and store names are DNS-safe, ≤ 40 characters)."""
NAME_COLUMNS = frozenset({"region", "primary"})


def render_text(plan: TopologyPlan, *, explain: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cli.output import console

    out = console()
    out.print(f"[bold]{escape(_title(plan))}[/bold]")
    for section in sections(plan):
        if section.prose:
            # Two columns, so a long sentence wraps under itself rather than under its label.
            out.print(f"[italic]{escape(section.title)}[/italic]")
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column()
            for row in section.rows:
                for header, cell in zip(section.header[1:], row[1:], strict=True):
                    grid.add_row(f"  {escape(row[0])}, {escape(header)}:", escape(cell))
            out.print(grid)
            continue
        table = Table(title=section.title, title_justify="left", show_lines=False)
        for i, h in enumerate(section.header):
            # A name (the row's subject, a region) is never cut in two unless it alone is wider than
            # MAX_UNBROKEN; other cells wrap between words, then fold.
            longest = max((len(c) for row in section.rows for c in [row[i]]), default=0)
            whole = (
                (i == 0 or h in NAME_COLUMNS)
                and longest <= MAX_UNBROKEN
                and " " not in "".join(row[i] for row in section.rows)
            )
            table.add_column(h, overflow="fold", no_wrap=whole)
        for row in section.rows:
            styled = [escape(c) for c in row]
            if section.title == "Objectives":
                styled[3] = {"met": "[green]met[/green]", "MISSED": "[bold red]MISSED[/bold red]"}.get(row[3], row[3])
            table.add_row(*styled)
        out.print(table)
    notes = Table.grid(padding=(0, 1))
    notes.add_column(no_wrap=True)
    notes.add_column()
    for f in plan.findings:
        colour = {"warning": "yellow", "error": "red"}.get(f.severity, "blue")
        notes.add_row(
            f"[{colour}]{f.severity}[/{colour}]",
            escape(f.message) + (f" [green]fix:[/green] {escape(f.fix)}" if f.fix else ""),
        )
    for e in plan.estimates:
        if e.met is False:
            notes.add_row("[bold red]MISSED[/bold red]", f"{escape(estimate_name(e))}: {escape(e.suggestion or '')}")
    if notes.row_count:
        out.print(notes)
    if explain:
        for name, lines in explanations(plan):
            out.print(f"\n[bold]{escape(name)}[/bold]")
            for line in lines:
                out.print(escape(line))
    else:
        out.print("[dim]Formulas, figures and assumptions: add --explain.[/dim]")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(plan: TopologyPlan) -> str:
    lines = [f"# {_title(plan)}", ""]
    for section in sections(plan):
        lines += [f"## {section.title}", "", *_md_table(section.header, section.rows), ""]
    if plan.findings:
        lines += ["## Findings", ""]
        lines += [f"- **{f.severity}** {f.message}" + (f" — fix: {f.fix}" if f.fix else "") for f in plan.findings]
        lines.append("")
    lines += ["## How each estimate is computed", ""]
    for name, body in explanations(plan):
        lines += [f"### {name}", "", "```", *body, "```", ""]
    return "\n".join(lines)


def _region_check(plan: TopologyPlan) -> str:
    """What the deployed system fails a region over on (blueprints/plan/timing.py), not the spec's
    `failover.health_check` where nothing reads it."""
    r = plan.routing
    assert r is not None
    if r.mechanism == "route53-https":
        return f"Route 53 HTTPS {r.health_path} every {format_duration(r.interval_s)}, {r.failure_threshold} failures"
    if r.mechanism == "route53-alarm":
        alarm = plan.observability.alarms.no_healthy_host
        window = f", {alarm.evaluation_periods} × {format_duration(alarm.period_s)}" if alarm else ""
        return f"CloudWatch alarm: no healthy host{window}"
    if r.mechanism == "k8gb":
        reconcile = f", reconcile every {format_duration(r.reconcile_s)}" if r.reconcile_s else ""
        return f"k8gb: ingress agent readiness{reconcile}"
    return "none (one region)"
