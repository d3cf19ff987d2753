"""`agentha-blueprint schema`: stdout, --out with --force, atomic writes; the committed copy is current.

docs/schema/haspec.schema.json is what the examples' `yaml-language-server` comment points editors
at. It is regenerated only on purpose, as a reviewed contract change:

    AGENTHA_UPDATE_GOLDEN=1 pytest tests/cli/test_schema.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

import cli.files
from blueprints.spec.schema import json_schema_text
from cli.main import app
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
GOLDEN = ROOT / "docs" / "schema" / "haspec.schema.json"
UPDATE_GOLDEN = os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1"


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["title"] == "agentha-blueprint HA spec"
    assert data["$schema"].endswith("2020-12/schema")
    assert result.stdout == json_schema_text()


def test_committed_schema_is_current() -> None:
    text = runner.invoke(app, ["schema"]).stdout
    if UPDATE_GOLDEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no committed schema: run AGENTHA_UPDATE_GOLDEN=1 pytest tests/cli/test_schema.py"
    assert GOLDEN.read_text(encoding="utf-8") == text, (
        "docs/schema/haspec.schema.json is stale: the spec models changed. Review the change and "
        "regenerate with AGENTHA_UPDATE_GOLDEN=1 pytest tests/cli/test_schema.py"
    )


def _schema_comment_specs() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.yaml") if "yaml-language-server" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("spec", _schema_comment_specs(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_examples_schema_comment_resolves_to_the_committed_schema(spec: Path) -> None:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{spec}: the schema comment must be the first line"
    target = (spec.parent / match.group(1)).resolve()
    assert target == GOLDEN.resolve()


@pytest.mark.parametrize("spec", sorted(EXAMPLES.glob("*/spec.yaml")), ids=lambda p: p.parent.name)
def test_examples_validate_against_the_committed_schema(spec: Path) -> None:
    if spec.parent.name == "invalid":
        return
    schema = json.loads(GOLDEN.read_text(encoding="utf-8"))
    data = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_out_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "haspec.schema.json"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == json_schema_text()
    assert "wrote" in result.stderr
    assert result.stdout == ""


def test_out_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    out.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    result = runner.invoke(app, ["schema", "--out", str(out), "--force"])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == json_schema_text()


def test_out_with_the_same_content_needs_no_force(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    out.write_text(json_schema_text(), encoding="utf-8")
    before = out.stat().st_mtime_ns
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert out.stat().st_mtime_ns == before  # unchanged content: the file is left alone


def test_out_is_atomic_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "schema.json"
    out.write_text("old\n", encoding="utf-8")

    def broken_sync() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cli.files.os, "sync", broken_sync)
    result = runner.invoke(app, ["schema", "--out", str(out), "--force"])
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "old\n"  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]  # no temporary file left behind


def test_out_into_a_folder_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "folder" in result.output
