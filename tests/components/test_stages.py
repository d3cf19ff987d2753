"""components/stages.py: a construction taken once, done only after its last stage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.stages import Stages


def test_stages_are_taken_once_and_done_only_after_the_last_one() -> None:
    built: list[str] = []

    def build() -> Iterator[str]:
        for name in ("a", "b"):
            built.append(name)
            yield name

    stages = Stages(build())
    with pytest.raises(RuntimeError, match="exports nothing until all its stages"):
        stages.require_done()
    taken = stages.take()
    with pytest.raises(RuntimeError, match="already been run"):
        stages.take()
    assert next(taken) == "a" and built == ["a"] and not stages.done
    assert next(taken) == "b" and not stages.done  # the last stage is built, the generator not ended
    assert list(taken) == [] and stages.done
    stages.require_done()


def test_run_builds_every_stage() -> None:
    stages = Stages(iter(["x", "y"]))
    stages.run()
    assert stages.done
