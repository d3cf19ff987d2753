"""Parse a spec with libyaml (PyYAML's C parser) into plain data and positions, the way ruamel would.

ruamel.yaml is a pure-Python parser: on a 50-agent spec it was a sixth of `validate` (0.12 s). libyaml
parses the same text in a few milliseconds and its events carry the line and column of every node.
This module builds, from those events, exactly what `document.parse_yaml` builds from ruamel's
round-trip load: the same plain data (dicts, lists, str, int, float, bool, None) and the same
positions (the start of each mapping key and of each sequence item).

It does so only for the YAML an HA spec is written in. Anything else answers `None`, and the caller
parses with ruamel as before, so every error message, position and YAML corner keeps ruamel's
behaviour:

- anything libyaml refuses (a syntax error, a control character): ruamel reports it, with its
  message and position;
- a tab, NEL, line or paragraph separator, or a byte order mark past the start, anywhere in the text:
  ruamel and libyaml read them differently (see `_LEFT_TO_RUAMEL`); likewise `|#` or `>#`;
- a block scalar (`|`, `>`) whose first line is blank: ruamel refuses it when a later blank line is
  more indented than the first (libyaml does not);
- lists and mappings nested deeper than `document.MAX_DEPTH`;
- a document that is not a mapping (a spec is one; ruamel's data goes into the error);
- anchors, aliases, merge keys (`<<`), tags (`!!str`, `!x`), directives (`%YAML`, `%TAG`), more
  than one document or none;
- a mapping key that is not text (a number, `true`, `null`, a list or a mapping), or a key written
  twice (ruamel reports the duplicate);
- plain scalars that ruamel would build as something other than a decimal int, a float, a bool,
  null or text: timestamps, `0x`/`0o`/`0b` numbers, numbers with `_`, the `=` value key;
- more than `document.MAX_VALUES` values (ruamel reports the size).

Scalars are resolved as ruamel resolves them by default, YAML 1.2 (its `VersionedResolver`): the
patterns below are ruamel 0.19's (`ruamel/yaml/resolver.py`, MIT), tried in its order for the first
character. So `yes`, `no`, `on` and `off` stay text, and `0755` is the decimal 755.
tests/blueprints/spec/test_fast_yaml.py checks, on every spec in examples/ and in the tests and on
a fuzzed corpus, that both parsers give identical data, types and positions.
"""

from __future__ import annotations

import re
from typing import Any

from blueprints.spec import document
from blueprints.spec.document import PathT, Pos

# ruamel 0.19's YAML 1.2 implicit resolvers, in its order (bool, float, int, merge, null, timestamp,
# value); each is tried only for the first characters ruamel lists for it.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_MERGE = re.compile(r"^(?:<<)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TIMESTAMP = re.compile(
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?
    :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.X,
)
_VALUE = re.compile(r"^(?:=)$")

_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in (
    ("bool", _BOOL, "tTfF"),
    ("float", _FLOAT, "-+0123456789."),
    ("int", _INT, "-+0123456789"),
    ("merge", _MERGE, "<"),
    ("null", _NULL, "~nN"),
    ("timestamp", _TIMESTAMP, "0123456789"),
    ("value", _VALUE, "="),
):
    for _ch in _first:
        _FIRST.setdefault(_ch, []).append((_tag, _pattern))

_LEFT_TO_RUAMEL = re.compile("[\t\x85\u2028\u2029\ufeff]")
"""Characters on which libyaml and ruamel disagree: libyaml takes a tab as separation where ruamel
refuses it, counts NEL/LS/PS as line breaks in positions, and skips a byte order mark after the start."""
_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")
"""A block scalar header with a comment and no space before it (`|#`): libyaml takes it, ruamel refuses it."""
_BLANK_LINE_FIRST = re.compile(r"[|>][^\r\n]*(?:\r\n|\r|\n)[ ]*[\r\n]")
"""A block scalar whose first line is blank: ruamel refuses some of these (a later leading line more
indented than the first), libyaml none."""
_DECIMAL = re.compile(r"^[-+]?[0-9]+$")
_INF = float("inf")


class _Unsupported(Exception):
    """The text uses YAML this parser leaves to ruamel."""


def _plain_scalar(value: str) -> Any:
    """A plain (unquoted) scalar as ruamel's round-trip constructor builds it, then made plain."""
    if value == "":
        return None
    tag = next((tag for tag, pattern in _FIRST.get(value[0], ()) if pattern.match(value)), "str")
    if tag == "str":
        return value
    if tag == "null":
        return None
    if tag == "bool":
        return value.lower() == "true"
    if tag == "int":
        if not _DECIMAL.match(value):
            raise _Unsupported  # 0x, 0o, 0b, `_`: ruamel's own integer types
        digits = value.lstrip("+-")
        return -int(digits) if value[0] == "-" else int(digits)
    if tag == "float":
        # ruamel: drop `_`, lower-case, take the sign off, then sign * float(rest).
        text = value.replace("_", "").lower()
        sign = -1 if text[0] == "-" else 1
        if text[0] in "+-":
            text = text[1:]
        if text == ".inf":
            return sign * _INF
        if text == ".nan":
            return -_INF / _INF  # ruamel's NaN, sign bit and all
        return sign * float(text)
    raise _Unsupported  # merge key, timestamp, `=`


def parse(text: str) -> tuple[Any, dict[PathT, Pos]] | None:
    """Plain data and positions of a one-document spec, or None: let ruamel parse it."""
    try:
        import yaml
        from yaml._yaml import CParser  # type: ignore[import-not-found]  # PyYAML's libyaml binding
    except ImportError:  # PyYAML built without libyaml
        return None
    if _LEFT_TO_RUAMEL.search(text, 1 if text.startswith("\ufeff") else 0) or _BLOCK_HEADER_COMMENT.search(text):
        return None
    try:
        return _compose(CParser(text), yaml, text)
    except (_Unsupported, yaml.YAMLError, ValueError, OverflowError):
        return None


def _compose(parser: Any, yaml: Any, text: str) -> tuple[Any, dict[PathT, Pos]]:
    scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    get = parser.get_event
    if not isinstance(get(), yaml.StreamStartEvent):
        raise _Unsupported
    start = get()
    if not isinstance(start, yaml.DocumentStartEvent) or start.version is not None or start.tags:
        raise _Unsupported  # no document, or a %YAML / %TAG directive

    limit = document.MAX_VALUES  # read at each parse: tests lower it
    positions: dict[PathT, Pos] = {}
    # Open collections: [container, its path, the key read and waiting for its value (mappings)].
    stack: list[list[Any]] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.tag is not None:
                raise _Unsupported
            if event.implicit[0]:
                node: Any = _plain_scalar(event.value)
            else:
                if event.style in ("|", ">") and _BLANK_LINE_FIRST.match(text, event.start_mark.index):
                    raise _Unsupported
                node = event.value
            opened = False
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None:
                raise _Unsupported
            if len(stack) >= document.MAX_DEPTH:
                raise _Unsupported
            node = {} if kind is mapping_start else []
            opened = True
        elif kind in collection_end:
            stack.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            break
        else:  # an alias
            raise _Unsupported

        if not stack:
            root, path = node, ()
        else:
            top = stack[-1]
            container = top[0]
            if type(container) is dict:
                key = top[2]
                if key is None:
                    # This node is a key: text only, once per mapping.
                    if opened or type(node) is not str or node in container:
                        raise _Unsupported
                    top[2] = node
                    positions[(*top[1], node)] = Pos(event.start_mark.line + 1, event.start_mark.column + 1)
                    continue
                container[key] = node
                top[2] = None
                path = (*top[1], key)
            else:
                path = (*top[1], len(container))
                container.append(node)
                positions[path] = Pos(event.start_mark.line + 1, event.start_mark.column + 1)
            if len(positions) > limit:
                raise _Unsupported
        if opened:
            stack.append([node, path, None])

    if type(root) is not dict:
        raise _Unsupported  # not a spec: the error shows what ruamel read
    if not isinstance(get(), yaml.StreamEndEvent):
        raise _Unsupported  # a second document
    return root, positions
