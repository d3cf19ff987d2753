"""Golden manifests of the Kubernetes examples (research-agent and claims-kubernetes, environment prod).

A difference is a change of contract: review it, then regenerate with
    pytest tests/components/kubernetes --regen-golden
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stacks.manifests import render
from tests.components.kubernetes.support import case

GOLDENS = Path(__file__).resolve().parents[2] / "golden" / "kubernetes"


@pytest.mark.parametrize("example", ["research-agent", "claims-kubernetes"])
def test_manifests_match_the_golden_files(regen_golden, example):
    GOLDEN = GOLDENS / example
    files = render(case(f"example:{example}:prod").graph)
    if regen_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            path = GOLDEN / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.yaml")}
    assert sorted(golden) == sorted(files), "objects added or removed: regenerate and review"
    changed = [rel for rel in files if golden[rel] != files[rel]]
    assert not changed, f"changed manifests (regenerate and review): {changed}"
