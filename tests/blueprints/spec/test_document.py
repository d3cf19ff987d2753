"""Parsing YAML with positions: every key and list item is located; YAML mistakes become SpecErrors."""

from __future__ import annotations

import pytest

from blueprints.errors import SpecError
from blueprints.spec.document import MAX_VALUES, Pos, format_path, parse_yaml


def _problem(text: str):
    with pytest.raises(SpecError) as info:
        parse_yaml(text, "spec.yaml")
    assert len(info.value.problems) == 1
    return info.value.problems[0]


def test_format_path() -> None:
    assert format_path(("agents", 1, "replicas", "min")) == "agents[1].replicas.min"
    assert format_path(("topology", "regions", 0, "zones", 2)) == "topology.regions[0].zones[2]"
    assert format_path(()) == "(document)"


def test_positions_of_keys_block_and_flow_items() -> None:
    text = (
        "metadata:\n"  # 1
        "  name: x\n"  # 2
        "agents:\n"  # 3
        "  - name: a\n"  # 4
        "    consumes: [q1, q2]\n"  # 5
        "  - {name: b, port: 80}\n"  # 6
    )
    doc = parse_yaml(text, "spec.yaml")
    assert doc.positions[("metadata",)] == Pos(1, 1)
    assert doc.positions[("metadata", "name")] == Pos(2, 3)
    assert doc.positions[("agents", 0)] == Pos(4, 5)
    assert doc.positions[("agents", 0, "consumes", 1)] == Pos(5, 20)
    assert doc.positions[("agents", 1)] == Pos(6, 5)
    assert doc.positions[("agents", 1, "port")] == Pos(6, 15)
    assert doc.data == {
        "metadata": {"name": "x"},
        "agents": [{"name": "a", "consumes": ["q1", "q2"]}, {"name": "b", "port": 80}],
    }


def test_locate_falls_back_to_the_closest_written_ancestor() -> None:
    doc = parse_yaml("agents:\n  - name: a\n", "spec.yaml")
    location, written = doc.locate(("agents", 0, "replicas", "min"))
    assert (location.line, location.column, written) == (2, 5, None)
    assert str(doc.locate(("nowhere",))[0]) == "spec.yaml:1:1"


def test_plain_values_are_plain_python() -> None:
    doc = parse_yaml("a: 'text'\nb: 3\nc: 1.5\nd: true\ne: null\n", "spec.yaml")
    assert doc.data == {"a": "text", "b": 3, "c": 1.5, "d": True, "e": None}
    assert type(doc.data["a"]) is str and type(doc.data["b"]) is int


def test_merge_keys_are_located_where_the_anchor_wrote_them() -> None:
    # `<<: *defaults` is how people share agent settings; it used to crash with a KeyError.
    text = "defaults: &d {cpu: 1, memory: 2Gi}\nagent:\n  <<: *d\n  name: a\n"
    doc = parse_yaml(text, "spec.yaml")
    assert doc.data["agent"] == {"name": "a", "cpu": 1, "memory": "2Gi"}
    assert doc.positions[("agent", "name")] == Pos(4, 3)
    assert doc.positions[("agent", "cpu")] == Pos(1, 15)


def test_ordered_map_tag_does_not_crash() -> None:
    assert parse_yaml("a: !!omap [x: 1]\n", "spec.yaml").data == {"a": {"x": 1}}


def test_duplicate_key_names_the_key_and_points_at_the_second_one() -> None:
    p = _problem("a: 1\nb: 2\na: 3\n")
    assert p.rule == "duplicate-key"
    assert "`a` appears twice" in p.message
    assert (p.location.line, p.location.column) == (3, 1)
    assert "delete one" in p.fix


def test_unclosed_quote_points_at_the_quote_not_the_end_of_the_file() -> None:
    p = _problem('a: 1\nb: "x\nc: 2\nd: 3\n')
    assert p.rule == "yaml-syntax"
    assert (p.location.line, p.location.column) == (2, 4)
    assert "close the quote" in p.fix


def test_tab_indentation_says_so() -> None:
    p = _problem("a:\n\tb: 1\n")
    assert (p.location.line, p.location.column) == (2, 1)
    assert "tab" in p.fix


def test_bad_indentation_names_the_line_and_the_cause() -> None:
    p = _problem("a:\n  b: 1\n c: 2\n")
    assert p.location.line == 3
    assert "indentation" in p.fix


def test_unclosed_flow_list_says_where_it_opened() -> None:
    p = _problem("a: [1, 2\nb: 3\n")
    assert "starts at line 1, column 4" in p.message


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_control_characters_are_a_spec_error_with_a_position(char: str) -> None:
    # ruamel raises ReaderError (not a MarkedYAMLError) for these; it used to escape as a traceback.
    p = _problem(f"a: 1\nb: x{char}\n")
    assert p.rule == "yaml-syntax"
    assert (p.location.line, p.location.column) == (2, 5)
    assert "control character" in p.message


def test_undefined_alias_and_second_document_are_syntax_errors() -> None:
    assert _problem("a: *nope\n").rule == "yaml-syntax"
    assert _problem("a: 1\n---\nb: 2\n").rule == "yaml-syntax"


def test_a_missing_top_level_section_is_located_at_the_first_key_not_at_a_comment() -> None:
    doc = parse_yaml("# yaml-language-server: $schema=x.json\n# about\napiVersion: v\nkind: k\n", "spec.yaml")
    location, _ = doc.locate(("observability", "notify"))
    assert (location.line, location.column) == (3, 1)
    empty = parse_yaml("# nothing\n", "spec.yaml")
    assert str(empty.locate(("x",))[0]) == "spec.yaml:1:1"


def test_nested_aliases_that_expand_past_the_bound_are_refused_at_the_first_alias() -> None:
    # 9 levels of 9 aliases each: about 390 million values if expanded.
    lines = ['x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    problem = _problem("\n".join(lines) + "\n")
    assert problem.rule == "yaml-aliases" and problem.path == "(document)"
    assert (problem.location.line, problem.location.column) == (2, 10)
    assert f"{MAX_VALUES:,} values" in problem.message


def test_aliases_within_the_bound_are_expanded() -> None:
    doc = parse_yaml("probe: &p {path: /healthz}\nagents: [{liveness: *p}, {liveness: *p}]\n", "spec.yaml")
    assert doc.data["agents"] == [{"liveness": {"path": "/healthz"}}] * 2
    assert doc.data["agents"][0]["liveness"] is not doc.data["agents"][1]["liveness"]


def test_a_large_file_without_aliases_is_not_called_an_alias_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long pasted list is what is wrong, not aliases: say so and point at the list (issue 18)."""
    import blueprints.spec.document as document

    monkeypatch.setattr(document, "MAX_VALUES", 50)
    text = "apiVersion: agentha.dev/v1\nkind: HASpec\nstray:\n" + "".join(f"  - item{i}\n" for i in range(80))
    with pytest.raises(SpecError) as err:
        parse_yaml(text, "spec.yaml")
    (problem,) = err.value.problems
    assert problem.rule == "too-many-values"
    assert problem.path == "stray"
    assert (problem.location.line, problem.location.column) == (3, 1)
    assert "this list alone has" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("? {a: [1]}\n: x\n", 1, 3),
        ("a:\n  b: 1\n  ? [x, [1]]\n  : y\n", 3, 5),
        ("- z\n- ? {k: {m: [2]}}\n  : v\n", 2, 5),
    ],
)
def test_a_list_or_mapping_used_as_a_key_is_a_spec_error_at_the_key(text: str, line: int, column: int) -> None:
    # ruamel hashes complex keys and raised a TypeError (a traceback for the user) on lists inside them.
    with pytest.raises(SpecError) as caught:
        parse_yaml(text, "spec.yaml")
    (problem,) = caught.value.problems
    assert problem.rule == "yaml-key"
    assert (problem.location.line, problem.location.column) == (line, column)


def test_lists_nested_hundreds_deep_are_a_yaml_depth_error_not_a_traceback() -> None:
    # ruamel composes recursively and exhausted Python's stack: validate printed a RecursionError.
    problem = _problem("agents: " + "[" * 400 + "]" * 400 + "\n")
    assert problem.rule == "yaml-depth" and (problem.location.line, problem.location.column) == (1, 108)
    assert "100 deep" in problem.message


def test_a_hundred_and_fifty_levels_still_load() -> None:
    # Past the libyaml path's bound ruamel takes over; it loads this depth like any other text.
    doc = parse_yaml("a: " + "[" * 150 + "]" * 150 + "\n", "spec.yaml")
    node = doc.data["a"]
    for _ in range(149):
        node = node[0]
    assert node == []
