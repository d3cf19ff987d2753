"""A Kubernetes project with a long system name passes its own check, in every pattern.

`<system>-<store>[-<region>]` longer than the operators' name limit is shortened with a hash
(components/kubernetes/meta.py); the alerts must still say which spec part they watch, by its spec
name, or the SLI-coverage rule reports alerts missing that are there. The projects are the ones
`agentha-blueprint init` writes, checked the way a user runs it (`check spec.yaml --env prod`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

LONG_NAME = "customer-support-orchestration-platform"  # 39 characters (the limit is 40)
PATTERNS = ("single-zone", "multi-zone", "active-passive", "active-active")
runner = CliRunner()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_init_then_check_passes_with_a_long_system_name(pattern: str, tmp_path: Path) -> None:
    folder = tmp_path / pattern
    made = runner.invoke(
        app, ["init", str(folder), "--name", LONG_NAME, "--target", "kubernetes", "--pattern", pattern]
    )
    assert made.exit_code == 0, made.output
    spec = folder / "spec.yaml"
    result = runner.invoke(app, ["check", str(spec), "--env", "prod", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["violations"] == [] and report["passed"] is True


def test_a_long_name_really_hashes_the_store_objects_yet_the_alerts_name_the_spec_store() -> None:
    """Not a vacuous pass: the object names are shortened, the alert labels are the spec's names."""
    from blueprints.spec.loader import load_text
    from components.kubernetes.meta import OPERATOR_NAME_LIMIT
    from components.kubernetes.state_store import postgres_cluster_name
    from stacks.synth import synth

    root = Path(__file__).resolve().parents[2]
    text = (root / "tests" / "policies" / "fixtures" / "kubernetes-active-passive.yaml").read_text(encoding="utf-8")
    text = text.replace("name: research-agent\n", f"name: {LONG_NAME}\n", 1)
    loaded = load_text(text, "spec.yaml", "prod")
    assert loaded.spec.metadata.name == LONG_NAME
    cluster = postgres_cluster_name(LONG_NAME, "findings", "europe-west1", True)
    assert len(f"{LONG_NAME}-findings-europe-west1") > OPERATOR_NAME_LIMIT
    assert cluster != f"{LONG_NAME}-findings-europe-west1"  # shortened with a hash

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        graph = synth(path, "prod").graph
        lag = [
            rule["labels"]
            for r in graph
            if r.custom and r.inputs.get("kind") == "PrometheusRule"
            for group in r.inputs["spec"]["groups"]
            for rule in group["rules"]
            if rule.get("alert") == "StoreReplicationLagHigh"
        ]
    by_region = {labels["region"]: labels for labels in lag}
    assert by_region["europe-west1"]["store"] == "findings"
    assert by_region["europe-west1"]["cnpg_cluster"] == cluster


def _relabel_store(value: str):
    def edit(inputs: dict) -> None:
        for group in inputs["spec"]["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == "StoreReplicationLagHigh":
                    rule["labels"]["store"] = value

    return edit


@pytest.mark.parametrize(
    "label",
    [
        "research-agent-findings",  # an object name holding the spec name (the old labelling)
        "findings-archive",  # another part whose name starts with this one's
    ],
)
def test_the_coverage_rule_matches_the_spec_name_exactly(label: str) -> None:
    from tests.policies.rules.corpus import Defect, caught, change

    defect = Defect(
        "agentha-kubernetes-prometheus-rule-cover-spec-slis",
        "research-prod",
        f"replication-lag alert labelled store: {label}",
        "store 'findings' in europe-west4 has no StoreReplicationLagHigh alert",
        change("research-agent-observability-rules-europe-west4", _relabel_store(label)),
    )
    ok, why = caught(defect)
    assert ok, why
