"""`agentha-blueprint check`: formats, exit codes (0 pass, 1 mandatory violation, 2 bad input), config."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from cli.main import app
from stacks.synth import synth as real_synth
from tests.conftest import ROOT, shared_path

SUPPORT = ROOT / "examples" / "support-agent" / "spec.yaml"
OBJECTIVES = "agentha-stack-plan-meet-objectives"


_CACHE: dict[tuple[str, str | None, str], object] = {}


def _synth(text: str, path: str, environment: str | None, config: str):
    """Keyed by the spec's content, not its path: the tests copy the same spec into fresh folders."""
    key = (text, environment, config)
    if key not in _CACHE:
        _CACHE[key] = real_synth(path, environment, config=json.loads(config))
    return _CACHE[key]


@pytest.fixture(autouse=True)
def cached_synth(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real synthesis, once per spec content and environment in this module (keeps the suite quick)."""
    monkeypatch.setattr(
        "stacks.synth.synth",
        lambda path, environment=None, config=None: (
            _synth(Path(path).read_text(), str(path), environment, json.dumps(config or {}))
            if Path(path).is_file()
            else real_synth(path, environment, config=config)
        ),
    )


@pytest.fixture
def missed_spec(tmp_path: Path) -> Path:
    """support-agent with a region RTO (1m) its topology cannot meet: a mandatory violation."""
    text = SUPPORT.read_text().replace("region:      {rto: 15m, rpo: 5m}", "region:      {rto: 1m, rpo: 5m}")
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_a_compliant_example_passes() -> None:
    code, out = run("check", str(SUPPORT), "--env", "prod")
    assert code == 0, out
    assert out.startswith("passed: ") and "0 mandatory, 0 advisory" in out


def test_a_missed_objective_fails_with_exit_1(missed_spec: Path) -> None:
    code, out = run("check", str(missed_spec), "--env", "prod")
    assert code == 1
    assert "mandatory" in out and OBJECTIVES in out and "objectives.disruptions.region.rto" in out


def test_json_output(missed_spec: Path) -> None:
    code, out = run("check", str(missed_spec), "--env", "prod", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["passed"] is False and data["summary"]["mandatory"] == 1
    assert [v["rule"] for v in data["violations"]] == [OBJECTIVES]


def test_sarif_to_a_file_validates(missed_spec: Path, tmp_path: Path) -> None:
    import jsonschema

    out_file = tmp_path / "report.sarif"
    code, out = run("check", str(missed_spec), "--env", "prod", "--format", "sarif", "--out", str(out_file))
    assert code == 1, out
    schema = json.loads(shared_path("schemas", "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    data = json.loads(out_file.read_text())
    jsonschema.Draft4Validator(schema).validate(data)
    assert [r["ruleId"] for r in data["runs"][0]["results"]] == [OBJECTIVES]


def test_junit_parses(missed_spec: Path) -> None:
    code, out = run("check", str(missed_spec), "--env", "prod", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == [OBJECTIVES]


def test_a_config_cannot_make_the_objectives_rule_advisory(missed_spec: Path, tmp_path: Path) -> None:
    """Issue 6: a missed objective always fails; a config lowering that rule is bad input (exit 2)."""
    config = tmp_path / "levels.yaml"
    config.write_text(f"apiVersion: agentha.dev/v1\nkind: PolicyConfig\nrules:\n  {OBJECTIVES}: advisory\n")
    code, out = run("check", str(missed_spec), "--env", "prod", "--config", str(config))
    assert code == 2, out
    assert f"{config}:4:3" in out and OBJECTIVES in out and "always mandatory" in out
    code, out = run("check", str(missed_spec), "--env", "prod", "--config", str(config), "--format", "json")
    assert code == 2
    [problem] = json.loads(out)["problems"]
    assert problem["path"] == f"rules.{OBJECTIVES}" and problem["location"]["line"] == 4


def test_broad_levels_lower_other_rules_but_not_the_objectives_rule(missed_spec: Path, tmp_path: Path) -> None:
    config = tmp_path / "levels.yaml"
    config.write_text("default: advisory\ntopics: {availability: disabled}\n")
    code, out = run("check", str(missed_spec), "--env", "prod", "--config", str(config), "--format", "json")
    assert code == 1, out  # the missed objective still fails the check
    levels = {r["id"]: r["level"] for r in json.loads(out)["rules"]}
    assert levels[OBJECTIVES] == "mandatory"
    assert levels["agentha-aws-kms-key-enable-rotation"] == "advisory"  # from default
    assert levels["agentha-aws-ecs-service-spread-across-zones"] == "disabled"  # from topics


def test_a_config_file_beside_the_spec_is_found(missed_spec: Path) -> None:
    (missed_spec.parent / "agentha-policy.yaml").write_text("rules:\n  agentha-aws-kms-key-enable-rotation: disabled\n")
    code, out = run("check", str(missed_spec), "--env", "prod", "--format", "json")
    assert code == 1, out
    assert json.loads(out)["summary"]["rulesRun"] == json.loads(out)["summary"]["rules"] - 1


def test_a_folder_as_config_exits_2_saying_it_is_a_folder(tmp_path: Path) -> None:
    code, out = run("check", str(SUPPORT), "--env", "prod", "--config", str(tmp_path))
    assert code == 2, out
    assert "is a folder, not a file" in out and "not found" not in out


def test_an_unknown_format_exits_2_naming_the_option_and_the_choices() -> None:
    """The wording ("Value error, 'xml' is not one of …") is typer's own (its pydantic coercion)."""
    code, out = run("check", str(SUPPORT), "--format", "xml")
    assert code == 2
    assert "--format" in out and "'xml'" in out and all(f"'{f}'" in out for f in ("text", "json", "sarif", "junit"))


def test_bad_input_exits_2(tmp_path: Path) -> None:
    code, _ = run("check", str(tmp_path / "missing.yaml"))
    assert code == 2
    config = tmp_path / "bad.yaml"
    config.write_text("rules:\n  agentha-no-such-rule-at-all: advisory\n")
    code, out = run("check", str(SUPPORT), "--env", "prod", "--config", str(config), "--format", "json")
    assert code == 2
    problems = json.loads(out)["problems"]
    assert problems[0]["path"] == "rules.agentha-no-such-rule-at-all"
