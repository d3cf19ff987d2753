"""bench/floors.py, the one floor program every benchmark measures against, registers every resource.

Not a benchmark (nothing is timed): the floors replay a real synthesized graph and must register all
of its custom resources, or a benchmark would compare our commands with a program doing less.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.floors import custom_rows, register
from tests.conftest import synthesized


@pytest.mark.parametrize(
    ("spec", "env", "floors"),
    [
        # support-agent has S3 buckets: their `bucket` input is named alike in Python and the engine.
        ("examples/support-agent/spec.yaml", "prod", ("aws-typed", "aws-core")),
        ("examples/research-agent/spec.yaml", "prod", ("kubernetes-typed", "kubernetes-core")),
    ],
    ids=["aws", "kubernetes"],
)
def test_each_floor_registers_every_custom_resource_of_a_synthesized_graph(
    spec: str, env: str, floors: tuple[str, str], tmp_path: Path
) -> None:
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(synthesized(spec, env).graph.dumps(), encoding="utf-8")
    rows = custom_rows(graph_file)
    for floor in floors:
        graph = register(floor, rows)
        registered = {(r.type, r.name) for r in graph if r.custom}
        expected = {(r["type"], r["name"]) for r in rows}
        if floor.startswith("aws"):  # the aws floors need no providers: their resources carry region=
            expected = {(t, n) for t, n in expected if not t.startswith("pulumi:providers:")}
        assert expected <= registered, f"{floor} left out {sorted(expected - registered)[:5]}"
