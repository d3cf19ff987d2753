"""Every example folder explains itself: a README naming its pattern, and relative links that resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import EXAMPLES, example_specs


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_example_has_a_readme_naming_its_pattern(spec: Path) -> None:
    readme = spec.parent / "README.md"
    assert readme.exists()
    text = readme.read_text(encoding="utf-8")
    data = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))
    assert data["topology"]["pattern"] in text
    assert f"agentha-blueprint plan examples/{spec.parent.name}/spec.yaml" in text
    assert "synth" in text


@pytest.mark.parametrize("readme", sorted(EXAMPLES.glob("*/README.md")), ids=lambda p: p.parent.name)
def test_relative_links_resolve(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (readme.parent / target).exists(), f"{readme}: {target}"


def _env(spec: Path) -> str | None:
    data = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))
    return "prod" if "prod" in (data.get("environments") or {}) else None


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_readme_shows_plan_and_simulate_numbers_that_are_current(spec: Path) -> None:
    # The README's availability figures are what `plan` and `simulate --hours 1e8 --seed 1` print today.
    from blueprints.figures import figures
    from blueprints.plan.planner import plan
    from blueprints.plan.simulate import Options, simulate
    from blueprints.spec.loader import load_spec
    from blueprints.units import format_percent

    text = (spec.parent / "README.md").read_text(encoding="utf-8")
    assert f"agentha-blueprint simulate examples/{spec.parent.name}/spec.yaml" in text
    env = _env(spec)
    loaded = load_spec(spec, env)
    planned = plan(loaded.spec, env)
    closed = next(e for e in planned.estimates if e.kind == "availability").value
    assert closed is not None
    shown = format_percent(closed).replace("%", " %")
    assert shown in text, f"README shows no {shown} (plan's availability today)"
    s = loaded.spec
    figs = figures(s.assumptions.slas, {k: v.total_seconds() for k, v in s.assumptions.timings.items()})
    result = simulate(s, planned, figs, Options(hours=1e8, seed=1))
    simulated = format_percent(result.availability).replace("%", " %")
    assert simulated in text, f"README shows no {simulated} (simulate's availability today)"
