"""`--help`, `validate`, `plan` and `schema` never import Pulumi or a provider SDK (fresh processes).

Each case runs the console script's entry point (`cli.main:run`) in a new interpreter and then lists
which of the heavy packages ended up in `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES, ROOT

HEAVY = ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_policy")

WRAPPER = """
import json, sys
top = set(json.loads(sys.argv[2]))
sys.argv = ["agentha-blueprint", *json.loads(sys.argv[1])]
from cli.main import run
try:
    run()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in top)
sys.stderr.write("\\n@@" + json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""

SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")
K8S = str(EXAMPLES / "research-agent" / "spec.yaml")
BAD = str(EXAMPLES / "invalid" / "zone-of-another-region.yaml")

CASES = {
    "help": (["--help"], 0),
    "validate-help": (["validate", "--help"], 0),
    "plan-help": (["plan", "--help"], 0),
    "validate": (["validate", SUPPORT], 0),
    "validate-json-env": (["validate", SUPPORT, "--env", "dev", "-o", "json"], 0),
    "validate-bad": (["validate", BAD], 2),
    "plan": (["plan", SUPPORT], 0),
    "plan-explain": (["plan", SUPPORT, "--explain"], 0),
    "plan-json-kubernetes": (["plan", K8S, "-o", "json"], 0),
    "plan-markdown": (["plan", SUPPORT, "-o", "markdown"], 0),
    "plan-bad": (["plan", BAD], 2),
    "schema": (["schema"], 0),
    "blast-radius-help": (["blast-radius", "--help"], 0),
    "blast-radius-no-graph": (["blast-radius", SUPPORT, "--no-graph"], 0),
    "runbook-help": (["runbook", "--help"], 0),
    "diagram": (["diagram", SUPPORT], 0),
}


def run_fresh(args: list[str], top: tuple[str, ...] = HEAVY) -> dict:
    """Run the CLI with `args` in a new interpreter: its exit code and the loaded modules of `top`."""
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, json.dumps(args), json.dumps(top)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    marker = [line for line in proc.stderr.splitlines() if line.startswith("@@")]
    assert marker, proc.stderr[-2000:]
    return json.loads(marker[-1][2:])


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_does_not_import_pulumi(name: str) -> None:
    args, code = CASES[name]
    result = run_fresh(args)
    assert result["code"] in (code, None if code == 0 else code)
    assert result["heavy"] == [], f"{' '.join(args)} imported {result['heavy'][:5]}"


def test_the_check_itself_would_notice_pulumi() -> None:
    # Guard against a wrapper that can never fail: importing the stack program loads pulumi.
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, stacks.program; print('pulumi' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.stdout.strip() == "True", proc.stderr[-1000:]


@pytest.mark.parametrize("name", ["validate", "validate-json-env", "plan", "plan-json-kubernetes", "validate-bad"])
def test_a_plainly_written_spec_is_parsed_by_libyaml_without_ruamel(name: str) -> None:
    """ruamel's pure-Python parse was a sixth of `validate`: it is left for YAML libyaml's path refuses."""
    args, code = CASES[name]
    result = run_fresh(args, top=("ruamel",))
    assert result["code"] in (code, None if code == 0 else code)
    assert result["heavy"] == [], f"{' '.join(args)} imported {result['heavy'][:5]}"


def test_yaml_the_libyaml_path_refuses_is_still_parsed_by_ruamel() -> None:
    result = run_fresh(["validate", str(EXAMPLES / "invalid" / "duplicate-key.yaml")], top=("ruamel",))
    assert result["code"] == 2 and "ruamel.yaml" in result["heavy"]


def test_a_valid_spec_piped_is_reported_without_importing_rich() -> None:
    # rich (25 ms) styles nothing on a pipe; `validate` with nothing to report writes its line plainly.
    result = run_fresh(["validate", str(EXAMPLES / "order-routing" / "spec.yaml")], top=("rich",))
    assert result["code"] in (0, None) and result["heavy"] == []
    assert run_fresh(["validate", SUPPORT], top=("rich",))["heavy"] != []  # its warning is rendered with rich
