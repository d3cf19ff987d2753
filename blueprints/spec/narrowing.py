"""An environment that narrows a multi-region pattern to one region drops what no longer applies.

A base spec written for prod (active-passive or active-active) often has a `dev` environment that
says `pattern: multi-zone` with one region. Settings that only mean something across regions — the
standby temperature, a region objective, a region-outage drill — would then be refused in dev for
what dev merely inherits, and the natural fix ("remove `standby`") would break prod. So, when the
environment's merged pattern is single-region and the base's is multi-region, such settings that
the environment did not write itself are dropped from the merged spec, and each drop is reported as
a warning that names where the setting was written and how to keep it out of the warning. A setting
the environment wrote itself is never dropped: it is the environment's own mistake, and the usual
rule reports it at the environment's line.
"""

from __future__ import annotations

from blueprints.errors import Location, Problem
from blueprints.spec.document import Document, PathT, Pos, format_path

MULTI_REGION = frozenset({"active-passive", "active-active"})
RULE = "environment-narrows-pattern"


def narrow(base: Document, merged: Document, environment: str) -> tuple[Document, list[Problem]]:
    """The merged document less the inherited multi-region settings, and one warning per drop."""
    base_pattern = base.get(("topology", "pattern"))
    pattern = merged.get(("topology", "pattern"))
    if base_pattern not in MULTI_REGION or pattern in MULTI_REGION or not isinstance(pattern, str):
        return merged, []
    notes: list[Problem] = []

    def inherited(path: PathT) -> bool:
        pos = merged.positions.get(path)
        return pos is not None and pos.written_at is None

    def note(path: PathT, what: str, value: object) -> None:
        pos = merged.positions[path]
        notes.append(
            Problem(
                rule=RULE,
                path=format_path(path),
                message=f"this environment runs pattern {pattern} (one region), so it leaves out {what} "
                f"that it inherits from the base ({base_pattern})",
                fix=f"nothing to do if that is what you meant; to say so explicitly, write it under "
                f"`environments.{environment}` (e.g. `{_override_hint(path)}`)",
                location=Location(merged.file, pos.line, pos.column),
                value=value,
                severity="warning",
                environment=environment,
            )
        )

    data = merged.data
    topology = data.get("topology")
    if isinstance(topology, dict) and topology.get("standby") is not None and inherited(("topology", "standby")):
        note(("topology", "standby"), "`topology.standby`", topology["standby"])
        del topology["standby"]
        _forget(merged, ("topology", "standby"))
    disruptions = merged.get(("objectives", "disruptions"))
    if isinstance(disruptions, dict) and disruptions.get("region") is not None:
        path: PathT = ("objectives", "disruptions", "region")
        if inherited(path):
            note(path, "the region objective", None)
            del disruptions["region"]
            _forget(merged, path)
    drills = merged.get(("chaos", "drills"))
    if isinstance(drills, list):
        keep: list[object] = []
        moved: dict[PathT, Pos] = {}
        for index, drill in enumerate(drills):
            path = ("chaos", "drills", index)
            if drill == "region-outage" and inherited(path):
                note(path, "the region-outage drill", drill)
                continue
            for p, pos in list(merged.positions.items()):
                if p[:3] == path:
                    moved[("chaos", "drills", len(keep), *p[3:])] = pos
            keep.append(drill)
        if len(keep) != len(drills):
            _forget(merged, ("chaos", "drills"), below_only=True)
            merged.positions.update(moved)
            drills[:] = keep
    return merged, notes


def _forget(doc: Document, prefix: PathT, *, below_only: bool = False) -> None:
    """Forget the positions at `prefix` and under it (only under it with below_only)."""
    n = len(prefix)
    for p in [p for p in doc.positions if p[:n] == prefix and (len(p) > n or not below_only)]:
        del doc.positions[p]


def _override_hint(path: PathT) -> str:
    if path == ("topology", "standby"):
        return "topology: {standby: null}"
    if path == ("objectives", "disruptions", "region"):
        return "objectives: {disruptions: {region: null}}"
    return "chaos: {drills: [zone-outage]}"
