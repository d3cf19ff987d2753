"""`synth`'s text tree: every resource once, under its parent, children by URN, in one pass."""

from __future__ import annotations

import dataclasses

import pytest

from cli.commands.synth import _plain_guide_lines, guide_lines, render_tree, tree_lines
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


def _rich_text(graph: ResourceGraph, width: int = 120) -> str:
    """What rich's Tree writes for the graph on an unstyled console of `width` columns."""
    import io

    from rich.console import Console

    from cli.commands.synth import _rich_tree

    sink = io.StringIO()
    _rich_tree(graph, Console(file=sink, width=width, highlight=False, color_system=None))
    return sink.getvalue()


def _console(width: int = 120):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(width=width, highlight=False, color_system=None)


@pytest.mark.parametrize("example", ["support-agent", "research-agent", "order-routing"])
def test_the_plain_tree_is_byte_for_byte_what_rich_writes_unstyled(example: str) -> None:
    from tests.conftest import synthesized

    graph = synthesized(f"examples/{example}/spec.yaml", "prod").graph
    lines = _plain_guide_lines(graph, _console())
    assert lines is not None and len(lines) > len(graph)  # support-agent's long labels wrap
    assert "\n".join(lines) + "\n" == _rich_text(graph)


def test_wrapping_matches_rich_at_every_width_and_defers_to_rich_where_it_would_fold() -> None:
    import random

    rng = random.Random(19)
    for _ in range(60):
        nodes = [resource("root", None)]
        for i in range(12):
            parent = rng.choice(nodes).urn
            name = " ".join("n" * rng.randint(1, 30) for _ in range(rng.randint(1, 5)))
            nodes.append(resource(f"r{i:02}-{name}", parent, rng.choice([None, "us-east-1"])))
        nodes = [dataclasses.replace(r, type="t/x:" + r.urn[:3]) for r in nodes]  # no `:m:` emoji code
        graph = ResourceGraph(project="p", stack="s", resources=nodes)
        for width in range(24, 100, 7):
            lines = guide_lines(graph, width)
            if lines is not None:
                assert "\n".join(lines) + "\n" == _rich_text(graph, width), width
    folded = ResourceGraph(project="p", stack="s", resources=[resource("a", None), resource("x" * 130, "a")])
    assert _plain_guide_lines(folded, _console()) is None
    narrow = ResourceGraph(project="p", stack="s", resources=[resource("a", None), resource("a1", "a")])
    assert guide_lines(narrow) == ["p/s", "└── t:m:a a", "    └── t:m:a1 a1"]
    wide = ResourceGraph(project="p", stack="s", resources=[resource("ä", None)])
    assert _plain_guide_lines(wide, _console()) is None
    emoji = ResourceGraph(project="p", stack="s", resources=[resource("a", None)])  # type t:m:a, ":m:" is Ⓜ
    assert _plain_guide_lines(emoji, _console()) is None
    assert "Ⓜ" in _rich_text(emoji)


def test_synth_text_to_a_pipe_builds_no_rich_tree_and_reads_the_graph_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rich.tree

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rich.tree.Tree built for unstyled output")

    monkeypatch.setattr(rich.tree.Tree, "__init__", refuse)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    nodes = [resource("b", None)] + [resource(f"leaf{i:03}", "b") for i in range(200)]
    graph = CountingGraph(project="p", stack="s", resources=[dataclasses.replace(r, type="t") for r in nodes])
    CountingGraph.iterations = 0
    render_tree(graph)
    out = capsys.readouterr().out
    assert out.startswith("p/s\n└── t b\n    ├── t leaf000\n")
    assert "Resources per" in out and "│ total │   201 │" in out  # the counts table, through rich
    assert CountingGraph.iterations <= 3  # the tree walk, the labels check, the counts: not once per node


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_synth_writes_its_output_with_the_programs_heap_frozen(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A full collection over the SDK's objects while the output was built cost 1.6 s at 10k resources.
    import gc
    from pathlib import Path

    from cli.commands import synth as command
    from cli.commands.synth import SynthFormat, synth

    frozen: list[int] = []
    real_write, real_tree = command.write_stdout, command.render_tree

    def write(text: object) -> None:
        frozen.append(gc.get_freeze_count())
        real_write(text)  # type: ignore[arg-type]

    def tree(graph: ResourceGraph) -> None:
        frozen.append(gc.get_freeze_count())
        real_tree(graph)

    monkeypatch.setattr(command, "write_stdout", write)
    monkeypatch.setattr(command, "render_tree", tree)
    spec = Path(__file__).resolve().parents[2] / "examples" / "order-routing" / "spec.yaml"
    synth(spec, "dev", output=SynthFormat(fmt), quiet=True)
    assert frozen and all(count > 0 for count in frozen)
    assert gc.get_freeze_count() == 0
    assert capsys.readouterr().out.strip()
