"""Semantic rules: relations between fields that a schema cannot express.

Each rule is a function registered with `@rule(id, summary)` that yields problems for a validated
spec; `check(spec, doc)` runs all of them and returns every problem at once. Rules live in small
topic modules (topology, references, queues, stores, agents, network) and each has tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from blueprints.errors import Problem, Severity
from blueprints.spec.document import Document, PathT, format_path
from blueprints.spec.models import HASpec


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the validated spec and the document it came from (for positions)."""

    spec: HASpec
    doc: Document
    rule_id: str

    def problem(
        self,
        path: PathT,
        message: str,
        fix: str,
        *,
        value: Any = None,
        allowed: str | None = None,
        severity: Severity = "error",
    ) -> Problem:
        location, written_at = self.doc.locate(path)
        if isinstance(value, str):
            value = self.as_written(path, value)
        return Problem(
            rule=self.rule_id,
            path=format_path(path),
            message=message,
            fix=fix,
            location=location,
            value=value,
            allowed=allowed,
            severity=severity,
            written_at=written_at,
        )

    def as_written(self, path: PathT, shown: str) -> str:
        """`shown` (a duration as the tool formats it, e.g. 1d) in the user's own words when the value
        at `path` was written as the same duration another way (24h): echo what they wrote."""
        raw = self.doc.get(path)
        if not isinstance(raw, str) or raw == shown:
            return shown
        from blueprints.units import UnitError, parse_duration

        try:
            same = parse_duration(raw) == parse_duration(shown)
        except UnitError:
            return shown
        return raw if same else shown


RuleFn = Callable[[RuleContext], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    fn: RuleFn


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[RuleFn], RuleFn]:
    """Register a semantic rule under a stable id (shown to users, used in tests)."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise RuntimeError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, summary, fn)
        return fn

    return register


def _load_rule_modules() -> None:
    from blueprints.spec.rules import (  # noqa: F401 - imported for their @rule registrations
        agents,
        assumptions,
        aws,
        calls,
        dependencies,
        metadata,
        network,
        queues,
        references,
        stores,
        topology,
    )


def check(spec: HASpec, doc: Document) -> list[Problem]:
    """Run every rule; return all problems (errors and warnings)."""
    _load_rule_modules()
    problems: list[Problem] = []
    for r in RULES.values():
        problems.extend(r.fn(RuleContext(spec, doc, r.id)))
    return problems
