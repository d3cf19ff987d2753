"""`agentha-blueprint runbook`: writes every page or none, never over a changed page without --force."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import EXAMPLES

runner = CliRunner()
SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")


def test_writes_pages_then_refuses_to_overwrite_an_edited_one(tmp_path: Path) -> None:
    out = tmp_path / "runbooks"
    first = runner.invoke(app, ["runbook", SUPPORT, "--env", "prod", "--out", str(out), "-q"])
    assert first.exit_code == 0, first.output
    assert (out / "index.md").exists() and (out / "region-failover.md").exists()
    again = runner.invoke(app, ["runbook", SUPPORT, "--env", "prod", "--out", str(out), "-q"])
    assert again.exit_code == 0 and "(0 changed)" in again.output
    (out / "zone-loss.md").write_text("my notes\n", encoding="utf-8")
    refused = runner.invoke(app, ["runbook", SUPPORT, "--env", "prod", "--out", str(out), "-q"])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert (out / "zone-loss.md").read_text(encoding="utf-8") == "my notes\n"
    forced = runner.invoke(app, ["runbook", SUPPORT, "--env", "prod", "--out", str(out), "--force", "-q"])
    assert forced.exit_code == 0
    assert "## Detect" in (out / "zone-loss.md").read_text(encoding="utf-8")


def test_bad_input_exits_2(tmp_path: Path) -> None:
    bad = str(EXAMPLES / "invalid" / "zone-of-another-region.yaml")
    result = runner.invoke(app, ["runbook", bad, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()
