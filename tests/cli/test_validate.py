"""`agentha-blueprint validate` through typer's runner: formats, environments, exit codes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blueprints.spec.loader import load_spec
from cli.main import app
from tests.conftest import EXAMPLES, example_specs

runner = CliRunner()


def validate(*args: str):
    return runner.invoke(app, ["validate", *args])


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_examples_are_valid(spec: Path) -> None:
    result = validate(str(spec))
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "error(s)" not in result.stdout.replace("0 error(s)", "")
    assert "environments" in result.stdout


def test_valid_json() -> None:
    spec = EXAMPLES / "order-routing" / "spec.yaml"
    result = validate(str(spec), "--output", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["errors"] == 0
    assert data["environments"] == ["dev", "prod"] and data["file"] == str(spec)


def test_with_env_checks_that_environment() -> None:
    result = validate(str(EXAMPLES / "support-agent" / "spec.yaml"), "--env", "dev")
    assert result.exit_code == 0
    assert "with environment dev" in result.stdout


def test_warnings_are_shown_but_do_not_fail() -> None:
    spec = EXAMPLES / "invalid" / "unused-secret.yaml"
    result = validate(str(spec))
    assert result.exit_code == 0
    assert "warning" in result.stdout and "[unused-items]" in result.stdout
    assert "0 error(s), 1 warning(s)" in result.stdout
    data = json.loads(validate(str(spec), "-o", "json").stdout)
    assert data["valid"] is True and data["warnings"] == 1


def test_errors_exit_2_with_position_rule_source_line_and_fix() -> None:
    spec = EXAMPLES / "invalid" / "zone-of-another-region.yaml"
    result = validate(str(spec))
    assert result.exit_code == 2
    out = result.stdout
    assert f"{spec}:25:" in out
    assert "topology.regions[1].zones[2]" in out and "[zone-in-region]" in out
    assert "us-east-1c]" in out and "^" in out  # the source line and a caret
    assert "fix: use zones of us-west-2" in out
    assert "Traceback" not in result.output


def test_errors_json() -> None:
    spec = EXAMPLES / "invalid" / "zone-of-another-region.yaml"
    result = validate(str(spec), "--output", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["errors"] == 1
    (p,) = data["problems"]
    assert p["rule"] == "zone-in-region" and p["location"]["line"] == 25
    assert set(p) >= {"rule", "path", "message", "fix", "location", "value", "allowed", "severity", "written_at"}


def test_a_yaml_error_has_the_same_json_shape() -> None:
    # It used to skip "file" and "environments": machines had to handle two shapes.
    spec = EXAMPLES / "invalid" / "tab-indentation.yaml"
    result = validate(str(spec), "-o", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["file"] == str(spec) and data["environments"] == []
    assert data["problems"][0]["rule"] == "yaml-syntax"


def test_a_yaml_error_goes_to_the_same_stream_as_other_problems() -> None:
    result = validate(str(EXAMPLES / "invalid" / "tab-indentation.yaml"))
    assert result.exit_code == 2
    assert "[yaml-syntax]" in result.stdout


def test_environment_only_problem_says_which_environment() -> None:
    result = validate(str(EXAMPLES / "invalid" / "standby-written-in-multi-zone-env.yaml"))
    assert result.exit_code == 2
    assert "found with environment dev" in result.stdout
    assert "set by environments.dev.topology.standby" in result.stdout


def test_an_environment_that_narrows_the_pattern_drops_what_it_inherits_and_says_so() -> None:
    """dev says multi-zone with one region: the base's standby, region objective and region drill
    no longer apply there; they are left out of dev (warnings naming them), prod keeps them (issue 18)."""
    text = (EXAMPLES / "invalid" / "env-narrows-pattern.yaml").read_text(encoding="utf-8")
    text = text.replace("    objectives: {disruptions: {region: null}}\n", "").replace(
        "    chaos: {drills: [zone-outage]}\n", ""
    )
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        result = validate(str(path), "--output", "json")
        dev = load_spec(path, "dev")
        prod = load_spec(path, "prod")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    dropped = {(p["path"], p["environment"]) for p in report["problems"] if p["rule"] == "environment-narrows-pattern"}
    assert dropped == {
        ("topology.standby", "dev"),
        ("objectives.disruptions.region", "dev"),
        ("chaos.drills[1]", "dev"),
    }
    assert dev.spec.topology.standby is None and dev.spec.objectives.disruptions.region is None
    assert dev.spec.chaos.drills == ["zone-outage"]
    assert dev.document.locate(("chaos", "drills", 0))[0].column is not None
    assert prod.spec.topology.standby == "warm" and "region-outage" in prod.spec.chaos.drills
    assert not prod.warnings


def test_override_position_says_where_it_was_written() -> None:
    result = validate(str(EXAMPLES / "invalid" / "env-override-misspelt-key.yaml"))
    assert result.exit_code == 2
    assert "set by environments.dev.agents[0].replica" in result.stdout


def test_unknown_env_exits_2() -> None:
    result = validate(str(EXAMPLES / "support-agent" / "spec.yaml"), "--env", "qa")
    assert result.exit_code == 2
    assert "environment 'qa' is not defined" in result.stdout
    assert "dev, prod, staging" in result.stdout


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = validate(str(tmp_path / "nope.yaml"), "-o", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["rule"] == "file"


def test_bad_output_format_is_a_usage_error() -> None:
    result = validate(str(EXAMPLES / "support-agent" / "spec.yaml"), "--output", "xml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_no_argument_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "SPEC" in result.output


def test_the_valid_line_shows_the_path_as_written(tmp_path: Path) -> None:
    # Square brackets in a path are text, not rich markup (`[b]` used to vanish as a bold tag).
    folder = tmp_path / "team[b]"
    folder.mkdir()
    spec = folder / "spec.yaml"
    spec.write_text((EXAMPLES / "order-routing" / "spec.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = validate(str(spec))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"valid: {spec} (base spec and environments ")
