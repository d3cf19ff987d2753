"""Rules on `assumptions`: overrides name figures that exist in the data table."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.figures import known_ids
from blueprints.spec.rules import RuleContext, rule


@rule("assumption-ids", "Assumption overrides name figures of the data table.")
def assumption_ids(ctx: RuleContext) -> Iterator[Problem]:
    for field, known in (("slas", known_ids("percent")), ("timings", known_ids("seconds"))):
        for fid in getattr(ctx.spec.assumptions, field):
            if fid not in known:
                close = difflib.get_close_matches(fid, known, n=1)
                yield ctx.problem(
                    ("assumptions", field, fid),
                    f"no {field[:-1]} figure is called '{fid}'",
                    (f"did you mean '{close[0]}'? " if close else "") + f"known: {', '.join(known)}",
                    value=fid,
                )
