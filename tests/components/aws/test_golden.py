"""Golden summaries of the synthesized graph of every example and environment.

A summary lists every resource (type, logical name, region, protection) and the counts per type:
the contract a reviewer reads when a change adds, removes, renames or moves a resource. Regenerate
deliberately with `pytest tests/components/aws --update-golden` (or AGENTHA_UPDATE_GOLDEN=1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.graph import ResourceGraph
from tests.components.aws.helpers import EXAMPLE_CASES, ROOT, graph

GOLDEN = ROOT / "tests" / "golden" / "aws"


def summary(g: ResourceGraph) -> str:
    lines = [f"# {g.project}/{g.stack}: {len(g)} resources", ""]
    for r in g:
        flags = " protect" if r.protect else ""
        lines.append(f"{r.type}  {r.name}  {r.region or '-'}{flags}")
    lines += ["", "# counts"]
    lines += [f"{t}  {n}" for t, n in g.counts().items()]
    return "\n".join(lines) + "\n"


def golden_path(case: str) -> Path:
    return GOLDEN / f"{case.replace('@', '.')}.txt"


@pytest.mark.parametrize("case", EXAMPLE_CASES)
def test_summary_matches_the_golden_file(case: str, update_golden: bool) -> None:
    text = summary(graph(case))
    path = golden_path(case)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run pytest tests/components/aws --update-golden"
    assert text == path.read_text(encoding="utf-8"), (
        f"{case}: the synthesized graph differs from {path.relative_to(ROOT)}; review the change, then "
        "regenerate with pytest tests/components/aws --update-golden"
    )
