"""Every bad spec under examples/invalid/ fails the way its header says, through the CLI.

Each file carries its expectation in a comment near the top, next to the mistake it shows:

    # mistake: the standby region lists a zone of the primary region
    # expect: rule=zone-in-region path=topology.regions[1].zones[2] line=25 column=39

Optional keys: `severity=warning` (the spec still validates: exit 0), `count=N` (one mistake that
shows up N times, e.g. once per store), `env=NAME` (run with --env NAME). Every problem reported
must come from the expected rule, so each file shows one mistake.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blueprints.spec.rules import RULES, _load_rule_modules
from cli.main import app
from tests.conftest import EXAMPLES

INVALID = EXAMPLES / "invalid"
FILES = sorted(INVALID.glob("*.yaml"))
runner = CliRunner()


@dataclass(frozen=True)
class Expect:
    mistake: str
    rule: str
    path: str
    line: int
    column: int | None
    severity: str
    count: int
    env: str | None


def expectation(path: Path) -> Expect:
    text = path.read_text(encoding="utf-8")
    mistake = re.search(r"^# mistake: (.+)$", text, re.M)
    found = re.search(r"^# expect: (.+)$", text, re.M)
    assert mistake and found, f"{path.name} needs '# mistake:' and '# expect:' header comments"
    fields = dict(part.split("=", 1) for part in found.group(1).split())
    unknown = set(fields) - {"rule", "path", "line", "column", "severity", "count", "env"}
    assert not unknown, f"{path.name}: unknown expectation keys {unknown}"
    return Expect(
        mistake=mistake.group(1),
        rule=fields["rule"],
        path=fields["path"],
        line=int(fields["line"]),
        column=int(fields["column"]) if "column" in fields else None,
        severity=fields.get("severity", "error"),
        count=int(fields.get("count", "1")),
        env=fields.get("env"),
    )


def test_there_are_enough_bad_specs() -> None:
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bad_spec_reports_the_expected_problem_through_the_cli(path: Path) -> None:
    expect = expectation(path)
    args = ["validate", str(path), "--output", "json"] + (["--env", expect.env] if expect.env else [])
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if expect.severity == "warning" else 2), result.output
    data = json.loads(result.stdout)
    problems = data["problems"]
    assert {p["rule"] for p in problems} == {expect.rule}, "one mistake, one rule"
    mine = [p for p in problems if p["severity"] == expect.severity]
    assert len(mine) == expect.count
    match = [p for p in mine if p["path"] == expect.path and p["location"]["line"] == expect.line]
    assert match, f"no {expect.rule} problem at {expect.path} line {expect.line}: {mine}"
    p = match[0]
    if expect.column is not None:
        assert p["location"]["column"] == expect.column
    assert p["location"]["file"] == str(path)
    assert p["message"] and p["fix"] and p["fix"] != p["message"]
    # The line it names is part of the spec, not a comment (unless the file holds nothing else).
    lines = path.read_text(encoding="utf-8").splitlines()
    if expect.rule != "document-shape":
        assert not lines[expect.line - 1].lstrip().startswith("#"), lines[expect.line - 1]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bad_spec_text_output_names_file_line_rule_and_fix(path: Path) -> None:
    expect = expectation(path)
    args = ["validate", str(path)] + (["--env", expect.env] if expect.env else [])
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if expect.severity == "warning" else 2)
    position = f"{path}:{expect.line}:{expect.column or 1}"
    assert position in result.stdout
    assert f"[{expect.rule}]" in result.stdout and expect.path in result.stdout
    assert "fix:" in result.stdout


def test_every_semantic_rule_has_a_bad_spec() -> None:
    _load_rule_modules()
    covered = {expectation(p).rule for p in FILES}
    assert set(RULES) - covered == set()


def test_the_usual_schema_and_yaml_mistakes_have_a_bad_spec() -> None:
    covered = {expectation(p).rule for p in FILES}
    assert covered >= {
        "schema.extra_forbidden",
        "schema.literal_error",
        "schema.value_error",
        "schema.missing",
        "schema.greater_than_equal",
        "schema.string_pattern_mismatch",
        "schema.int_parsing",
        "yaml-syntax",
        "duplicate-key",
        "document-shape",
        "environment-unknown-item",
        "environment-exists",
        "environment-name",
    }


def test_readme_lists_every_file_with_its_rule_and_field() -> None:
    readme = (INVALID / "README.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\| \[`([^`]+)`\]\([^)]+\) \| `([^`]+)` \| `([^`]+)` \|", readme, re.M)
    }
    assert set(rows) == {p.name for p in FILES}
    for path in FILES:
        expect = expectation(path)
        assert rows[path.name] == (expect.rule, expect.path), path.name


def test_readme_sections_hold_the_semantic_rules_and_the_rest_with_their_counts() -> None:
    from blueprints.spec.rules import RULES, _load_rule_modules

    _load_rule_modules()
    readme = (INVALID / "README.md").read_text(encoding="utf-8")
    semantic, rest = readme.split("## Semantic rules", 1)[1].split("\n## ", 1)
    row = re.compile(r"^\| \[`[^`]+`\]\([^)]+\) \| `([^`]+)` \|", re.M)
    semantic_rules = row.findall(semantic)
    other_rules = row.findall(rest)
    assert set(semantic_rules) <= set(RULES) and not set(other_rules) & set(RULES)
    assert re.match(rf" \({len(semantic_rules)} files", semantic)
    assert re.search(rf"\({len(other_rules)} files\)", rest.splitlines()[0])
