"""stacks.program: one load and plan per spec text, shared by `synth` and the program it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.errors import SpecError
from stacks import program
from tests.conftest import EXAMPLES


def test_plan_spec_is_memoised_on_the_file_text(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (EXAMPLES / "support-agent" / "spec.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    first = program.plan_spec(spec, "dev")
    assert program.plan_spec(spec, "dev") is first  # same text, same environment: no second load
    assert program.plan_spec(spec, "prod") is not first
    spec.write_text(text.replace("min: 2, max: 4", "min: 3, max: 6"), encoding="utf-8")
    edited = program.plan_spec(spec, "dev")
    assert (
        edited is not first
        and edited.agent("conversation").placements[0].desired != first.agent("conversation").placements[0].desired
    )


def test_plan_spec_reports_bad_input_in_the_path_the_user_gave(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        program.plan_spec(tmp_path / "missing.yaml", None)
    assert err.value.problems[0].location.file == str(tmp_path / "missing.yaml")
