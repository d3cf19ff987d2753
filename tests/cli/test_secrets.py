"""`secrets`: every secret value to set before agents start, with the commands, offline."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import EXAMPLES

runner = CliRunner()
SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")


def test_each_secret_gets_its_set_check_and_restart_commands_for_the_stack() -> None:
    result = runner.invoke(app, ["secrets", SUPPORT, "--env", "prod", "--output", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    secret, backup = data["secrets"]
    # the providers' keys are read by the model gateway alone, not by the agents that call it
    assert secret["name"] == "llm-api-key" and secret["agents"] == ["model-gateway"]
    assert backup["name"] == "llm-backup-api-key" and backup["agents"] == ["model-gateway"]
    assert all('.agents["model-gateway"].service' in c for c in secret["restart"])
    assert (secret["primary_region"], secret["replica_regions"]) == ("us-east-1", ["us-west-2"])
    # set once, in the primary region, with the ARN read from the stack's outputs
    assert secret["set"].startswith("aws secretsmanager put-secret-value --region us-east-1 --secret-id ")
    assert "pulumi stack output -s prod secrets --json" in secret["set"] and '.["llm-api-key"]' in secret["set"]
    assert "file://llm-api-key.txt" in secret["set"]
    assert len(secret["check"]) == 1 and "ReplicationStatus" in secret["check"][0]
    # every region where a task of a reading agent runs (the warm standby too)
    assert [c.split()[4] for c in secret["restart"]] == ["us-east-1", "us-west-2"]


def test_a_pilot_light_standby_needs_no_restart_and_one_region_no_replica_check() -> None:
    staging = json.loads(runner.invoke(app, ["secrets", SUPPORT, "--env", "staging", "-o", "json"]).stdout)
    assert [c.split()[4] for c in staging["secrets"][0]["restart"]] == ["us-east-1"]
    dev = json.loads(runner.invoke(app, ["secrets", SUPPORT, "--env", "dev", "-o", "json", "-s", "my-dev"]).stdout)
    secret, _ = dev["secrets"]
    assert secret["replica_regions"] == [] and secret["check"] == []
    assert "pulumi stack output -s my-dev secrets" in secret["set"]


def test_text_output_and_bad_input() -> None:
    result = runner.invoke(app, ["secrets", SUPPORT, "--env", "prod"])
    assert result.exit_code == 0 and "put-secret-value" in result.stdout and "llm-api-key" in result.stdout
    bad = runner.invoke(app, ["secrets", str(EXAMPLES / "invalid" / "misspelt-key.yaml")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
