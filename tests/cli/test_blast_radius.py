"""`agentha-blueprint blast-radius` through typer's runner: formats and exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import EXAMPLES

runner = CliRunner()
ORDERS = EXAMPLES / "order-routing" / "spec.yaml"
SUPPORT = EXAMPLES / "support-agent" / "spec.yaml"


def blast(*args: str):
    return runner.invoke(app, ["blast-radius", *args], env={"COLUMNS": "200"})


def test_met_objectives_exit_0_with_the_matrix() -> None:
    result = blast(str(SUPPORT), "--env", "prod", "--no-graph")
    assert result.exit_code == 0, result.output
    assert "every one of 10 covered disruptions meets its objectives" in result.output
    assert "region:us-east-1" in result.output and "2m30s / 15m" in result.output


def test_a_breached_objective_exits_1_and_names_the_disruption(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        ORDERS.read_text(encoding="utf-8").replace(
            "region:      {rto: 6m,  rpo: 5m}", "region:      {rto: 5m,  rpo: 5m}"
        ),
        encoding="utf-8",
    )
    result = blast(str(spec), "--env", "prod", "--no-graph", "-o", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["breached"] == ["region:eu-west-1", "region:eu-central-1"]
    region = next(d for d in data["disruptions"] if d["id"] == "region:eu-west-1")
    assert region["breaches"] == ["RTO 5m15s > 5m"] and region["covered"]
    text = blast(str(spec), "--env", "prod", "--no-graph")
    assert text.exit_code == 1
    assert "BREACH: RTO 5m15s > 5m" in text.output


def test_markdown_lists_resources_from_the_graph() -> None:
    result = blast(str(SUPPORT), "--env", "prod", "-o", "markdown", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Blast radius: support-agent (prod)")
    assert "`support-agent-network-private-subnet-us-east-1a` (aws:ec2/subnet:Subnet)" in result.output


def test_bad_input_exits_2_without_a_traceback() -> None:
    result = blast(str(EXAMPLES / "invalid" / "zone-of-another-region.yaml"), "--no-graph")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    missing = blast("does-not-exist.yaml", "--no-graph", "-o", "json")
    assert missing.exit_code == 2
    assert json.loads(missing.output)
