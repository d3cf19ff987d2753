"""Long work names its phases: validating, planning, building (with a running count), capturing,
evaluating rules (issue 18: a 500-agent synth printed nothing for 40-95 s)."""

from __future__ import annotations

import shutil
from pathlib import Path

from blueprints import progress
from policies.check import run_check
from stacks import capture
from tests.conftest import EXAMPLES


def test_synth_and_check_report_each_phase(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "spec.yaml"  # a fresh path and text: the program's plan cache must not skip a phase
    shutil.copy(EXAMPLES / "support-agent" / "spec.yaml", spec)
    spec.write_text(spec.read_text(encoding="utf-8") + "\n# progress test\n", encoding="utf-8")
    monkeypatch.setattr(capture, "PROGRESS_EVERY", 10)
    seen: list[str] = []
    with progress.reporting(seen.append):
        run = run_check(spec, "prod")
    assert seen[0] == "validating the spec (environment prod)"
    assert seen[1] == "planning the topology and its estimates"
    assert seen[2] == "building resources under Pulumi mocks"
    counts = [s for s in seen if s.startswith("building resources: ")]
    assert len(counts) >= run.report.resources // 10 - 1
    assert counts[0].startswith("building resources: 10 registered (now ")
    assert f"capturing the graph of {run.report.resources:,} resources" in seen
    assert seen[-1].startswith("evaluating ") and f"over {run.report.resources:,} resources" in seen[-1]
