"""`agentha-blueprint synth` on the AWS examples: the same program `pulumi up` runs, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from stacks.graph import ResourceGraph
from tests.components.aws.helpers import EXAMPLES, graph, spec_path

runner = CliRunner()
SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")
ORDERS = str(EXAMPLES / "order-routing" / "spec.yaml")


@pytest.mark.parametrize(("spec", "env"), [(SUPPORT, "dev"), (ORDERS, None)])
def test_text_output_is_the_resource_tree_with_counts(spec: str, env: str | None) -> None:
    args = ["synth", spec] + (["--env", env] if env else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "agentha:aws:Topology" in out and "aws:ecs/service:Service" in out
    assert "Resources per type" in out and "total" in out


def test_json_output_is_the_captured_graph(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", SUPPORT, "--env", "prod", "--output", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)  # stdout carries only the result
    g = ResourceGraph.from_json(data)
    expected = graph("support-agent@prod")
    assert len(g) == len(expected) == data["count"]
    assert [r.urn for r in g] == [r.urn for r in expected]
    service = next(r for r in g if r.type == "aws:ecs/service:Service")
    assert service.parent and service.inputs["region"] and service.property_dependencies
    out = tmp_path / "graph.json"
    written = runner.invoke(app, ["synth", SUPPORT, "--env", "prod", "-o", "json", "--out", str(out)])
    assert written.exit_code == 0 and json.loads(out.read_text())["count"] == data["count"]


def test_a_global_aurora_synthesizes_offline_without_leaking_the_placeholder() -> None:
    result = runner.invoke(app, ["synth", str(spec_path("stores")), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert "offline-synth-placeholder" not in result.stdout
    data = json.loads(result.stdout)
    (primary,) = [
        r for r in data["resources"] if r["type"] == "aws:rds/cluster:Cluster" and "masterUsername" in r["inputs"]
    ]
    assert primary["inputs"]["masterPasswordWo"] == "[secret]"


def test_bad_input_is_reported_not_traced(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(Path(ORDERS).read_text().replace("pattern: active-active", "pattern: sideways"))
    result = runner.invoke(app, ["synth", str(spec)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
