"""This repository is a working Pulumi project: Pulumi.yaml, stacks/Pulumi.<env>.yaml, one program.

The offline checks run everywhere; `pulumi preview` on a local file backend runs wherever the Pulumi
CLI is on PATH (it reaches AWS's read APIs during preview, so it needs AWS credentials there too).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
ENVIRONMENTS = ("dev", "staging", "prod")


def load_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def stack_config(env: str) -> dict[str, str]:
    """The stack file's config as the engine hands it to the program: strings, objects as JSON."""
    config = load_yaml(STACKS / f"Pulumi.{env}.yaml")["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def test_project_file_points_at_the_program_and_the_stack_files() -> None:
    project = load_yaml(ROOT / "Pulumi.yaml")
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    main = ROOT / project["main"]
    assert (main / "__main__.py").is_file()
    assert "from stacks.program import main" in (main / "__main__.py").read_text()
    assert ROOT / project["stackConfigDir"] == STACKS


def test_one_stack_file_per_environment() -> None:
    assert sorted(p.name for p in STACKS.glob("Pulumi.*.yaml")) == sorted(f"Pulumi.{e}.yaml" for e in ENVIRONMENTS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stack_file_names_an_existing_spec_and_environment(env: str) -> None:
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_spec

    config = load_yaml(STACKS / f"Pulumi.{env}.yaml")["config"]
    spec_path = ROOT / config["agentha:spec"]  # relative to the folder holding Pulumi.yaml
    assert spec_path.is_file()
    assert "agentha:environment" not in config  # the stack name is the environment
    loaded = load_spec(spec_path, env)  # raises SpecError when the environment is missing or invalid
    result = plan(loaded.spec, env)
    assert result.objectives_met
    # the default AWS provider's region is the primary region of that environment
    assert config["aws:region"] == result.regions[0].name
    # per-environment account guards are placeholders, present but commented out
    text = (STACKS / f"Pulumi.{env}.yaml").read_text()
    assert "# agentha:assumeRoleArn:" in text and "# agentha:allowedAccountIds:" in text
    assert "agentha:assumeRoleArn" not in config


def test_settings_resolve_the_spec_from_the_project_root_and_default_to_the_stack_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What `pulumi up -s dev` hands the program, read back by StackSettings.from_config under mocks."""
    from stacks.capture import synthesize
    from stacks.settings import StackSettings

    seen: list[StackSettings] = []
    monkeypatch.chdir(STACKS)  # anywhere inside the project: the root is found upward from the cwd
    synthesize(lambda: seen.append(StackSettings.from_config()), project="agentha-blueprint", stack="dev",
               config=stack_config("dev"))  # fmt: skip
    assert seen[0].spec_path == ROOT / "examples" / "support-agent" / "spec.yaml"
    assert seen[0].environment == "dev"
    assert seen[0].assume_role_arn is None and seen[0].allowed_account_ids == ()


def test_dev_stack_synthesizes_offline_with_its_stack_file(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (ROOT / "components" / "aws" / "topology.py").exists():
        pytest.skip("components/aws/topology.py is not built yet; the dev stack synthesizes once it is")
    from stacks.synth import synth

    monkeypatch.chdir(ROOT)
    config = stack_config("dev")
    result = synth(ROOT / config["agentha:spec"], "dev", stack="dev", config=config)
    assert result.plan.environment == "dev"
    assert len(result.graph) > 0
    # dev is one region (environments.dev of the support-agent spec)
    assert {r.region for r in result.graph if r.region} == {"us-east-1"}
    assert result.graph.exports["estimates"]["availability"]["met"] is True


@pytest.mark.skipif(shutil.which("pulumi") is None, reason="the Pulumi CLI is not on PATH")
def test_pulumi_preview_of_the_dev_stack_on_a_local_file_backend(tmp_path: Path) -> None:
    """`pulumi preview -s dev` of this repository's program, state in a throwaway file backend.

    The project is mirrored into tmp_path so the run leaves the checkout untouched (`stack init`
    writes an encryption salt into the stack file): the repository's Pulumi.yaml with its virtualenv
    pointed at this interpreter's environment, the real program folder (symlinked), a copy of
    stacks/Pulumi.dev.yaml, and the examples. PULUMI_BACKEND_URL selects the backend for these
    commands only, where `pulumi login file://...` would change the user's global login.
    """
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    data = load_yaml(ROOT / "Pulumi.yaml")
    data["runtime"]["options"]["virtualenv"] = sys.prefix
    data["main"] = "program/"
    buffer = io.StringIO()
    YAML().dump(data, buffer)
    (project / "Pulumi.yaml").write_text(buffer.getvalue())
    (project / "program").symlink_to(STACKS, target_is_directory=True)
    (project / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    shutil.copy(STACKS / "Pulumi.dev.yaml", project / "stacks" / "Pulumi.dev.yaml")
    state = tmp_path / "state"
    state.mkdir()
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": "agentha-test-only",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pulumi", *args, "--non-interactive", "--cwd", str(project)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    init = pulumi("stack", "init", "dev")
    assert init.returncode == 0, init.stdout + init.stderr
    preview = pulumi("preview", "--stack", "dev", "--json")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    steps = json.loads(preview.stdout).get("steps", [])
    created = {s["newState"]["type"] for s in steps if s.get("op") == "create" and s.get("newState")}
    assert "aws:sqs/queue:Queue" in created and "aws:dynamodb/table:Table" in created
