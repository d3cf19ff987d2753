"""The libyaml path (`fast_yaml`) gives what ruamel gives, or steps aside.

Differential: wherever `fast_yaml.parse` answers, ruamel's round-trip load (`parse_with_ruamel`) must
give identical data (same types, same key order, NaN and -0.0 included) and identical positions (same
paths, same order). The corpus: every YAML file in the repository, every YAML text written inside a
test, generated specs, the fuzz test's mutated and damaged specs, and texts built from YAML's
trickier tokens.
"""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.specgen import generate
from blueprints.errors import SpecError
from blueprints.spec import fast_yaml
from blueprints.spec.document import Pos, parse_with_ruamel, parse_yaml
from tests.blueprints.spec.test_fuzz import damaged_text, mutated
from tests.conftest import ROOT, example_specs


def same(a: Any, b: Any) -> bool:
    """Equal, with equal types all the way down, dict keys in the same order, NaN and -0.0 kept apart."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b) and math.copysign(1, a) == math.copysign(1, b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def agrees(text: str) -> bool:
    """Whether the fast path answered; when it did, ruamel must load the same data and positions."""
    fast = fast_yaml.parse(text)
    if fast is None:
        return False
    try:
        slow = parse_with_ruamel(text, "t.yaml")
    except SpecError as err:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"libyaml accepted what ruamel refuses ({err.problems[0].message}): {text!r}") from None
    assert same(fast[0], slow.data), f"data differs for {text!r}:\n{fast[0]!r}\n{slow.data!r}"
    assert list(fast[1].items()) == list(slow.positions.items()), f"positions differ for {text!r}"
    return True


def _repository_yaml() -> list[str]:
    names = subprocess.run(
        ["git", "ls-files", "*.yaml", "*.yml"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return sorted(n for n in names if (ROOT / n).is_file())


def _yaml_in_tests() -> list[str]:
    """String constants in the tests that read as YAML mappings (specs, overrides, configs)."""
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and "\n" in text and (": " in text or ":\n" in text):
                found.add(text)
    return sorted(found)


@pytest.mark.parametrize("name", _repository_yaml())
def test_every_yaml_file_in_the_repository_parses_alike(name: str) -> None:
    agrees((ROOT / name).read_text(encoding="utf-8"))


def test_every_yaml_text_in_the_tests_parses_alike() -> None:
    texts = _yaml_in_tests()
    answered = sum(agrees(t) for t in texts)
    assert len(texts) > 100 and answered > 50, (len(texts), answered)


@pytest.mark.parametrize("path", example_specs(), ids=lambda p: p.parent.name)
def test_every_example_spec_takes_the_fast_path(path: Any) -> None:
    assert agrees(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "options",
    [
        {"agents": 50},
        {"agents": 20, "target": "kubernetes"},
        {"agents": 10, "regions": 2, "pattern": "active-active"},
        {"agents": 5, "regions": 1},
    ],
    ids=str,
)
def test_generated_specs_take_the_fast_path(options: dict[str, Any]) -> None:
    assert agrees(generate(**options))


RESOLVED = """\
yes: yes
no: no
on: on
off: off
y: y
is-true: true
is-false: FALSE
is-null: null
tilde: ~
empty:
octal-looking: 0755
eight: 08
plus: +1
minus-zero: -0
float: 0.5
dot: 1.
lead-dot: .5
exp: 1e3
exp-dot: 1.5E-2
inf: .inf
minus-inf: -.inf
nan: .nan
big: 123456789012345678901234567890
quoted-int: '1'
quoted-bool: "true"
text: hello world
colon: a:b
url: http://x:80/y
version: 1.2.3
sign: "+"
dash: -x
accents: caf\u00e9 na\u00efve
list: [1, two, 3.0, null, {k: v}]
block: |
  line one
  line two
folded: >-
  folded
  text
nested:
  - name: a
    value: 1
  -
    - deep
"""


def test_scalars_resolve_as_ruamel_resolves_them_yaml_1_2() -> None:
    assert agrees(RESOLVED)
    data, positions = fast_yaml.parse(RESOLVED) or ({}, {})
    # YAML 1.2 (ruamel's default): yes/no/on/off are text, 0755 is decimal.
    assert (data["yes"], data["no"], data["on"], data["off"], data["y"]) == ("yes", "no", "on", "off", "y")
    assert data["octal-looking"] == 755 and data["eight"] == 8 and data["exp"] == 1000.0
    assert data["empty"] is None and data["tilde"] is None and data["is-false"] is False
    assert math.isnan(data["nan"]) and data["minus-inf"] == -math.inf
    # An item is where its node starts: a list item written on the line after its dash, at that line.
    assert positions[("nested", 1)] == Pos(44, 5) and positions[("nested", 0, "value")] == Pos(42, 5)
    assert positions[("accents",)] == Pos(32, 1) and positions[("list", 4)] == Pos(33, 27)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: &x 1\n",  # anchor alone (ruamel keeps anchored scalars in its own types)
        "base: &b {x: 1}\nc:\n  <<: *b\n",  # merge key
        "a: !!str 1\n",  # tag
        "a: !custom x\n",
        "%YAML 1.1\n---\na: yes\n",  # directive: YAML 1.1 resolution
        "a: 1\n---\nb: 2\n",  # two documents
        "",  # no document
        "- a\n- b\n",  # not a mapping
        "1: a\n",  # key that is not text
        "true: a\n",
        "? [a]\n: b\n",
        "a: 1\na: 2\n",  # duplicate key
        "a: 2001-12-14\n",  # timestamp
        "a: 0x1f\n",
        "a: 0o17\n",
        "a: 1_000\n",
        "a: =\n",
        "a:\t1\n",  # tab: libyaml takes it, ruamel refuses
        "a: b\u2028c: d\n",  # line separator: the two count lines differently
        "a: 1\n\ufeff\nb: 2\n",  # byte order mark past the start
        "a: |#c\n  x\n",  # block header comment without a space
        "a: |\n  \n    x\n",  # block scalar's first line blank: ruamel refuses this one
        "a: " + "[" * 120 + "]" * 120 + "\n",  # nested deeper than MAX_DEPTH
        "a: [1, 2\n",  # syntax error
        "a: \x07\n",  # control character
    ],
)
def test_yaml_the_fast_path_leaves_to_ruamel(text: str) -> None:
    assert fast_yaml.parse(text) is None


def test_errors_keep_ruamels_message_and_position() -> None:
    text = "apiVersion: agentha.dev/v1\nkind: HASpec\nmetadata: {name: x}\nmetadata: {name: y}\n"
    with pytest.raises(SpecError) as err:
        parse_yaml(text, "spec.yaml")
    (problem,) = err.value.problems
    assert problem.rule == "duplicate-key" and (problem.location.line, problem.location.column) == (4, 1)


def test_a_byte_order_mark_at_the_start_is_read_alike() -> None:
    assert agrees("\ufeffapiVersion: agentha.dev/v1\nkind: HASpec\n")


def test_without_libyaml_ruamel_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml._yaml", None)  # as if PyYAML were built without libyaml
    assert fast_yaml.parse("a: 1\n") is None
    assert parse_yaml("a: 1\n", "spec.yaml").data == {"a": 1}


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


@settings(FUZZ, max_examples=40)  # each example dumps and parses a whole spec twice
@given(mutated())
def test_mutated_specs_parse_alike(text: str) -> None:
    agrees(text)


@FUZZ
@given(damaged_text())
def test_damaged_specs_parse_alike(text: str) -> None:
    agrees(text)


TOKENS = [
    "a", "key", "1", "-1", "+1", "0.5", "1e3", ".5", "1.", "yes", "no", "on", "true", "False", "null", "~",
    "0755", "0o7", "0x1f", "1_0", "12:30", "2001-12-14", ".inf", ".NaN", ": ", ":", "- ", "-", "? ", "{", "}",
    "[", "]", ", ", "#c", " #c", '"', "'", '"a\\"b"', '"\\u00e9\\n\\/\\x41"', "'it''s'", "|", "|-", "|+",
    ">", ">-", "|2", "!", "&a ", "*a", "<<", "=", "---", "...", "\n", "\n", "\n", "\n  ", "\n    ", "\n- ",
    "  ", " ", "\u00e9", "\u00a0", "\r\n", "\\", "@", "`", "a b", "http://x:80/y", "a:b", ".", "%",
]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
def test_texts_of_yaml_tokens_parse_alike(tail: str) -> None:
    agrees("k: " + tail)
    agrees(tail)
