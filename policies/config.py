"""`agentha-policy.yaml`: enforcement levels per rule, read by `check` and by the CrossGuard pack.

    apiVersion: agentha.dev/v1
    kind: PolicyConfig
    default: advisory            # optional: level of every rule not named below
    topics:                      # optional: level per topic (availability, durability, security, observability)
      observability: advisory
    rules:                       # optional: level per rule id (wins over topics and default)
      agentha-aws-ecs-service-enable-circuit-breaker: mandatory
      agentha-kubernetes-workload-require-network-policy: disabled

Levels are `mandatory` (a violation fails `check` with exit 1 and blocks `pulumi up`), `advisory`
(shown, never fails) and `disabled` (not evaluated). A rule takes the level of its id under
`rules`, else of its first topic listed under `topics`, else `default`, else its own default.

A rule marked `always_mandatory` (the plan meets its objectives) stays mandatory: naming it under
`rules` with a lower level is an error, and `default` and `topics` levels do not reach it, so
`default: advisory` still fails `check` on a missed objective.

Where the file is found (first hit wins): the path given (`check --config FILE`, or the stack
config key `agentha:policyConfig` inside the engine); `agentha-policy.yaml` beside the spec; the
same name in the project root (the nearest folder holding Pulumi.yaml above the spec).
Unknown keys, unknown rule ids and unknown levels are errors, reported together with their line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from blueprints.errors import Location, Problem, SpecError
from policies.model import LEVELS, TOPICS, Level, Rule

CONFIG_FILE = "agentha-policy.yaml"
API_VERSION = "agentha.dev/v1"
KIND = "PolicyConfig"


@dataclass(frozen=True)
class PolicyConfig:
    """Enforcement overrides; an empty config leaves every rule at its own default."""

    default: Level | None = None
    topics: Mapping[str, Level] = field(default_factory=dict)
    rules: Mapping[str, Level] = field(default_factory=dict)
    """Level per rule id. `parse_config` refuses a file lowering an always-mandatory rule; a config
    built in code is trusted as given (tests use it to switch a rule off)."""
    file: str | None = None

    def level(self, rule: Rule) -> Level:
        if rule.id in self.rules:  # from a file, never below mandatory for an always-mandatory rule
            return self.rules[rule.id]
        if rule.always_mandatory:  # broad levels (`topics`, `default`) do not reach it
            return rule.enforcement
        for topic in rule.topics:
            if topic in self.topics:
                return self.topics[topic]
        if self.default is not None:
            return self.default
        return rule.enforcement


def find_config(spec_path: str | Path | None, explicit: str | Path | None = None) -> Path | None:
    """The config file to use (see the module doc), or None for the rules' defaults."""
    if explicit is not None:
        return Path(explicit)
    if spec_path is None:
        return None
    from stacks.settings import project_root

    folder = Path(spec_path).resolve().parent
    for candidate in (folder / CONFIG_FILE, project_root(folder) / CONFIG_FILE):
        if candidate.is_file():
            return candidate
    return None


def load_config(path: str | Path | None, rules: Iterable[Rule]) -> PolicyConfig:
    """Read and check a config file (None: defaults); SpecError lists every problem with its line."""
    if path is None:
        return PolicyConfig()
    from blueprints.spec.loader import read_document

    if Path(path).is_dir():
        raise folder_problem(path)
    if not Path(path).is_file():
        raise missing_file_problem(path)
    doc = read_document(path)
    return parse_config(doc.data, doc, rules)


def parse_text(text: str, rules: Iterable[Rule], file: str = "<policy config>") -> PolicyConfig:
    from blueprints.spec.document import parse_yaml

    doc = parse_yaml(text, file)
    return parse_config(doc.data, doc, rules)


def parse_config(data: Any, doc: Any, rules: Iterable[Rule]) -> PolicyConfig:
    rules = list(rules)
    known = {r.id for r in rules}
    always = {r.id: r for r in rules if r.always_mandatory}
    problems: list[Problem] = []

    def problem(path: tuple[str, ...], message: str, fix: str, value: Any = None, allowed: str | None = None) -> None:
        location, _ = doc.locate(path)
        problems.append(
            Problem(
                rule="policy-config",
                path=".".join(path) or "(document)",
                message=message,
                fix=fix,
                location=location,
                value=value,
                allowed=allowed,
            )
        )

    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem((), "a policy config is a YAML mapping", f"start with `apiVersion: {API_VERSION}` and `kind: {KIND}`")
        raise SpecError.of(problems)
    allowed_keys = ("apiVersion", "kind", "default", "topics", "rules")
    for key in data:
        if key not in allowed_keys:
            problem(
                (key,),
                f"unknown key '{key}'",
                "remove it" + _did_you_mean(key, allowed_keys),
                value=key,
                allowed=", ".join(allowed_keys),
            )
    if data.get("apiVersion", API_VERSION) != API_VERSION:
        problem(("apiVersion",), "unsupported apiVersion", f"set apiVersion: {API_VERSION}", value=data["apiVersion"])
    if data.get("kind", KIND) != KIND:
        problem(("kind",), "wrong kind for a policy config", f"set kind: {KIND}", value=data["kind"])

    def level_at(path: tuple[str, ...], value: Any) -> Level | None:
        if value not in LEVELS:
            problem(
                path,
                "not an enforcement level",
                "use mandatory, advisory or disabled",
                value=value,
                allowed=", ".join(LEVELS),
            )
            return None
        return cast(Level, value)

    def section(key: str, message: str, fix: str) -> dict[Any, Any]:
        """An optional mapping (`topics`, `rules`); anything else is a problem, read as empty."""
        raw = data.get(key) or {}
        if not isinstance(raw, dict):
            problem((key,), message, fix)
            return {}
        return raw

    default = level_at(("default",), data["default"]) if data.get("default") is not None else None
    topics: dict[str, Level] = {}
    raw_topics = section("topics", "topics is a mapping of topic to level", "write `topics: {security: mandatory}`")
    for topic, value in raw_topics.items():
        if topic not in TOPICS:
            problem(
                ("topics", topic),
                f"unknown topic '{topic}'",
                "use one of the rule topics" + _did_you_mean(topic, TOPICS),
                value=topic,
                allowed=", ".join(TOPICS),
            )
            continue
        level = level_at(("topics", topic), value)
        if level is not None:
            topics[topic] = level
    levels: dict[str, Level] = {}
    raw_rules = section("rules", "rules is a mapping of rule id to level", "write `rules: {<rule id>: advisory}`")
    for rule_id, value in raw_rules.items():
        if rule_id not in known:
            problem(
                ("rules", rule_id),
                f"no rule has the id '{rule_id}'",
                "use an id from docs/policies.md or `agentha-blueprint check --format json`"
                + _did_you_mean(rule_id, sorted(known)),
                value=rule_id,
            )
            continue
        level = level_at(("rules", rule_id), value)
        if level is not None and level != "mandatory" and rule_id in always:
            problem(
                ("rules", rule_id),
                f"rule '{rule_id}' is always mandatory; this file cannot make it {level}",
                f"remove this line (or set it to mandatory); a violation of it always fails. {always[rule_id].fix}",
                value=level,
                allowed="mandatory",
            )
        elif level is not None:
            levels[rule_id] = level
    if problems:
        raise SpecError.of(problems)
    return PolicyConfig(default=default, topics=topics, rules=levels, file=getattr(doc, "file", None))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def missing_file_problem(path: str | Path) -> SpecError:
    return SpecError.one(
        rule="policy-config",
        path="(document)",
        message="policy config file not found",
        fix=f"check the path, or leave --config out to use {CONFIG_FILE} beside the spec when present",
        location=Location(str(path)),
    )


def folder_problem(path: str | Path) -> SpecError:
    """The path given for the config is a folder (`--config .`): say so, and name the file it may mean."""
    inside = Path(path) / CONFIG_FILE
    hint = f"--config {inside}" if inside.is_file() else f"the file's own path (e.g. {inside})"
    return SpecError.one(
        rule="policy-config",
        path="(document)",
        message="the policy config path is a folder, not a file",
        fix=f"give {hint}, or leave --config out to use {CONFIG_FILE} beside the spec when present",
        location=Location(str(path)),
    )
