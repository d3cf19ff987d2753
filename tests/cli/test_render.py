"""`agentha-blueprint render`: manifests per region, same bytes every time, its own folder only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.commands.render import MARKER
from cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "research-agent" / "spec.yaml"
runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, ["render", *(str(a) for a in args)])


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "deploy"
    result = run(SPEC, "--env", "prod", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_writes_one_folder_per_region_with_a_kustomization_and_the_marker(rendered):
    files = tree(rendered)
    assert MARKER in files
    regions = {p.split("/")[0] for p in files if "/" in p}
    assert regions == {"europe-west4"}
    kustomization = yaml.safe_load(files["europe-west4/kustomization.yaml"])
    listed = {f"europe-west4/{r}" for r in kustomization["resources"]}
    assert listed == {p for p in files if p.startswith("europe-west4/") and not p.endswith("kustomization.yaml")}
    marker = json.loads(files[MARKER])
    assert marker["system"] == "research-agent" and marker["environment"] == "prod"
    assert sorted(marker["files"]) == sorted(p for p in files if p != MARKER)
    kinds = {yaml.safe_load(files[p])["kind"] for p in listed}
    assert {"Namespace", "Rollout", "Cluster", "RabbitmqCluster", "Queue", "PrometheusRule", "Ingress"} <= kinds


def test_rendering_again_gives_the_same_bytes_and_changes_nothing(rendered, tmp_path):
    before = tree(rendered)
    result = run(SPEC, "--env", "prod", "--out", rendered)
    assert result.exit_code == 0, result.output
    assert tree(rendered) == before
    elsewhere = tmp_path / "again"
    assert run(SPEC, "--env", "prod", "--out", elsewhere).exit_code == 0
    assert tree(elsewhere) == before


def test_prints_the_secrets_to_create(rendered):
    result = run(SPEC, "--env", "prod", "--out", rendered)
    assert "research-agent-llm-api-key-secret" in result.output
    assert "research-agent-tls" in result.output


def test_refuses_a_non_empty_folder_it_did_not_write(tmp_path):
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(SPEC, "--out", out)
    assert result.exit_code == 2
    assert "not written by render" in result.output
    assert tree(out) == {"notes.txt": b"mine"}


def test_force_writes_into_a_foreign_folder_and_keeps_unrelated_files(tmp_path):
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(SPEC, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert files["notes.txt"] == b"mine" and MARKER in files


def test_a_file_in_its_own_folder_that_it_did_not_write_is_not_overwritten(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--out", out).exit_code == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    victim = marker["files"][0]
    marker["files"] = marker["files"][1:]
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (out / victim).write_text("edited by hand\n", encoding="utf-8")
    result = run(SPEC, "--out", out)
    assert result.exit_code == 2
    assert (out / victim).read_text(encoding="utf-8") == "edited by hand\n"


def test_removes_files_the_spec_no_longer_produces(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--out", out).exit_code == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    stale = "europe-west4/40-deployment-old-agent.yaml"
    (out / stale).write_text("kind: Deployment\n", encoding="utf-8")
    marker["files"].append(stale)
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (out / "README.md").write_text("ours, not render's\n", encoding="utf-8")
    result = run(SPEC, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / stale).exists()
    assert (out / "README.md").exists()
    assert "removed 1 file" in result.output


def test_writes_nothing_when_staging_fails(tmp_path, monkeypatch):
    import cli.files

    out = tmp_path / "deploy"
    calls = {"n": 0}
    real = cli.files.tempfile.mkstemp

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(cli.files.tempfile, "mkstemp", failing)
    result = run(SPEC, "--out", out)
    assert result.exit_code == 2
    assert "No space left on device" in " ".join(result.output.split())
    assert tree(out) == {} if out.exists() else True


def test_bad_input_exits_2_without_a_traceback(tmp_path):
    bad = tmp_path / "spec.yaml"
    bad.write_text(SPEC.read_text(encoding="utf-8").replace("target: kubernetes", "target: mars"), encoding="utf-8")
    result = run(bad, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    aws = ROOT / "examples" / "support-agent" / "spec.yaml"
    result = run(aws, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "targets aws" in " ".join(result.output.split())
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert run(SPEC, "--out", tmp_path / "file").exit_code == 2
    assert run(SPEC, "--env", "nope", "--out", tmp_path / "out").exit_code == 2
