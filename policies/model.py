"""What a rule is, and what a check reports.

A rule is data (id, severity, topics, one-line description, default enforcement level, why, fix)
plus one `validate(args, report_violation)` function written against pulumi-policy's own argument
types (`ResourceValidationArgs` / `StackValidationArgs`). The CrossGuard pack hands that very
function to the Pulumi engine; `agentha-blueprint check` calls it with arguments built from the
captured graph. There is no second copy of a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Topic = Literal["availability", "durability", "security", "observability"]
Severity = Literal["low", "medium", "high", "critical"]
Level = Literal["mandatory", "advisory", "disabled"]
LEVELS: tuple[Level, ...] = ("mandatory", "advisory", "disabled")
TOPICS: tuple[Topic, ...] = ("availability", "durability", "security", "observability")
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")

RULE_ID = re.compile(r"^agentha-[a-z0-9]+(-[a-z0-9]+){3,}$")
"""`agentha-<service>-<resource>-<verb>-<thing>`: at least four dash-separated words after the prefix."""

ReportViolation = Callable[..., None]
Validate = Callable[[Any, ReportViolation], Any]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One policy: metadata for people and reports, and the function that checks it."""

    id: str
    description: str
    """One line: what must hold (shown by Pulumi in front of every violation message)."""
    severity: Severity
    topics: tuple[Topic, ...]
    enforcement: Level
    """Default level; `agentha-policy.yaml` (or Pulumi's own pack config) may change it."""
    always_mandatory: bool = False
    """A guarantee, not a preference: `agentha-policy.yaml` may not lower it (naming it below
    `mandatory` is a config error) and its `default` and `topics` levels do not reach it."""
    advisory_reason: str = ""
    """Why the default is advisory, not mandatory: a rule of the pack that protects availability or
    data is mandatory unless this says what makes a finding a choice a team may legitimately make
    (tests/policies/test_registry.py requires it of every advisory rule). The catalog shows it."""
    why: str
    """Why a reliability or security engineer cares (docs, SARIF help)."""
    fix: str
    """The usual fix, in general terms (each violation message carries its specific fix)."""
    validate: Validate

    def __post_init__(self) -> None:
        problems = []
        if not RULE_ID.match(self.id):
            problems.append(f"id {self.id!r} is not agentha-<service>-<resource>-<verb>-<thing>")
        if not self.topics or any(t not in TOPICS for t in self.topics):
            problems.append(f"topics {self.topics!r} must be some of {TOPICS}")
        if self.severity not in SEVERITIES:
            problems.append(f"severity {self.severity!r} must be one of {SEVERITIES}")
        if self.enforcement not in LEVELS:
            problems.append(f"enforcement {self.enforcement!r} must be one of {LEVELS}")
        if self.enforcement != "advisory" and self.advisory_reason:
            problems.append("advisory_reason is only for rules whose default is advisory")
        if self.always_mandatory and self.enforcement != "mandatory":
            problems.append("an always-mandatory rule must have enforcement 'mandatory'")
        if "\n" in self.description or not self.description.strip():
            problems.append("description must be one non-empty line")
        if problems:
            raise ValueError(f"rule {self.id}: " + "; ".join(problems))

    @property
    def kind(self) -> Literal["resource", "stack"]:
        raise NotImplementedError

    def check(self, args: Any, report_violation: ReportViolation) -> Any:
        """What the engine calls (the pack hands exactly this function to pulumi-policy)."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class ResourceRule(Rule):
    """Checks one resource at a time; `types` are the Pulumi type tokens it looks at."""

    types: tuple[str, ...]

    @property
    def kind(self) -> Literal["resource", "stack"]:
        return "resource"

    def check(self, args: Any, report_violation: ReportViolation) -> Any:
        """What the engine calls for every resource: the type filter, then `validate`."""
        if args.resource_type in self.types:
            return self.validate(args, report_violation)
        return None


@dataclass(frozen=True, kw_only=True)
class StackRule(Rule):
    """Checks the whole stack at once (relations between resources, the spec, the plan)."""

    @property
    def kind(self) -> Literal["resource", "stack"]:
        return "stack"

    def check(self, args: Any, report_violation: ReportViolation) -> Any:
        return self.validate(args, report_violation)


@dataclass(frozen=True)
class Violation:
    """One finding: which rule, at what level, on which resource, from which spec path, and the fix."""

    rule_id: str
    level: Level
    severity: Severity
    topics: tuple[Topic, ...]
    message: str
    problem: str
    fix: str
    urn: str | None = None
    resource_name: str | None = None
    resource_type: str | None = None
    region: str | None = None
    spec_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "level": self.level,
            "severity": self.severity,
            "topics": list(self.topics),
            "resource": self.resource_name,
            "type": self.resource_type,
            "region": self.region,
            "urn": self.urn,
            "specPath": self.spec_path,
            "problem": self.problem,
            "fix": self.fix,
            "message": self.message,
        }


@dataclass(frozen=True)
class RuleResult:
    """A rule's outcome in one check: its level, what it looked at, and what it found."""

    rule: Rule
    level: Level
    checked: int
    """Resources the rule looked at (1 for a stack rule that ran, 0 when disabled or nothing matched)."""
    violations: tuple[Violation, ...] = ()
    not_applicable: str | None = None

    @property
    def passed(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Report:
    """Everything one `check` found."""

    spec_file: str
    environment: str | None
    stack: str
    resources: int
    results: tuple[RuleResult, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def violations(self) -> list[Violation]:
        return [v for r in self.results for v in r.violations]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "advisory"]

    @property
    def passed(self) -> bool:
        """No mandatory violation (advisory findings never fail a check)."""
        return not self.mandatory
