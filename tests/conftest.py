"""Shared test helpers: paths, the shared reference data, and cached syntheses of the examples."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("AGENTHA_SHARED", ROOT.parent / "shared"))


def example_specs() -> list[Path]:
    """Every example spec (examples/*/spec.yaml), invalid ones excluded."""
    return sorted(p for p in EXAMPLES.glob("*/spec.yaml") if p.parent.name != "invalid")


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test with the reason when the folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not on this machine (the shared reference data lives beside the checkout)")
    return path


@cache
def synthesized(spec: str, environment: str | None = None):  # returns stacks.synth.Synthesis
    """Synthesize an example once per test session (the Pulumi program under mocks)."""
    from stacks.synth import synth

    return synth(ROOT / spec, environment)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _requirement_from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """`init` writes the package-index requirement in tests, however this copy was installed (an
    editable install would otherwise put this machine's checkout path into every scaffold)."""
    monkeypatch.setattr("cli.scaffolding.installed_requirement", lambda: None)
