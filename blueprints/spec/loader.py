"""Load an HA spec: read, parse with positions, apply an environment, validate, run the rules.

`load_spec` returns a validated spec (with its warnings) or raises one `SpecError` that carries
every problem found. `check_all` validates the base spec and every environment in one pass, which is
what `agentha-blueprint validate` does without `--env`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from blueprints.errors import Location, Problem, SpecError
from blueprints.spec.document import MAX_BYTES, Document, apply_environment, parse_yaml
from blueprints.spec.explain import explain
from blueprints.spec.models import HASpec
from blueprints.spec.narrowing import narrow

ENV_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec, the document it came from, the environment applied and its warnings."""

    spec: HASpec
    document: Document
    environment: str | None
    warnings: tuple[Problem, ...]

    @property
    def file(self) -> str:
        return self.document.file


def read_document(path: str | Path) -> Document:
    """Read and parse a spec file; a missing or unreadable file is a SpecError too."""
    return parse_text(read_spec_text(path), str(path))


def read_spec_text(path: str | Path) -> str:
    """A spec file's text; a missing or unreadable file is a SpecError that says so."""
    file = str(path)
    try:
        size = Path(path).stat().st_size if Path(path).is_file() else 0
        if size > MAX_BYTES:
            raise SpecError.one(
                rule="file-too-large",
                path="(document)",
                message=f"the file is {size / 1_048_576:.1f} MiB; a spec may be at most {MAX_BYTES // 1_048_576} MiB "
                "(a generated 2,000-agent spec is 0.5 MB)",
                fix="check that this is the spec you meant; split a generated list into fewer, larger items",
                location=Location(file),
                value=size,
            )
        text = Path(path).read_text(encoding="utf-8")
    except IsADirectoryError:
        found = sorted(str(f) for f in Path(path).glob("*.y*ml"))[:3]
        raise SpecError.one(
            rule="file",
            path="(document)",
            message="this is a folder, not a spec file",
            fix=f"give the spec file itself, e.g. {found[0]}" if found else "give the path of the spec file (YAML)",
            location=Location(file),
            allowed=", ".join(found) or None,
        ) from None
    except FileNotFoundError:
        raise SpecError.one(
            rule="file",
            path="(document)",
            message="file not found",
            fix="check the path, or create a spec with `agentha-blueprint init`",
            location=Location(file),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError.one(
            rule="file",
            path="(document)",
            message=f"cannot read the file: {exc}",
            fix="make it a readable UTF-8 text file",
            location=Location(file),
        ) from None
    return text


def parse_text(text: str, file: str) -> Document:
    doc = parse_yaml(text, file)
    if not isinstance(doc.data, dict):
        raise SpecError.one(
            rule="document-shape",
            path="(document)",
            message="a spec is a YAML mapping starting with `apiVersion: agentha.dev/v1` and `kind: HASpec`",
            fix="start from `agentha-blueprint init` or an example under examples/",
            location=Location(file, doc.locate(())[0].line, 1),
            value=None if doc.data is None else type(doc.data).__name__,
        )
    return doc


def validate_document(doc: Document, environment: str | None, *, other_environments: bool = True) -> LoadedSpec:
    """Validate a parsed document (after applying `environment`); raise SpecError with every error.

    `other_environments`: also report the schema errors of every other environment override (a
    misspelt key in `dev` is bad input whatever `--env` says). A caller that validates every
    environment itself (`check_all`) turns it off; otherwise it would check each environment once
    per environment, quadratic in their number.
    """
    problems: list[Problem] = []
    if environment is None:
        problems.extend(_environment_names(doc))
    effective = doc
    if environment is not None:
        effective, narrowed = narrow(doc, apply_environment(doc, environment), environment)
        problems.extend(narrowed)
    try:
        spec = HASpec.model_validate(effective.data)
    except ValidationError as exc:
        found = _in_environment(problems + explain(exc, effective, HASpec), environment)
        others = _other_environment_shapes(doc, environment, found) if other_environments else []
        raise SpecError.of(found + others) from None
    from blueprints.spec.rules import check

    problems = _in_environment(problems + check(spec, effective), environment)
    if other_environments:
        problems += _other_environment_shapes(doc, environment, [])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SpecError.of(problems)
    warnings = tuple(p for p in problems if p.severity == "warning")
    return LoadedSpec(spec=spec, document=effective, environment=environment, warnings=warnings)


def load_spec(path: str | Path, environment: str | None = None) -> LoadedSpec:
    """Read, parse, apply `environment` (None: the base spec as written), validate and check."""
    return validate_document(read_document(path), environment)


def load_text(text: str, file: str = "<spec>", environment: str | None = None) -> LoadedSpec:
    return validate_document(parse_text(text, file), environment)


def check_all(path: str | Path) -> tuple[list[str], list[Problem]]:
    """Validate the base spec and every environment; return the environments and all problems.

    A problem of the base spec that recurs in an environment is reported once.
    """
    doc = read_document(path)
    problems: list[Problem] = []
    seen: dict[tuple[str, str, int | None, int | None, str], int] = {}

    def collect(items: list[Problem] | tuple[Problem, ...]) -> None:
        for p in items:
            key = _key(p)
            if key not in seen:
                seen[key] = len(problems)
                problems.append(p)
                continue
            # Seen before: in the base (no environment, keep it so) or in another environment.
            first = problems[seen[key]]
            if first.environment is not None and p.environment is not None and p.environment not in first.environment:
                problems[seen[key]] = replace(first, environment=f"{first.environment}, {p.environment}")

    envs = doc.data.get("environments")
    names = sorted(envs) if isinstance(envs, dict) else []
    for environment in [None, *_mergeable_environments(doc)]:
        try:
            collect(validate_document(doc, environment, other_environments=False).warnings)
        except SpecError as err:
            collect(err.problems)
    return names, problems


def _mergeable_environments(doc: Document) -> list[str]:
    """Environment names whose override can be merged (one that is not a mapping is reported by the
    base spec's schema check)."""
    envs = doc.data.get("environments")
    if not isinstance(envs, dict):
        return []
    return [n for n in sorted(envs) if isinstance(envs[n], dict | None)]


def _other_environment_shapes(doc: Document, environment: str | None, known: list[Problem]) -> list[Problem]:
    """Schema errors of every environment override but `environment`, less those already `known`.

    The environments block is part of the file: a misspelt key or a wrong type in `dev` is bad
    input for every command, not only those run with `--env dev`. A mistake of the base recurs in
    every merged environment and is reported once. The semantic rules of an environment run when
    it is used (and by `validate`, which checks them all).
    """
    seen = {_key(p) for p in known}
    problems: list[Problem] = []
    for name in _mergeable_environments(doc):
        if name == environment:
            continue
        try:
            merged = apply_environment(doc, name)
        except SpecError as err:
            found = list(err.problems)
        else:
            try:
                HASpec.model_validate(merged.data)
                continue
            except ValidationError as exc:
                found = explain(exc, merged, HASpec)
        for p in _in_environment(found, name):
            if _key(p) not in seen:
                seen.add(_key(p))
                problems.append(p)
    return problems


def _key(p: Problem) -> tuple[str, str, int | None, int | None, str]:
    """What makes two reports the same problem, whichever environment found it."""
    return (p.rule, p.path, p.location.line, p.location.column, p.message)


def _in_environment(problems: list[Problem], environment: str | None) -> list[Problem]:
    """Tag problems with the environment whose merged spec has them (the base as written: none)."""
    if environment is None:
        return problems
    return [p if p.environment is not None else replace(p, environment=environment) for p in problems]


def _environment_names(doc: Document) -> list[Problem]:
    envs = doc.data.get("environments")
    if not isinstance(envs, dict):
        return []
    problems = []
    for name in envs:
        if not ENV_NAME.match(str(name)):
            location, _ = doc.locate(("environments", name))
            problems.append(
                Problem(
                    rule="environment-name",
                    path=f"environments.{name}",
                    message=f"environment name '{name}' is not DNS-safe (it names stacks and resources)",
                    fix="use lowercase letters, digits and '-', e.g. dev, staging, prod-eu",
                    location=location,
                    value=name,
                )
            )
    return problems
