"""`synth`'s text tree: every resource once, under its parent, children by URN, in one pass."""

from __future__ import annotations

from cli.commands.synth import tree_lines
from stacks.graph import CapturedResource, ResourceGraph


class CountingGraph(ResourceGraph):
    iterations = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        CountingGraph.iterations += 1
        return super().__iter__()


def resource(urn: str, parent: str | None, region: str | None = None) -> CapturedResource:
    return CapturedResource(
        urn=urn, type="t:m:" + urn, name=urn, custom=True, parent=parent, provider=None, inputs={}, region=region
    )


def test_tree_nests_children_under_parents_sorted_and_reads_the_graph_once() -> None:
    graph = CountingGraph(
        project="p",
        stack="s",
        resources=[resource("b", None), resource("a", None), resource("a2", "a", "eu-west-1"), resource("a1", "a")]
        + [resource(f"leaf{i:03}", "b") for i in range(200)],
    )
    CountingGraph.iterations = 0
    lines = tree_lines(graph)
    assert lines[:4] == ["t:m:a a", "  t:m:a1 a1", "  t:m:a2 a2 [eu-west-1]", "t:m:b b"]
    assert lines[4] == "  t:m:leaf000 leaf000" and len(lines) == len(graph)
    assert CountingGraph.iterations == 1  # was once per node: quadratic at 10,000 resources
