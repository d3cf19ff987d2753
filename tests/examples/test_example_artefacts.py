"""Each example folder carries its resilience artefacts, generated, and this test keeps them current.

Regenerate deliberately (and read the diff) with
`AGENTHA_UPDATE_GOLDEN=1 python -m pytest tests/examples/test_example_artefacts.py`; the commands that
make the same files are in each example's README.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, example_specs, synthesized

UPDATE = os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1"


def environment(spec: Path) -> str | None:
    data = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))
    return "prod" if "prod" in (data.get("environments") or {}) else None


def compare(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with AGENTHA_UPDATE_GOLDEN=1"
    assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run with AGENTHA_UPDATE_GOLDEN=1"


def _inputs(spec: Path):
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_spec

    env = environment(spec)
    loaded = load_spec(spec, env).spec
    graph = synthesized(str(spec.relative_to(ROOT)), env).graph
    return loaded, plan(loaded, env), graph


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_blast_radius_matrix_is_current(spec: Path) -> None:
    from blueprints.analysis import matrix
    from blueprints.analysis.blast_radius import analyse

    loaded, planned, graph = _inputs(spec)
    compare(spec.parent / "BLAST-RADIUS.md", matrix.markdown(analyse(loaded, planned, graph)))


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_runbooks_are_current(spec: Path) -> None:
    from blueprints.analysis.blast_radius import analyse
    from blueprints.analysis.runbooks import names, runbook_files

    loaded, planned, graph = _inputs(spec)
    env = environment(spec)
    files = runbook_files(
        loaded, planned, analyse(loaded, planned, graph), names(graph, planned.target, graph.exports), env
    )
    folder = spec.parent / "runbooks"
    if UPDATE:
        folder.mkdir(exist_ok=True)
        for stale in {p.name for p in folder.glob("*.md")} - set(files):
            (folder / stale).unlink()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(files), "runbook pages added or removed"
    for name, text in files.items():
        compare(folder / name, text)


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_diagram_is_current(spec: Path) -> None:
    from blueprints.analysis import diagram
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_spec

    env = environment(spec)
    planned = plan(load_spec(spec, env).spec, env)
    compare(spec.parent / "DIAGRAM.md", diagram.markdown(diagram.build(planned)))
