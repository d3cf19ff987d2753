"""`agentha-blueprint init`: a standalone project that validates, plans and synthesizes as written.

Golden copy of one scaffold: tests/golden/scaffold/. Regenerate it (and review the diff as a change
of contract) with `AGENTHA_UPDATE_GOLDEN=1 pytest tests/cli/test_init.py`.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import runpy
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from cli.main import app
from cli.scaffolding import PATTERNS, PROJECT_TEMPLATES, TARGETS, InitOptions, init_files
from cli.scaffolding import installed_requirement as _installed_requirement

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "scaffold"
GOLDEN_ARGS = ["--name", "support-bot", "--target", "aws", "--pattern", "active-passive"]
UPDATE_GOLDEN = os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1"
COMBOS = list(itertools.product(TARGETS, PATTERNS))

runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def project_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def load_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@cache
def scaffold(target: str, pattern: str) -> Path:
    """One project per target × pattern, made once per session by the real command."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f"agentha-init-{target}-{pattern}-")) / "my-agents"
    result = run("init", folder, "--target", target, "--pattern", pattern)
    assert result.exit_code == 0, result.output
    return folder


# --- every target × pattern -----------------------------------------------------------------------


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
def test_init_writes_every_file_and_lists_it(target: str, pattern: str) -> None:
    folder = scaffold(target, pattern)
    expected = {out for _, out in PROJECT_TEMPLATES} | {f"Pulumi.{e}.yaml" for e in ("dev", "staging", "prod")}
    assert set(project_files(folder)) == expected
    assert "stacks" not in {p.name for p in folder.iterdir()}  # would hide the installed package


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
def test_generated_spec_is_valid_with_no_warning_in_every_environment(target: str, pattern: str) -> None:
    folder = scaffold(target, pattern)
    result = run("validate", folder / "spec.yaml", "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["warnings"] == 0, report["problems"]
    assert report["environments"] == ["dev", "prod", "staging"]


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
@pytest.mark.parametrize("env", [None, "dev", "staging", "prod"])
def test_generated_plan_meets_every_objective(target: str, pattern: str, env: str | None) -> None:
    folder = scaffold(target, pattern)
    args = ["plan", folder / "spec.yaml", "--output", "json", *(["--env", env] if env else [])]
    result = run(*args)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["objectives_met"] is True
    assert plan["target"] == target
    assert plan["pattern"] == (pattern if env != "dev" or pattern in ("single-zone", "multi-zone") else "multi-zone")
    assert all(e["met"] is not False for e in plan["estimates"])


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
def test_generated_spec_fits_target_and_pattern(target: str, pattern: str) -> None:
    spec = load_yaml(scaffold(target, pattern) / "spec.yaml")
    assert spec["target"] == target
    assert spec["topology"]["pattern"] == pattern
    regions = spec["topology"]["regions"]
    assert len(regions) == (2 if pattern in ("active-passive", "active-active") else 1)
    for region in regions:
        assert len(region["zones"]) == (1 if pattern == "single-zone" else 3)
        sep = "" if target == "aws" else "-"
        assert all(z.startswith(region["name"] + sep) for z in region["zones"])
    if target == "aws":
        assert [r["name"] for r in regions][:1] == ["us-east-1"]
    assert "PLACEHOLDER" in (scaffold(target, pattern) / "spec.yaml").read_text()
    image_line = next(ln for ln in (scaffold(target, pattern) / "spec.yaml").read_text().splitlines() if "image:" in ln)
    assert "PLACEHOLDER" in image_line


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
def test_generated_yaml_files_parse_and_point_at_the_spec(target: str, pattern: str) -> None:
    folder = scaffold(target, pattern)
    project = load_yaml(folder / "Pulumi.yaml")
    assert project["name"] == "my-agents"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    spec = load_yaml(folder / "spec.yaml")
    for env in ("dev", "staging", "prod"):
        config = load_yaml(folder / f"Pulumi.{env}.yaml")["config"]
        assert config["agentha:spec"] == "spec.yaml"
        if target == "aws":
            primary = spec["topology"]["regions"][0]["name"]
            assert config["aws:region"] == primary
            assert "agentha:assumeRoleArn" not in config  # placeholders stay commented out
        else:
            assert "aws:region" not in config
            contexts = config["agentha:kubeContexts"]
            regions = (spec["environments"][env] or {}).get("topology", {}).get("regions") or spec["topology"][
                "regions"
            ]
            assert set(contexts) == {r["name"] for r in regions}
    requirements = (folder / "requirements.txt").read_text().split()
    assert any(line.startswith("agentha-blueprint~=") for line in requirements)


@pytest.mark.parametrize(("target", "pattern"), COMBOS[:1])
def test_generated_workflow_runs_validate_plan_and_check_on_pull_requests(target: str, pattern: str) -> None:
    workflow = load_yaml(scaffold(target, pattern) / ".github" / "workflows" / "agentha.yml")
    # YAML 1.1 readers (PyYAML, as GitHub's own tooling) read a bare `on` as True; ruamel reads it as "on"
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    job = workflow["jobs"]["check"]
    assert job["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod"]
    runs = [step.get("run", "") for step in job["steps"]]
    for command in ("validate", "plan", "check"):
        assert any(f'agentha-blueprint {command} spec.yaml --env "${{{{ matrix.environment }}}}"' in r for r in runs), (
            command,
            runs,
        )
    assert any(r == "pip install -r requirements.txt" for r in runs)
    assert workflow["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(("target", "pattern"), COMBOS[:1])
def test_generated_entry_point_calls_the_installed_stack_program(target: str, pattern: str) -> None:
    tree = ast.parse((scaffold(target, pattern) / "__main__.py").read_text())
    imports = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert [(n.module, [a.name for a in n.names]) for n in imports] == [("stacks.program", ["main"])]
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert [ast.unparse(c) for c in calls] == ["main()"]


def _stack_config(folder: Path, env: str) -> dict[str, str]:
    """A stack file's config as the engine hands it to the program: strings, objects as JSON."""
    config = load_yaml(folder / f"Pulumi.{env}.yaml")["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


@pytest.mark.parametrize(("target", "pattern"), COMBOS)
def test_generated_project_synthesizes_offline_from_its_own_entry_point(
    target: str, pattern: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's __main__.py, run from the project folder like `pulumi up` does, under mocks.

    The stack file gives `agentha:spec` relative to the project folder and no environment: the
    program resolves the spec from the folder holding Pulumi.yaml and takes the stack name.
    """
    if not (ROOT / "components" / target / "topology.py").exists():
        pytest.skip(f"components/{target}/topology.py is not built yet; this synthesis runs once it is")
    from stacks.capture import synthesize

    folder = scaffold(target, pattern)
    monkeypatch.chdir(folder)
    graph = synthesize(
        lambda: runpy.run_path(str(folder / "__main__.py"), run_name="__main__"),
        project="my-agents",
        stack="prod",
        config=_stack_config(folder, "prod"),
    )
    assert len(graph) > 0
    spec = load_yaml(folder / "spec.yaml")
    placed = {r.region for r in graph if r.region}  # aws: the region; kubernetes: the provider's context
    if target == "aws":
        assert placed == {r["name"] for r in spec["topology"]["regions"]}
    else:  # one provider per region, on the context the stack file names for it
        contexts = load_yaml(folder / "Pulumi.prod.yaml")["config"]["agentha:kubeContexts"]
        assert set(contexts) == {r["name"] for r in spec["topology"]["regions"]}
        assert placed == set(contexts.values())
    estimates = graph.exports.get("estimates")
    assert estimates and all(e["met"] is not False for e in estimates.values())


# --- re-running, conflicts, failures --------------------------------------------------------------


def _bytes_and_times(folder: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_rerun_with_same_options_changes_nothing_and_exits_1_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--target", "aws", "--pattern", "active-passive").exit_code == 0
    before = _bytes_and_times(folder)
    again = run("init", folder, "--target", "aws", "--pattern", "active-passive")
    assert again.exit_code == 1, again.output
    assert again.exception is None or isinstance(again.exception, SystemExit)  # no traceback
    assert f"{folder} already holds this project: nothing written" in " ".join(again.output.split())
    assert "--force" in again.output
    assert "created" not in again.output and "updated" not in again.output and "Next" not in again.output
    assert _bytes_and_times(folder) == before  # same bytes, not even rewritten


def test_rerun_with_same_options_and_force_exits_0_and_still_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder).exit_code == 0
    before = _bytes_and_times(folder)
    again = run("init", folder, "--force")
    assert again.exit_code == 0, again.output
    assert "unchanged: every file already has this content" in again.output
    assert "created" not in again.output and "updated" not in again.output
    assert _bytes_and_times(folder) == before


def test_rerun_after_a_file_was_deleted_puts_it_back_and_exits_0(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder).exit_code == 0
    (folder / "README.md").unlink()
    again = run("init", folder)
    assert again.exit_code == 0, again.output
    assert "created" in again.output and (folder / "README.md").exists()


def test_rerun_with_other_options_stops_names_each_file_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--target", "aws", "--pattern", "active-passive").exit_code == 0
    before = project_files(folder)
    result = run("init", folder, "--target", "aws", "--pattern", "multi-zone")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert "spec.yaml" in result.output and "file-exists" in result.output
    assert "--force" in result.output
    assert "nothing was written" in result.output
    assert project_files(folder) == before


def test_a_hand_edited_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder).exit_code == 0
    spec = folder / "spec.yaml"
    spec.write_text(spec.read_text().replace("max: 6", "max: 9"))
    before = project_files(folder)
    result = run("init", folder)
    assert result.exit_code == 2
    assert str(spec) in result.output
    assert project_files(folder) == before
    forced = run("init", folder, "--force")
    assert forced.exit_code == 0, forced.output
    assert "updated" in forced.output and "max: 9" not in spec.read_text()


def test_force_overwrites_with_the_new_options(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--pattern", "multi-zone").exit_code == 0
    result = run("init", folder, "--pattern", "active-active", "--force")
    assert result.exit_code == 0, result.output
    assert load_yaml(folder / "spec.yaml")["topology"]["pattern"] == "active-active"


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*")]


@pytest.mark.parametrize("fail_on", ["chmod", "replace"])
def test_a_failure_midway_leaves_no_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    """Staging fails on the 4th file (its mode cannot be set), or moving into place fails on the 4th file."""
    real = getattr(os, fail_on)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, fail_on, flaky)
    result = run("init", tmp_path / "proj", "--pattern", "active-passive")
    assert calls["n"] >= 4
    assert result.exit_code == 2
    assert "nothing was written" in result.output
    assert "Traceback" not in result.output
    assert _leftovers(tmp_path) == []  # no file, no temp file, not even the folders it made


def test_a_failure_midway_through_force_restores_the_old_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "proj"
    assert run("init", folder, "--pattern", "multi-zone").exit_code == 0
    before = project_files(folder)
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    result = run("init", folder, "--pattern", "active-active", "--force")
    assert result.exit_code == 2
    assert calls["n"] == 2
    assert project_files(folder) == before
    assert not [p for p in folder.rglob("*.tmp")]


# --- options and prompts -----------------------------------------------------------------------


def test_defaults_need_no_prompt_and_no_terminal(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["init", str(tmp_path / "Support Agents"), "--target", "aws", "--pattern", "active-passive"], input=""
    )
    assert result.exit_code == 0, result.output
    spec = load_yaml(tmp_path / "Support Agents" / "spec.yaml")
    assert spec["metadata"]["name"] == "support-agents"  # from the folder name
    assert [r["name"] for r in spec["topology"]["regions"]] == ["us-east-1", "us-west-2"]
    assert "Next" in result.output and "agentha-blueprint plan spec.yaml --env dev" in result.output


def test_options_shape_the_project(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    result = run(
        "init", folder, "--name", "lab", "--target", "kubernetes", "--pattern", "active-passive",
        "--regions", "eu-a,eu-b", "--zones", "4", "--environments", "qa", "--environments", "live",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    spec = load_yaml(folder / "spec.yaml")
    assert spec["metadata"]["name"] == "lab"
    assert [(r["name"], r["role"]) for r in spec["topology"]["regions"]] == [("eu-a", "primary"), ("eu-b", "standby")]
    assert spec["topology"]["regions"][0]["zones"] == ["eu-a-a", "eu-a-b", "eu-a-c", "eu-a-d"]
    assert list(spec["environments"]) == ["qa", "live"]
    assert sorted(p.name for p in folder.glob("Pulumi.*.yaml")) == ["Pulumi.live.yaml", "Pulumi.qa.yaml"]
    assert run("plan", folder / "spec.yaml", "--env", "live", "-o", "json").exit_code == 0


GIT_REQUIREMENT = "agentha-blueprint @ git+https://github.com/acme/agentha-blueprint@v0.1.0"


def _requirement_lines(folder: Path) -> list[str]:
    """What pip reads from requirements.txt: its lines that are not comments or blank."""
    lines = (folder / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_default_requirement_is_the_tool_series_from_the_index(tmp_path: Path) -> None:
    assert run("init", tmp_path / "p").exit_code == 0
    assert _requirement_lines(tmp_path / "p")[0].startswith("agentha-blueprint~=")
    assert len(_requirement_lines(tmp_path / "p")) == 1
    assert "--requirement" not in (tmp_path / "p" / "README.md").read_text()


@pytest.mark.parametrize("spec", [GIT_REQUIREMENT, "/src/agentha-blueprint", "  agentha-blueprint==0.1.0  "])
def test_requirement_option_is_the_line_pip_installs_locally_and_in_ci(tmp_path: Path, spec: str) -> None:
    default, custom = tmp_path / "default", tmp_path / "custom"
    assert run("init", default, "--name", "p").exit_code == 0
    result = run("init", custom, "--name", "p", "--requirement", spec)
    assert result.exit_code == 0, result.output
    assert _requirement_lines(custom) == [spec.strip()]
    workflow = load_yaml(custom / ".github" / "workflows" / "agentha.yml")
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "pip install -r requirements.txt" in runs  # CI installs the same line
    readme = (custom / "README.md").read_text()
    assert f"`{spec.strip()}`" in readme and "--requirement" in readme
    # nothing else changes: same spec, stacks, program and workflow
    changed = {k for k, v in project_files(custom).items() if project_files(default).get(k) != v}
    assert changed == {"requirements.txt", "README.md"}


def test_requirement_equal_to_the_default_writes_the_default_project(tmp_path: Path) -> None:
    from cli.scaffolding import requirement, tool_version

    assert run("init", tmp_path / "a", "--name", "p").exit_code == 0
    assert run("init", tmp_path / "b", "--name", "p", "--requirement", requirement(tool_version())).exit_code == 0
    assert project_files(tmp_path / "a") == project_files(tmp_path / "b")


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("agentha-blueprint\npulumi", "several lines"),
        ("agentha-blueprint\tx", "control character"),
        ("# agentha-blueprint", "comment"),
    ],
)
def test_a_bad_requirement_exits_2_with_the_fix_and_writes_nothing(tmp_path: Path, spec: str, words: str) -> None:
    result = run("init", tmp_path / "p", "--requirement", spec)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "--requirement" in result.output and words in result.output
    assert "git+https://" in result.output  # the fix shows a working form
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("args", "flag", "words"),
    [
        (["--pattern", "active-passive", "--regions", "us-east-1"], "--regions", "at least two regions"),
        (["--pattern", "multi-zone", "--regions", "us-east-1,us-west-2"], "--regions", "runs in one region"),
        (["--regions", "useast1"], "--regions", "not an AWS region code"),
        (["--environments", "Dev,prod"], "--environments", "not DNS-safe"),
        (["--environments", "dev,dev"], "--environments", "listed twice"),
        (["--name", "Bad_Name"], "--name", "not a DNS-safe system name"),
        (["--zones", "1"], "--zones", "uses 2-8 zones"),
        (["--zones", "9"], "--zones", "uses 2-8 zones"),
        (["--target", "gcp"], "", "gcp"),
    ],
)
def test_bad_options_exit_2_with_the_flag_and_the_fix(tmp_path: Path, args: list[str], flag: str, words: str) -> None:
    result = run("init", tmp_path / "p", *args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert words in result.output and flag in result.output
    assert not (tmp_path / "p").exists()


def test_every_bad_option_is_reported_at_once(tmp_path: Path) -> None:
    result = run("init", tmp_path / "p", "--name", "X", "--regions", "nowhere", "--environments", "A")
    assert result.exit_code == 2
    assert "3 error(s)" in result.output


def test_interactive_without_a_terminal_says_so(tmp_path: Path) -> None:
    result = run("init", tmp_path / "p", "--interactive")
    assert result.exit_code == 2
    assert "needs a terminal" in result.output
    assert not (tmp_path / "p").exists()


def test_interactive_asks_each_choice_with_the_defaults_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.commands.scaffold.is_terminal", lambda: True)
    answers = "\n".join(["research", "gcp", "kubernetes", "active-active", "", "dev,prod"]) + "\n"
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--interactive"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Target (aws | kubernetes) [aws]" in result.output
    assert "choose one of: aws, kubernetes" in result.output  # the bad answer was asked again
    spec = load_yaml(tmp_path / "p" / "spec.yaml")
    assert spec["metadata"]["name"] == "research"
    assert spec["target"] == "kubernetes" and spec["topology"]["pattern"] == "active-active"
    assert [r["name"] for r in spec["topology"]["regions"]] == ["europe-west4", "europe-west1"]  # default accepted
    assert list(spec["environments"]) == ["dev", "prod"]


def test_init_never_imports_pulumi(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        f"r = CliRunner().invoke(app, ['init', {str(tmp_path / 'p')!r}, '--pattern', 'active-passive'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m == 'pulumi' or m.startswith(('pulumi.', 'pulumi_'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# --- golden copy ------------------------------------------------------------------------------------


def test_scaffold_matches_the_golden_copy(tmp_path: Path) -> None:
    """One scaffold (aws, active-passive) byte for byte; the tool version is fixed at 0.1.0."""
    opts = InitOptions(name="support-bot", target="aws", pattern="active-passive")
    files = {p.relative_to(tmp_path).as_posix(): text for p, text in init_files(tmp_path, opts, "0.1.0").items()}
    if UPDATE_GOLDEN:
        import shutil

        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8", newline="")
    golden = {k: v.decode("utf-8") for k, v in project_files(GOLDEN).items()} if GOLDEN.exists() else {}
    assert golden, "no golden copy: run AGENTHA_UPDATE_GOLDEN=1 pytest tests/cli/test_init.py"
    assert sorted(files) == sorted(golden)
    for rel, text in files.items():
        assert text == golden[rel], (
            f"{rel} differs from tests/golden/scaffold/{rel} (AGENTHA_UPDATE_GOLDEN=1 to accept)"
        )


def test_the_command_writes_what_the_golden_copy_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli.scaffolding.tool_version", lambda: "0.1.0")
    assert run("init", tmp_path / "x", *GOLDEN_ARGS).exit_code == 0
    assert project_files(tmp_path / "x") == project_files(GOLDEN)


# --- the default requirement: how this copy was installed -----------------------------------------


class _Dist:
    def __init__(self, direct_url: str | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, None),  # from a package index: no direct_url.json
        (
            '{"url": "file:///src/agentha-blueprint", "dir_info": {"editable": true}}',
            "agentha-blueprint @ file:///src/agentha-blueprint",
        ),
        (
            '{"url": "file:///src/agentha-blueprint", "dir_info": {}}',
            "agentha-blueprint @ file:///src/agentha-blueprint",
        ),
        (
            '{"url": "https://github.com/acme/agentha-blueprint.git", '
            '"vcs_info": {"vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"}}',
            "agentha-blueprint @ git+https://github.com/acme/agentha-blueprint.git@0123abcd",
        ),
        ('{"url": "https://example.org/agentha_blueprint-0.1.0.tar.gz", "archive_info": {}}', None),
        ("not json", None),
        ('{"url": "file:///a path/with spaces", "dir_info": {}}', None),
    ],
)
def test_the_default_requirement_follows_how_this_copy_was_installed(
    monkeypatch: pytest.MonkeyPatch, direct_url: str | None, expected: str | None
) -> None:
    monkeypatch.setattr("importlib.metadata.distribution", lambda name: _Dist(direct_url))
    assert _installed_requirement() == expected


def test_init_writes_the_installed_location_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli.scaffolding.installed_requirement", lambda: "agentha-blueprint @ file:///src/agentha")
    folder = tmp_path / "p"
    result = run("init", folder, "--target", "aws", "--pattern", "multi-zone")
    assert result.exit_code == 0
    assert _requirement_lines(folder) == ["agentha-blueprint @ file:///src/agentha"]
    # A folder on this machine only: init warns, and the README says how CI gets something installable.
    warning = " ".join(result.stderr.split())
    assert "installs agentha-blueprint from /src/agentha, a folder on this machine only" in warning
    readme = " ".join((folder / "README.md").read_text().split())
    assert "where that copy of agentha-blueprint was installed from" in readme
    assert "pip wheel --no-deps -w wheels /src/agentha" in readme
    assert 'echo "./wheels/$(ls wheels | head -1)" > requirements.txt' in readme
    assert "pypi.org" not in readme  # the package is not on an index yet: no link to a page that does not exist
    # --requirement still wins.
    folder = tmp_path / "q"
    assert (
        run(
            "init", folder, "--target", "aws", "--pattern", "multi-zone", "--requirement", "agentha-blueprint==0.1.0"
        ).exit_code
        == 0
    )
    assert _requirement_lines(folder) == ["agentha-blueprint==0.1.0"]


def test_a_folder_name_with_accents_keeps_its_letters_and_init_says_what_it_made(tmp_path: Path) -> None:
    result = run("init", tmp_path / "proj-Ünï", "--pattern", "multi-zone")
    assert result.exit_code == 0, result.output
    spec = load_yaml(tmp_path / "proj-Ünï" / "spec.yaml")
    assert spec["metadata"]["name"] == "proj-uni"  # was proj-n: the accented letters were dropped
    assert "system name: proj-uni (made DNS-safe from the folder name 'proj-Ünï'" in " ".join(result.stderr.split())


def test_zones_go_as_far_as_the_spec_allows(tmp_path: Path) -> None:
    result = run("init", tmp_path / "p", "--pattern", "multi-zone", "--zones", "8")
    assert result.exit_code == 0, result.output
    (region,) = load_yaml(tmp_path / "p" / "spec.yaml")["topology"]["regions"]
    assert region["zones"][-1] == "us-east-1h" and len(region["zones"]) == 8
