"""`agentha-blueprint diagram`: Mermaid to stdout or a Markdown page; SVG/PNG only with Graphviz."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import EXAMPLES

runner = CliRunner()
SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")


def test_mermaid_to_stdout_and_markdown_page(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagram", SUPPORT, "--env", "prod"])
    assert result.exit_code == 0, result.output
    assert "flowchart LR" in result.output and "```" not in result.output
    page = tmp_path / "DIAGRAM.md"
    written = runner.invoke(app, ["diagram", SUPPORT, "--env", "prod", "--out", str(page)])
    assert written.exit_code == 0
    assert "```mermaid\n---\ntitle:" in page.read_text(encoding="utf-8")
    page.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["diagram", SUPPORT, "--env", "prod", "--out", str(page)])
    assert refused.exit_code == 2 and page.read_text(encoding="utf-8") == "mine\n"


def test_svg_without_graphviz_is_a_clear_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = runner.invoke(app, ["diagram", SUPPORT, "--format", "svg"])
    assert result.exit_code == 2
    assert "Graphviz" in result.output and "install" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_png_is_written_atomically_and_needs_out(tmp_path: Path) -> None:
    assert runner.invoke(app, ["diagram", SUPPORT, "--format", "png"]).exit_code == 2
    out = tmp_path / "topology.png"
    result = runner.invoke(app, ["diagram", SUPPORT, "--env", "prod", "--format", "png", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["topology.png"]  # no staging file left behind
