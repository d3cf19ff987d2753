"""Run checkov's Terraform-plan checks over a translated graph and sort its findings.

checkov is an outside judge, not a dependency: it pins `packaging==23.2`, which pulumi (>=26) and
pytest (>=24) refuse, so it cannot live in the project's virtual environment. It runs from its own
(`python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -r requirements-checkov.txt`, or
`pipx install checkov`), found here by `AGENTHA_CHECKOV` (path to the executable), then `checkov` on
PATH, then `.venv-checkov/bin/checkov` in the checkout.

Findings that are accepted by design are listed, each with its reason, in `checkov_by_design.yaml`
beside this file (docs/policies.md shows the same table to auditors).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BY_DESIGN_PATH = Path(__file__).with_name("checkov_by_design.yaml")
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ByDesign:
    """A checkov check accepted on the resources a glob over Terraform addresses matches, and why."""

    check: str
    resources: str
    reason: str

    def matches(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.resource, self.resources)


@dataclass(frozen=True)
class Finding:
    """One failed checkov check on one resource (its Terraform address)."""

    check: str
    name: str
    resource: str


@dataclass(frozen=True)
class ScanResult:
    passed: int
    failed: tuple[Finding, ...]
    resources: int
    version: str


def load_by_design(path: Path = BY_DESIGN_PATH) -> list[ByDesign]:
    entries = yaml.safe_load(path.read_text()) or []
    return [ByDesign(check=e["check"], resources=e["resources"], reason=" ".join(e["reason"].split())) for e in entries]


def find_checkov() -> list[str] | None:
    """The command that runs checkov here, or None when it is not installed."""
    configured = os.environ.get("AGENTHA_CHECKOV")
    if configured:
        return [configured]
    on_path = shutil.which("checkov")
    if on_path:
        return [on_path]
    local = ROOT / ".venv-checkov" / "bin" / "checkov"
    if local.exists():
        return [str(local)]
    return None


def scan(plan: dict[str, Any], command: list[str]) -> ScanResult:
    """checkov's terraform_plan framework over one plan document (offline; its guideline lookup fails
    quietly without a network)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tfplan.json"
        path.write_text(json.dumps(plan))
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
        run = subprocess.run(
            [*command, "-f", str(path), "--framework", "terraform_plan", "-o", "json", "--quiet", "--compact"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    if run.returncode not in (0, 1):  # 1: some check failed
        raise RuntimeError(f"checkov exited {run.returncode}: {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    if isinstance(report, list):
        report = next(r for r in report if r.get("check_type") == "terraform_plan")
    summary = report.get("summary", {})
    failed = tuple(
        sorted(
            (Finding(check=f["check_id"], name=f["check_name"], resource=f["resource"]) for f in _failed(report)),
            key=lambda f: (f.check, f.resource),
        )
    )
    return ScanResult(
        passed=int(summary.get("passed", 0)),
        failed=failed,
        resources=int(summary.get("resource_count", 0)),
        version=str(summary.get("checkov_version", "")),
    )


def _failed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return list(report.get("results", {}).get("failed_checks", []))


def unexpected(findings: tuple[Finding, ...], by_design: list[ByDesign]) -> list[Finding]:
    """Failed checks no by-design entry accepts."""
    return [f for f in findings if not any(entry.matches(f) for entry in by_design)]
