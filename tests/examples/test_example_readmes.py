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
