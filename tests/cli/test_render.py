"""`agentha-blueprint render`: manifests per region, same bytes every time, its own folder only,
and never over a file edited by hand without --force."""

from __future__ import annotations

import hashlib
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
    # Each file's SHA-256 as written: how a re-render tells a hand edit from its own output.
    assert all(marker["files"][p] == hashlib.sha256(files[p]).hexdigest() for p in marker["files"])
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
    victim = sorted(marker["files"])[0]
    del marker["files"][victim]
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
    marker["files"][stale] = hashlib.sha256(b"kind: Deployment\n").hexdigest()  # as render wrote it
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (out / "README.md").write_text("ours, not render's\n", encoding="utf-8")
    result = run(SPEC, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / stale).exists()
    assert (out / "README.md").exists()
    assert "removed 1 file" in result.output


def _edit(path: Path) -> bytes:
    path.write_bytes(path.read_bytes() + b"# my edit\n")
    return path.read_bytes()


def test_refuses_to_overwrite_a_file_edited_by_hand_and_names_it(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 0
    rule = next(p for p in sorted(out.glob("europe-west4/*-prometheusrule-*.yaml")))
    edited = _edit(rule)
    before = tree(out)
    # Another environment changes many files: the unedited ones alone would be updated freely.
    result = run(SPEC, "--env", "dev", "--out", out)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert rule.name in text and "edited since render wrote it" in text
    assert "re-run with --force to overwrite" in text
    assert tree(out) == before  # nothing written, the marker included
    assert rule.read_bytes() == edited
    # Rendering what is already there is refused too: the edit would be lost.
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 2
    assert rule.read_bytes() == edited


def test_force_overwrites_an_edited_file_and_records_the_new_hash(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 0
    pristine = tree(out)
    rule = next(p for p in sorted(out.glob("europe-west4/*-prometheusrule-*.yaml")))
    _edit(rule)
    result = run(SPEC, "--env", "prod", "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert tree(out) == pristine
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 0  # no edit left: no refusal


def test_unedited_files_are_updated_when_the_spec_changes(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 0
    prod = tree(out)
    result = run(SPEC, "--env", "dev", "--out", out)
    assert result.exit_code == 0, result.output
    dev = tree(out)
    assert dev != prod
    marker = json.loads(dev[MARKER])
    assert marker["environment"] == "dev"
    assert all(marker["files"][p] == hashlib.sha256(dev[p]).hexdigest() for p in marker["files"])


def test_an_edit_identical_to_the_new_output_is_not_a_conflict(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--env", "prod", "--out", out).exit_code == 0
    elsewhere = tmp_path / "dev"
    assert run(SPEC, "--env", "dev", "--out", elsewhere).exit_code == 0
    changed = next(
        rel for rel, data in tree(elsewhere).items() if rel != MARKER and tree(out).get(rel) not in (None, data)
    )
    (out / changed).write_bytes((elsewhere / changed).read_bytes())  # edited by hand to exactly the new bytes
    result = run(SPEC, "--env", "dev", "--out", out)
    assert result.exit_code == 0, result.output


def test_refuses_to_remove_an_edited_stale_file_without_force(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--out", out).exit_code == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    stale = "europe-west4/40-deployment-old-agent.yaml"
    marker["files"][stale] = hashlib.sha256(b"kind: Deployment\n").hexdigest()  # what render wrote
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (out / stale).write_text("kind: Deployment\n# my edit\n", encoding="utf-8")  # then edited
    before = tree(out)
    result = run(SPEC, "--out", out)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "40-deployment-old-agent.yaml" in text and "would be removed" in text and "--force" in text
    assert tree(out) == before
    result = run(SPEC, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / stale).exists()


def test_a_marker_without_hashes_from_an_older_render_is_still_read(tmp_path):
    out = tmp_path / "deploy"
    assert run(SPEC, "--out", out).exit_code == 0
    pristine = tree(out)
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["files"] = sorted(marker["files"])  # the old form: names only
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    result = run(SPEC, "--out", out)
    assert result.exit_code == 0, result.output
    assert tree(out) == pristine  # hashes recorded again


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


def test_active_passive_gets_the_failover_runbook_and_its_guard_beside_the_regions(tmp_path):
    """FAILOVER.md and check-primary.sh are render's own files (in the marker), written only for
    active-passive; a switched primary re-renders both regions and the runbook with it."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec.pop("environments", None)
    spec["topology"]["pattern"] = "active-passive"
    spec["topology"]["regions"] = [
        {"name": "europe-west4", "role": "primary", "zones": [f"europe-west4-{z}" for z in "abc"]},
        {"name": "us-central1", "role": "standby", "zones": [f"us-central1-{z}" for z in "abc"]},
    ]
    spec["objectives"]["disruptions"]["region"] = {"rto": "30m", "rpo": "5m"}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "deploy"
    assert run(path, "--out", out).exit_code == 0
    files = tree(out)
    assert {"FAILOVER.md", "check-primary.sh"} <= set(files)
    assert {"FAILOVER.md", "check-primary.sh"} <= set(json.loads(files[MARKER])["files"])
    assert b"**europe-west4**" in files["FAILOVER.md"]
    spec["topology"]["failover"] = {"current_primary": "us-central1", "fenced": ["europe-west4"]}
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    assert run(path, "--out", out).exit_code == 0
    again = tree(out)
    assert b"**us-central1**" in again["FAILOVER.md"]
    clusters = [yaml.safe_load(v) for k, v in again.items() if "/10-cluster-" in k]
    names = {c["metadata"]["annotations"]["agentha.dev/region"]: c["metadata"]["name"] for c in clusters}
    assert {c["spec"]["replica"]["primary"] for c in clusters} == {names["us-central1"]}
    # The single-region example gets neither file.
    assert run(SPEC, "--out", tmp_path / "single").exit_code == 0
    assert "FAILOVER.md" not in tree(tmp_path / "single")


def test_the_objects_are_collected_once_for_the_manifests_and_the_failover_runbook(tmp_path, monkeypatch):
    """Collecting walks and re-orders every object of the graph (a second pass cost ~1.5 s at 8,400 objects)."""
    import stacks.manifests

    calls = []
    real = stacks.manifests.collect

    def counted(graph):
        calls.append(1)
        return real(graph)

    monkeypatch.setattr(stacks.manifests, "collect", counted)
    result = run(SPEC, "--env", "prod", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
