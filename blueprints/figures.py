"""The data table of published SLAs and recovery timings (`blueprints/data/figures.yaml`).

Each figure has an id, a value, what it measures, where it comes from and whether it is published,
secondary or an assumption. A spec can override any figure by id under `assumptions`.

Reading the table: an SLA is the threshold below which the provider pays a service credit, not
a measured availability. A timing is marked `kind: bound` (documented as the most it takes),
`typical` (what it usually takes; not a bound: it can be much longer when things go wrong) or
`setting` (a default value of a setting; it changes when the setting does). `shares` are fractions
(percent) such as the share of region failures that hit every region at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Basis = Literal["published", "secondary", "assumption"]
Kind = Literal["bound", "typical", "setting"]
Section = Literal["slas", "timings", "shares"]

OUTAGE_FIGURES = {
    "region": "outage-region",
    "zone": "outage-zone",
    "service": "outage-service",
    "dependency": "outage-dependency",
}
"""`assumptions.outages.<level>` overrides these timings."""
COMMON_CAUSE_FIGURE = "common-cause-region"
"""`assumptions.common_cause` overrides this share."""


@dataclass(frozen=True)
class Figure:
    id: str
    value: float
    unit: Literal["percent", "seconds"]
    what: str
    basis: Basis
    source: str
    note: str | None = None
    overridden: bool = False
    kind: Kind | None = None
    """Timings only: bound, typical or setting (see the module docstring)."""
    section: Section = "slas"


@dataclass(frozen=True)
class Figures:
    """The table, with the spec's overrides applied."""

    table: dict[str, Figure]

    def __getitem__(self, figure_id: str) -> Figure:
        return self.table[figure_id]

    def value(self, figure_id: str) -> float:
        return self.table[figure_id].value


@cache
def _base() -> dict[str, Figure]:
    import yaml  # our own data file needs no positions: PyYAML's C loader reads it 10x faster than ruamel

    text = resources.files("blueprints").joinpath("data/figures.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    table: dict[str, Figure] = {}
    sections: tuple[tuple[Section, Literal["percent", "seconds"]], ...] = (
        ("slas", "percent"),
        ("timings", "seconds"),
        ("shares", "percent"),
    )
    for section, unit in sections:
        for fid, item in (raw.get(section) or {}).items():
            table[fid] = Figure(
                id=fid,
                value=float(item[unit]),
                unit=unit,
                what=item["what"],
                basis=item["basis"],
                source=item["source"],
                note=item.get("note"),
                kind=item.get("kind"),
                section=section,
            )
    return table


def known_ids(unit: Literal["percent", "seconds"]) -> list[str]:
    """Ids a spec may override under `assumptions.slas` (percent) or `assumptions.timings` (seconds)."""
    return sorted(f.id for f in _base().values() if f.unit == unit and f.section != "shares")


def figures(
    sla_overrides: dict[str, float] | None = None,
    timing_overrides: dict[str, float] | None = None,
    share_overrides: dict[str, float] | None = None,
) -> Figures:
    """The table with overrides (ids already validated by the spec rules)."""
    table = dict(_base())
    for overrides in (sla_overrides or {}, timing_overrides or {}, share_overrides or {}):
        for fid, value in overrides.items():
            base = table[fid]
            table[fid] = Figure(
                id=fid,
                value=float(value),
                unit=base.unit,
                what=base.what,
                basis="assumption",
                source="spec: assumptions",
                note=f"overrides {base.value:g}",
                overridden=True,
                kind=base.kind,
                section=base.section,
            )
    return Figures(table)


def for_spec(assumptions: Any) -> Figures:
    """The table with every override a spec's `assumptions` makes (slas, timings, outages, common_cause)."""
    timings = {k: v.total_seconds() for k, v in assumptions.timings.items()}
    for level, fid in OUTAGE_FIGURES.items():
        length = getattr(assumptions.outages, level)
        if length is not None:
            timings[fid] = length.total_seconds()
    shares = {} if assumptions.common_cause is None else {COMMON_CAUSE_FIGURE: float(assumptions.common_cause)}
    return figures(dict(assumptions.slas), timings, shares)
