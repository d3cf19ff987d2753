"""`simulate`: the Monte Carlo beside the closed form, its exit codes and its bad-input errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.test_lazy_imports import HEAVY, run_fresh
from tests.conftest import EXAMPLES

runner = CliRunner()
SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")
RESEARCH = str(EXAMPLES / "research-agent" / "spec.yaml")


def test_text_shows_the_simulation_beside_the_closed_form() -> None:
    result = runner.invoke(app, ["simulate", SUPPORT, "--env", "prod", "--hours", "1e5"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output  # support-agent prod misses its availability and RPO objectives
    out = result.stdout
    assert "plan (closed form)" in out and "95 % CI" in out
    assert "RTO region p50 / p99" in out and "RPO region p50 / p99" in out
    assert "MISSED" in out and "Traceback" not in result.output


def test_json_carries_the_interval_and_the_checks() -> None:
    result = runner.invoke(app, ["simulate", RESEARCH, "--hours", "1e5", "--seed", "3", "-o", "json"])
    data = json.loads(result.stdout)
    assert data["system"] == "research-agent" and data["seed"] == 3
    assert data["ci_low"] <= data["availability"] <= data["ci_high"]
    assert {c["name"] for c in data["checks"]} >= {"availability", "RTO zone"}
    assert result.exit_code == (0 if data["objectives_met"] else 1)


def test_same_seed_same_output() -> None:
    args = ["simulate", SUPPORT, "--hours", "1e5", "--seed", "42", "-o", "json"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (["--hours", "0"], "simulate-hours"),
        (["--hours", "-3"], "simulate-hours"),
        (["--hours", "1e12"], "simulate-hours"),
        (["--seed", "-1"], "simulate-seed"),
        (["--env", "nope"], "environment-exists"),
    ],
)
def test_bad_input_is_a_clear_error_and_exit_2(args: list[str], rule: str) -> None:
    text = runner.invoke(app, ["simulate", SUPPORT, *args])
    assert text.exit_code == 2 and "Traceback" not in text.output
    assert rule in text.output and "fix:" in text.output
    data = runner.invoke(app, ["simulate", SUPPORT, *args, "-o", "json"])
    assert data.exit_code == 2
    problems = json.loads(data.stdout)["problems"]
    assert problems[0]["rule"] == rule and problems[0]["fix"]


def test_a_bad_spec_is_exit_2() -> None:
    result = runner.invoke(app, ["simulate", str(EXAMPLES / "invalid" / "zone-of-another-region.yaml")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def _modules_after(args: list[str], top: tuple[str, ...] = ("numpy",)) -> list[str]:
    return run_fresh(args, top)["heavy"]


def test_plan_and_help_never_import_numpy() -> None:
    # numpy is simulate's alone: plan's start-up budget must not pay for it.
    assert _modules_after(["plan", SUPPORT]) == []
    assert _modules_after(["simulate", "--help"]) == []
    assert _modules_after(["simulate", SUPPORT, "--hours", "10"]) != []  # the check can see numpy


def test_simulate_never_imports_pulumi() -> None:
    assert _modules_after(["simulate", SUPPORT, "--hours", "10"], HEAVY) == []
