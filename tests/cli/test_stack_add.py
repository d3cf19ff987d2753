"""`agentha-blueprint stack add ENV`: a stack file plus an environments.<env> block, nothing else touched."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()

# Written by hand: key order no tool would choose, 4-space indentation, aligned comments, extra
# spaces inside flow mappings, a comment between environments, another section after them, and a
# last line without a line break.
HAND_WRITTEN = """\
# Hand-written spec: odd key order, 4-space indentation, comments everywhere.
kind: HASpec   # kind first, on purpose
apiVersion: agentha.dev/v1

agents:
    # the only agent
    -   name: bot            # short name
        image: ghcr.io/acme/bot:2.0.1
        port: 9000
        memory: 1Gi
        replicas: {min: 2,   max: 8}     # extra spaces inside the flow mapping stay
        consumes: [jobs]

queues:
    - {name: jobs,    retention: 4d}

target: aws
metadata:
    name: odd-spec
    tags: {team: x}

environments:           # per-environment overrides
    dev:
        agents:
            -   name: bot
                replicas: {min: 2, max: 4}   # dev is small
    # prod mirrors the base
    prod: {}   # nothing differs

# topology comes last here, after the environments
topology:
    pattern: active-passive
    regions:
        - {name: us-east-1, role: primary, zones: [us-east-1a, us-east-1b, us-east-1c]}
        - {name: us-west-2, role: standby,   zones: [us-west-2a, us-west-2b, us-west-2c]}
objectives:
    availability: 99.9
    disruptions:
        region: {rto: 30m, rpo: 5m}
observability: {notify: {email: [ops@acme.example]}}
# end of file"""


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def load_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: odd\nruntime: python\nstackConfigDir: infra\n")
    (tmp_path / "spec.yaml").write_text(HAND_WRITTEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def diff_ops(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = before.splitlines(), after.splitlines()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return [(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def test_only_the_new_block_is_added_and_every_other_line_stays(project: Path) -> None:
    result = run("stack", "add", "qa", "--region", "eu-west-1", "--region", "eu-central-1")
    assert result.exit_code == 0, result.output
    after = (project / "spec.yaml").read_text()
    ops = diff_ops(HAND_WRITTEN, after)
    assert len(ops) == 1 and ops[0][0] == "insert", ops  # one contiguous insertion, nothing changed or removed
    added = ops[0][2]
    assert added[0] == "    qa:"  # at the indentation of the other environments
    assert all(line.startswith("        ") for line in added[1:])
    # inserted right after the last environment, before the comment and section that follow it
    lines = after.splitlines()
    at = lines.index("    qa:")
    assert lines[at - 1] == "    prod: {}   # nothing differs"
    assert lines[at + len(added)] == ""
    assert lines[at + len(added) + 1] == "# topology comes last here, after the environments"
    # the override says what was asked: those regions, the first primary
    spec = load_yaml(project / "spec.yaml")
    regions = spec["environments"]["qa"]["topology"]["regions"]
    assert [(r["name"], r["role"]) for r in regions] == [("eu-west-1", "primary"), ("eu-central-1", "standby")]
    assert regions[0]["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert list(spec) == list(load_yaml_text(HAND_WRITTEN))  # top-level key order kept


def load_yaml_text(text: str):
    return YAML(typ="safe").load(text)


def test_the_result_passes_validate_and_the_stack_file_lands_in_stack_config_dir(project: Path) -> None:
    assert run("stack", "add", "qa").exit_code == 0
    result = run("validate", project / "spec.yaml", "--env", "qa", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["valid"] is True
    stack = load_yaml(project / "infra" / "Pulumi.qa.yaml")
    assert stack["config"]["agentha:spec"] == "spec.yaml"
    assert stack["config"]["aws:region"] == "us-east-1"
    assert not (project / "Pulumi.qa.yaml").exists()
    assert "    qa: {}" in (project / "spec.yaml").read_text().splitlines()


def test_one_region_of_a_multi_region_spec_becomes_multi_zone(project: Path) -> None:
    result = run("stack", "add", "eu", "--region", "eu-west-1")
    assert result.exit_code == 0, result.output
    eu = load_yaml(project / "spec.yaml")["environments"]["eu"]
    assert eu["topology"]["pattern"] == "multi-zone"
    assert eu["objectives"] == {"disruptions": {"region": None}}  # no region objective without a second region
    assert run("validate", project / "spec.yaml", "--env", "eu").exit_code == 0
    assert load_yaml(project / "infra" / "Pulumi.eu.yaml")["config"]["aws:region"] == "eu-west-1"


def test_an_existing_environment_is_refused_and_nothing_changes(project: Path) -> None:
    before = (project / "spec.yaml").read_bytes()
    result = run("stack", "add", "dev")
    assert result.exit_code == 2
    assert "environment 'dev' is already defined" in result.output
    assert "[environment-taken]" in result.output  # not environment-exists, which means "not defined"
    assert "--force" in result.output
    assert (project / "spec.yaml").read_bytes() == before
    assert not (project / "infra").exists()


def test_an_existing_stack_file_is_refused(project: Path) -> None:
    (project / "infra").mkdir()
    (project / "infra" / "Pulumi.qa.yaml").write_text("config: {}\n")
    before = (project / "spec.yaml").read_bytes()
    result = run("stack", "add", "qa")
    assert result.exit_code == 2
    assert "Pulumi.qa.yaml already exists" in result.output
    assert (project / "spec.yaml").read_bytes() == before
    assert (project / "infra" / "Pulumi.qa.yaml").read_text() == "config: {}\n"


def test_force_replaces_only_that_environment_block(project: Path) -> None:
    result = run("stack", "add", "dev", "--region", "us-west-2", "--force")
    assert result.exit_code == 0, result.output
    after = (project / "spec.yaml").read_text()
    before_lines, after_lines = HAND_WRITTEN.splitlines(), after.splitlines()
    start = before_lines.index("    dev:")
    end = before_lines.index("    # prod mirrors the base")
    # every line outside the old dev block is kept, in order, and the block is replaced in place
    assert after_lines[: start + 1] == before_lines[: start + 1]
    tail = before_lines[end:]
    assert after_lines[-len(tail) :] == tail  # the comment after the replaced block stays too
    new_block = after_lines[start + 1 : len(after_lines) - len(tail)]
    assert new_block and all(line.startswith("        ") for line in new_block)
    assert "# dev is small" not in after
    dev = load_yaml(project / "spec.yaml")["environments"]["dev"]
    assert dev["topology"]["regions"][0]["name"] == "us-west-2"
    assert run("validate", project / "spec.yaml").exit_code == 0


def test_a_spec_without_environments_gets_the_block_at_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HAND_WRITTEN.split("environments:")[0] + "# topology" + HAND_WRITTEN.split("# topology", 1)[1]
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "spec.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert run("stack", "add", "staging").exit_code == 0
    after = (tmp_path / "spec.yaml").read_text()
    assert after.startswith(text)  # every original byte, then the new block (after a line break)
    assert after[len(text) :] == "\nenvironments:\n    staging: {}\n"
    assert (tmp_path / "Pulumi.staging.yaml").exists()


def test_flow_style_environments_keep_the_comments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# my spec\n" + HAND_WRITTEN.split("environments:")[0].split("\n", 1)[1]
    text += "environments: {dev: {}}   # flow style\n# topology" + HAND_WRITTEN.split("# topology", 1)[1] + "\n"
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "spec.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert run("stack", "add", "qa").exit_code == 0
    after = (tmp_path / "spec.yaml").read_text()
    assert "# my spec" in after and "# short name" in after and "# end of file" in after
    assert set(load_yaml(tmp_path / "spec.yaml")["environments"]) == {"dev", "qa"}


def test_the_spec_is_found_through_the_existing_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "ha.yaml").write_text(HAND_WRITTEN)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  agentha:spec: specs/ha.yaml\n")
    monkeypatch.chdir(tmp_path / "stacks")  # from a folder inside the project
    result = run("stack", "add", "qa")
    assert result.exit_code == 0, result.output
    assert "qa" in load_yaml(tmp_path / "specs" / "ha.yaml")["environments"]
    assert load_yaml(tmp_path / "stacks" / "Pulumi.qa.yaml")["config"]["agentha:spec"] == "specs/ha.yaml"


def test_next_steps_run_from_where_the_user_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "infra" / "spec.yaml").write_text(HAND_WRITTEN)
    monkeypatch.chdir(tmp_path)
    result = run("stack", "add", "qa", "--project", "infra")
    assert result.exit_code == 0, result.output
    steps = " ".join(result.stdout.split())
    assert "agentha-blueprint plan infra/spec.yaml --env qa" in steps  # was spec.yaml, relative to infra/
    assert "cd infra && pulumi stack select qa --create && pulumi preview" in steps


def test_an_init_project_takes_a_new_stack_that_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--target", "kubernetes", "--pattern", "active-passive").exit_code == 0
    monkeypatch.chdir(folder)
    result = run("stack", "add", "qa", "--region", "europe-west4")
    assert result.exit_code == 0, result.output
    assert run("plan", "spec.yaml", "--env", "qa", "-o", "json").exit_code == 0
    stack = load_yaml(folder / "Pulumi.qa.yaml")["config"]
    assert stack["agentha:kubeContexts"] == {"europe-west4": "proj-europe-west4"}
    # the new block uses the file's own 2-space indentation
    assert "  qa:\n    topology:\n      pattern: multi-zone\n" in (folder / "spec.yaml").read_text()


def test_the_ci_workflow_of_an_init_project_checks_the_new_environment_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--target", "aws", "--pattern", "multi-zone").exit_code == 0
    workflow = folder / ".github" / "workflows" / "agentha.yml"
    before = workflow.read_text()
    monkeypatch.chdir(folder)
    result = run("stack", "add", "qa")
    assert result.exit_code == 0, result.output
    after = workflow.read_text()
    assert load_yaml(workflow)["jobs"]["check"]["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod", "qa"]
    assert diff_ops(before, after) == [
        ("replace", ["        environment: [dev, staging, prod]"], ["        environment: [dev, staging, prod, qa]"])
    ]
    assert "updated   .github/workflows/agentha.yml" in result.output
    # Re-adding with --force lists it once.
    assert run("stack", "add", "qa", "--force").exit_code == 0
    assert workflow.read_text() == after


@pytest.mark.parametrize(
    "text",
    [
        "jobs: {}\n",  # no matrix line: changed by hand
        "a:\n  environment: [dev]\nb:\n  environment: [prod]\n",  # two: which one is ours is unclear
    ],
)
def test_a_workflow_without_one_matrix_line_is_left_alone(text: str) -> None:
    from cli.scaffolding import with_matrix_environment

    assert with_matrix_environment(text, "qa") is None


def test_the_matrix_line_keeps_its_comment_and_takes_the_name_once() -> None:
    from cli.scaffolding import with_matrix_environment

    text = "    environment: [dev, prod]   # one job each\n"
    assert with_matrix_environment(text, "qa") == "    environment: [dev, prod, qa]   # one job each\n"
    assert with_matrix_environment(text, "prod") == text
    assert with_matrix_environment("    environment: []\n", "qa") == "    environment: [qa]\n"


def test_a_missed_objective_is_pointed_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--target", "aws", "--pattern", "active-passive").exit_code == 0
    monkeypatch.chdir(folder)
    result = run("stack", "add", "solo", "--region", "eu-west-1")
    assert result.exit_code == 0, result.output
    assert "misses objectives" in result.output and "availability" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Prod"], "not DNS-safe"),
        (["qa", "--region", "nowhere"], "not an AWS region code"),
        (["qa", "--region", "us-east-1,us-east-1"], "listed twice"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(project: Path, args: list[str], words: str) -> None:
    result = run("stack", "add", *args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert (project / "spec.yaml").read_text() == HAND_WRITTEN
    assert not (project / "infra").exists()


def test_an_override_that_breaks_the_spec_is_not_written(project: Path) -> None:
    (project / "spec.yaml").write_text(
        HAND_WRITTEN.replace("pattern: active-passive", "pattern: multi-zone").replace(
            "        - {name: us-west-2, role: standby,   zones: [us-west-2a, us-west-2b, us-west-2c]}\n", ""
        )
    )
    before = (project / "spec.yaml").read_bytes()
    result = run("stack", "add", "qa", "--region", "us-east-1,us-west-2")
    assert result.exit_code == 2
    assert "multi-region pattern" in result.output
    assert (project / "spec.yaml").read_bytes() == before


def test_outside_a_project_it_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("stack", "add", "qa")
    assert result.exit_code == 2
    assert "no Pulumi.yaml" in result.output and "init" in result.output
