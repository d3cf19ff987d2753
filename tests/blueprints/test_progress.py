"""Phases reach the reporter installed for a block, and nobody else."""

from __future__ import annotations

from blueprints import progress


def test_phases_reach_the_reporter_only_inside_the_block() -> None:
    seen: list[str] = []
    progress.phase("before")
    with progress.reporting(seen.append):
        assert progress.active()
        progress.phase("planning")
        with progress.reporting(None):
            progress.phase("silenced")
        progress.phase("building")
    progress.phase("after")
    assert seen == ["planning", "building"]
    assert not progress.active()
