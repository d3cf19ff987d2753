"""The one domain exception and the problem records it carries.

Everything below the CLI raises `SpecError` for bad input; only `cli/` turns it into output and an
exit code. A `Problem` carries what a person needs to fix the spec without reading our code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where a value was written: file, 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class Problem:
    """One mistake in a spec, explained.

    `path` is the spec path in the effective spec (`agents[1].replicas.min`); `written_at` is the
    path where the value was actually written when an environment override set it
    (`environments.dev.agents[0].replicas.min`); `environment` names the environment(s) whose merged
    spec has the problem, when the base spec as written does not.
    """

    rule: str
    path: str
    message: str
    fix: str
    location: Location
    value: Any = None
    allowed: str | None = None
    severity: Severity = "error"
    written_at: str | None = None
    environment: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["location"] = asdict(self.location)
        return data


@dataclass
class SpecError(Exception):
    """Raised with every problem found in a spec, never just the first one."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0] if errors else (self.problems[0] if self.problems else None)
        if first is None:
            return "invalid spec"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{first.location}: {first.path}: {first.message}{more}"

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> SpecError:
        return cls(sorted(problems, key=_problem_order))

    @classmethod
    def one(
        cls,
        rule: str,
        path: str,
        message: str,
        fix: str,
        location: Location,
        *,
        value: Any = None,
        allowed: str | None = None,
    ) -> SpecError:
        """A SpecError of a single problem: a mistake that stops the reading before anything else can be
        checked (a missing or unreadable file, a document that is not a mapping, an unknown environment)."""
        return cls([Problem(rule, path, message, fix, location, value=value, allowed=allowed)])


def _problem_order(p: Problem) -> tuple[str, int, int, str]:
    return (p.location.file, p.location.line or 0, p.location.column or 0, p.rule)
