"""The pack's own requirements (policies/requirements.txt) ask for what pyproject.toml asks for.

A fresh virtualenv Pulumi builds for the pack installs policies/requirements.txt; lower bounds
below pyproject.toml's would install versions the tests never ran with.
"""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def _pack_requirements() -> list[Requirement]:
    lines = (ROOT / "policies" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in (raw.split("#")[0].strip() for raw in lines) if line]


def _project_requirements() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {canonicalize_name(r.name): r for r in map(Requirement, data["project"]["dependencies"])}


def test_every_pack_requirement_has_the_project_bounds() -> None:
    project = _project_requirements()
    pack = _pack_requirements()
    assert pack, "policies/requirements.txt lists nothing"
    for requirement in pack:
        name = canonicalize_name(requirement.name)
        assert name in project, f"{requirement.name} is not a dependency in pyproject.toml"
        assert requirement.specifier == project[name].specifier, (
            f"policies/requirements.txt: {requirement} but pyproject.toml: {project[name]}"
        )


def test_the_pack_lists_the_policy_sdk_and_the_pulumi_sdk() -> None:
    names = {canonicalize_name(r.name) for r in _pack_requirements()}
    assert {"pulumi", "pulumi-policy", "pydantic", "ruamel-yaml"} <= names
