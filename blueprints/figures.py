"""The data table of published SLAs and recovery timings (`blueprints/data/figures.yaml`).

Each figure has an id, a value, what it measures, where it comes from and whether it is published,
secondary or an assumption. A spec can override any figure by id under `assumptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Basis = Literal["published", "secondary", "assumption"]


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
    from ruamel.yaml import YAML

    text = resources.files("blueprints").joinpath("data/figures.yaml").read_text(encoding="utf-8")
    raw = YAML(typ="safe").load(text)
    table: dict[str, Figure] = {}
    sections: tuple[tuple[str, Literal["percent", "seconds"]], ...] = (("slas", "percent"), ("timings", "seconds"))
    for section, unit in sections:
        for fid, item in raw[section].items():
            key = unit
            table[fid] = Figure(
                id=fid,
                value=float(item[key]),
                unit=unit,
                what=item["what"],
                basis=item["basis"],
                source=item["source"],
                note=item.get("note"),
            )
    return table


def known_ids(unit: Literal["percent", "seconds"]) -> list[str]:
    return sorted(f.id for f in _base().values() if f.unit == unit)


def figures(sla_overrides: dict[str, float] | None = None, timing_overrides: dict[str, float] | None = None) -> Figures:
    """The table with overrides (ids already validated by the spec rules)."""
    table = dict(_base())
    for overrides in (sla_overrides or {}, timing_overrides or {}):
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
            )
    return Figures(table)
