"""A YAML document as plain data plus the position of every key and item.

`ruamel.yaml` keeps line and column for every mapping key and sequence item; we copy them into a
flat index keyed by spec path, so errors found anywhere (pydantic, semantic rules, the planner) can
point at the exact place in the file. Environment overrides are merged here too, and each merged
value keeps the position where it was actually written.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from blueprints.errors import Location, Problem, SpecError

PathT = tuple[str | int, ...]


def format_path(path: PathT) -> str:
    """('agents', 1, 'replicas', 'min') -> 'agents[1].replicas.min'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass(frozen=True)
class Pos:
    """1-based line and column of a key or item, and the path where it was written."""

    line: int
    column: int
    written_at: PathT | None = None


@dataclass
class Document:
    """Plain YAML data (dicts, lists, scalars) with the position of every key and item."""

    file: str
    data: Any
    positions: dict[PathT, Pos] = field(default_factory=dict)

    def locate(self, path: PathT) -> tuple[Location, str | None]:
        """Location of the closest written ancestor of `path`, and where an override wrote it."""
        probe = tuple(path)
        while True:
            pos = self.positions.get(probe)
            if pos is not None:
                written = format_path(pos.written_at) if pos.written_at is not None else None
                return Location(self.file, pos.line, pos.column), written
            if not probe:
                # Nothing on the way is written (a missing top-level section): point at the first
                # key of the document rather than at line 1, which is often a comment.
                first = min(((p.line, p.column) for k, p in self.positions.items() if len(k) == 1), default=(1, 1))
                return Location(self.file, *first), None
            probe = probe[:-1]

    def get(self, path: PathT, default: Any = None) -> Any:
        node = self.data
        for part in path:
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            elif isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            else:
                return default
        return node


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML 1.2 text; syntax errors and duplicate keys become a SpecError with a position.

    libyaml (`fast_yaml`) parses what an HA spec is written in; anything else, and every error, is
    left to ruamel, whose messages and positions the errors below are built from.
    """
    from blueprints.spec import fast_yaml

    fast = fast_yaml.parse(text)
    if fast is not None:
        return Document(file=file, data=fast[0], positions=fast[1])
    return parse_with_ruamel(text, file)


def parse_with_ruamel(text: str, file: str) -> Document:
    """`parse_yaml` without the libyaml path: ruamel's round-trip load, its errors and positions."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except DuplicateKeyError as exc:
        found = re.match(r'found duplicate key "(.*?)"', str(exc.problem or ""))
        key = f"`{found.group(1)}`" if found else "a key"
        raise SpecError.of(
            [
                _yaml_problem(
                    exc,
                    file,
                    "duplicate-key",
                    f"{key} appears twice in the same mapping",
                    f"delete one of the two {key} lines, or merge their values (YAML keys must be unique)",
                )
            ]
        ) from None
    except MarkedYAMLError as exc:
        raise SpecError.of([_syntax_problem(exc, file)]) from None
    except TypeError:
        # ruamel hashes a complex key (`? {a: [1]}`) and fails on a list or mapping inside it.
        line, column = _first_collection_key(yaml, text)
        raise SpecError.one(
            rule="yaml-key",
            path="(document)",
            message="a mapping key is itself a list or a mapping (written with `? `), which no spec field uses",
            fix="write the key as a plain word, e.g. `name: value`",
            location=Location(file, line, column),
        ) from None
    except ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise SpecError.one(
            rule="yaml-syntax",
            path="(document)",
            message=f"the file contains a control character ({exc.character:#04x}) that YAML does not allow",
            fix="delete it (it is often pasted in from a terminal) and save the file as plain UTF-8 text",
            location=Location(file, line, column),
        ) from None
    except RecursionError:
        # ruamel composes recursively: a few hundred nested brackets exhaust Python's stack.
        line, column = _first_too_deep(yaml, text)
        raise SpecError.one(
            rule="yaml-depth",
            path="(document)",
            message=f"lists and mappings are nested more than {MAX_DEPTH} deep (an HA spec nests about 6)",
            fix="check for unclosed or repeated brackets; write the nested blocks out flatter",
            location=Location(file, line, column),
        ) from None
    except YAMLError as exc:  # anything else ruamel refuses, without a position
        raise SpecError.one(
            rule="yaml-syntax",
            path="(document)",
            message=f"YAML error: {exc}",
            fix="fix the YAML syntax",
            location=Location(file),
        ) from None
    positions: dict[PathT, Pos] = {}
    try:
        data = _plain(root, (), positions)
    except _TooManyValues:
        line, column = _first_alias(yaml, text)
        if line is not None:
            raise SpecError.one(
                rule="yaml-aliases",
                path="(document)",
                message=f"the document expands to more than {MAX_VALUES:,} values: YAML aliases (*name) repeat "
                "anchored blocks inside blocks that are themselves repeated",
                fix="write the repeated blocks out, or nest fewer aliases (an HA spec has a few thousand values)",
                location=Location(file, line, column),
            ) from None
        # No alias: the file itself is that large. Point at the collection that holds the most values.
        parent, count, kind = _largest_collection(positions)
        pos = positions.get(parent)
        raise SpecError.one(
            rule="too-many-values",
            path=format_path(parent),
            message=f"the document holds more than {MAX_VALUES:,} values (an HA spec has a few thousand); "
            f"this {kind} alone has {count:,} or more",
            fix="check that this is the file you meant; a generated or pasted list this long is not an HA spec",
            location=Location(file, pos.line if pos else None, pos.column if pos else None),
        ) from None
    return Document(file=file, data=data, positions=positions)


MAX_BYTES = 2 * 1024 * 1024
"""Largest spec file read (a generated 2,000-agent spec is 0.5 MB): parsing YAML with positions runs at
roughly 0.1–0.2 MB/s, so a file far beyond this would stall every command before saying anything."""


def _largest_collection(positions: dict[PathT, Pos]) -> tuple[PathT, int, str]:
    """The list or mapping with the most values read so far: (path, count, 'list' or 'mapping')."""
    counts: dict[PathT, int] = {}
    kinds: dict[PathT, str] = {}
    for key in positions:
        counts[key[:-1]] = counts.get(key[:-1], 0) + 1
        kinds[key[:-1]] = "list" if isinstance(key[-1], int) else "mapping"
    parent, count = max(counts.items(), key=lambda kv: kv[1], default=((), 0))
    return parent, count, kinds.get(parent, "mapping")


MAX_DEPTH = 100
"""Nesting of lists and mappings the libyaml path builds (a spec nests about 6 deep); deeper text is left
to ruamel, which loads some hundreds of levels and reports a `yaml-depth` error past that."""

MAX_VALUES = 100_000
"""Values a spec may expand to once aliases are resolved (a generated 50-agent spec has about 900): the bound
that keeps a few hundred bytes of nested aliases (a "billion laughs" file) from stalling the CLI."""


class _TooManyValues(Exception):
    pass


def _first_alias(yaml: Any, text: str) -> tuple[int | None, int | None]:
    """Where the first alias is written (looked up only when the expansion bound is hit)."""
    from ruamel.yaml.events import AliasEvent

    for event in yaml.parse(text):
        if isinstance(event, AliasEvent):
            return event.start_mark.line + 1, event.start_mark.column + 1
    return None, None


def _first_too_deep(yaml: Any, text: str) -> tuple[int | None, int | None]:
    """Where the first list or mapping nested deeper than MAX_DEPTH starts (ruamel's parser is not recursive)."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, MappingEndEvent

    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1, event.start_mark.column + 1
        elif isinstance(event, CollectionEndEvent | MappingEndEvent):
            depth -= 1
    return None, None


def _first_collection_key(yaml: Any, text: str) -> tuple[int | None, int | None]:
    """Where the first key that is a list or a mapping starts (looked up only when loading failed on it)."""
    from ruamel.yaml.events import (
        CollectionEndEvent,
        CollectionStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        NodeEvent,
    )

    # For each open collection: is it a mapping, and is its next node a key?
    stack: list[list[bool]] = []
    for event in yaml.parse(text):
        at_key = bool(stack) and stack[-1][0] and stack[-1][1]
        if isinstance(event, CollectionStartEvent):
            if at_key:
                return event.start_mark.line + 1, event.start_mark.column + 1
            if stack and stack[-1][0]:
                stack[-1][1] = not stack[-1][1]
            stack.append([isinstance(event, MappingStartEvent), True])
        elif isinstance(event, CollectionEndEvent | MappingEndEvent):
            stack.pop()
        elif isinstance(event, NodeEvent) and stack and stack[-1][0]:
            stack[-1][1] = not stack[-1][1]
    return None, None


def _yaml_problem(exc: Any, file: str, rule: str, message: str, fix: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(rule=rule, path="(document)", message=message, fix=fix, location=Location(file, line, column))


def _syntax_problem(exc: Any, file: str) -> Problem:
    """A syntax error placed where a person fixes it, with a hint for the usual causes."""
    problem = str(exc.problem or exc.context or "invalid YAML")
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {problem}"
    fix = "fix the YAML syntax at this position (indentation, quotes, colons)"
    context = exc.context_mark
    if context is not None and exc.context and mark is not None and context.line != mark.line:
        # "end of stream while scanning a quoted scalar": the quote that never closes is the mistake.
        message += f" ({exc.context} that starts at line {context.line + 1}, column {context.column + 1})"
        if "end of stream" in problem:
            mark = context
            fix = "close the quote or bracket that starts here"
    if "'\\t'" in problem:
        fix = "indent with spaces: YAML does not allow tab characters for indentation"
    elif "<block end>" in problem:
        fix = "check this line's indentation: keys of one mapping, and items of one list, line up exactly"
    elif "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        fix = "close the bracket that the message points to, or add the missing comma"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(
        rule="yaml-syntax", path="(document)", message=message, fix=fix, location=Location(file, line, column)
    )


def _line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _key_position(node: Any, key: Any) -> tuple[int, int] | None:
    """Where `key` is written; a key merged in with `<<: *anchor` is found in the anchored mapping."""
    try:
        line, column = node.lc.key(key)
        return line, column
    except (KeyError, TypeError):
        pass
    for source in getattr(node, "merge", None) or []:
        if hasattr(source, "lc") and key in source:
            found = _key_position(source, key)
            if found is not None:
                return found
    return None


def _plain(node: Any, path: PathT, positions: dict[PathT, Pos]) -> Any:
    """Copy ruamel's commented containers into plain ones, recording positions on the way."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import ScalarString

    if len(positions) > MAX_VALUES:
        raise _TooManyValues
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            child = (*path, str(key))
            line, col = _key_position(node, key) or _node_position(node)
            positions[child] = Pos(line + 1, col + 1)
            out[str(key)] = _plain(value, child, positions)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for index, value in enumerate(node):
            child = (*path, index)
            try:
                line, col = node.lc.item(index)
            except (KeyError, TypeError):
                line, col = _node_position(node)
            positions[child] = Pos(line + 1, col + 1)
            items.append(_plain(value, child, positions))
        return items
    if isinstance(node, ScalarString):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _node_position(node: Any) -> tuple[int, int]:
    line, col = getattr(node.lc, "line", None), getattr(node.lc, "col", None)
    return (line or 0, col or 0)


# --- environment overrides ------------------------------------------------------------------------

NAMED_LISTS = ("agents", "stores", "queues", "secrets")
"""Top-level lists whose items an override matches by `name`."""

REPLACED_WHOLE: frozenset[PathT] = frozenset({("topology", "regions")})
"""Lists an override replaces whole: the regions are an environment's footprint."""


def apply_environment(doc: Document, env: str) -> Document:
    """Merge `environments.<env>` over the base document.

    Mappings merge key by key; `null` removes a key; scalars and plain lists replace; items of the
    named lists (agents, stores, queues, secrets) merge into the base item with the same name, and an
    unknown name is an error; `topology.regions` is replaced whole. Positions of merged values point
    at the override, and remember the override path they were written at.
    """
    envs = doc.data.get("environments") if isinstance(doc.data, dict) else None
    if not isinstance(envs, dict) or env not in envs:
        known = sorted(envs) if isinstance(envs, dict) else []
        location, _ = doc.locate(("environments",))
        raise SpecError.one(
            rule="environment-exists",
            path=f"environments.{env}",
            message=f"environment '{env}' is not defined in the spec",
            fix=(
                f"use one of: {', '.join(known)}"
                if known
                else f"add an `environments: {{{env}: {{}}}}` block, or leave out --env"
            ),
            location=location,
            value=env,
            allowed=", ".join(known) or None,
        )
    override = envs[env] if envs[env] is not None else {}
    base = {k: v for k, v in doc.data.items() if k != "environments"}
    positions = {p: pos for p, pos in doc.positions.items() if not p or p[0] != "environments"}
    merged = Document(file=doc.file, data=copy.deepcopy(base), positions=positions)
    problems: list[Problem] = []
    if not isinstance(override, dict):
        location, _ = doc.locate(("environments", env))
        raise SpecError.one(
            rule="environment-shape",
            path=f"environments.{env}",
            message="an environment override must be a mapping of spec fields",
            fix="write the fields to override, e.g. `agents: [{name: x, replicas: {min: 2}}]`",
            location=location,
            value=override,
        )
    _merge_map(merged, doc, merged.data, override, (), ("environments", env), problems)
    if problems:
        raise SpecError.of(problems)
    return merged


def _merge_map(
    out: Document,
    src: Document,
    target: dict[str, Any],
    override: Mapping[str, Any],
    path: PathT,
    src_path: PathT,
    problems: list[Problem],
) -> None:
    for key, value in override.items():
        child, src_child = (*path, key), (*src_path, key)
        if value is None:
            target.pop(key, None)
            _drop_positions(out, child)
            out.positions.pop(child, None)
            continue
        if path == () and key in NAMED_LISTS and isinstance(value, list) and isinstance(target.get(key), list):
            _merge_named(out, src, target[key], value, child, src_child, problems)
            continue
        if isinstance(value, dict) and isinstance(target.get(key), dict) and child not in REPLACED_WHOLE:
            _copy_position(out, src, src_child, child)
            _merge_map(out, src, target[key], value, child, src_child, problems)
            continue
        target[key] = copy.deepcopy(value)
        _drop_positions(out, child)
        _copy_subtree_positions(out, src, src_child, child)


def _merge_named(
    out: Document,
    src: Document,
    base: list[Any],
    items: list[Any],
    path: PathT,
    src_path: PathT,
    problems: list[Problem],
) -> None:
    # Only text names match; anything else (a list, a number) is reported, never used as a key.
    index = {item["name"]: i for i, item in enumerate(base) if isinstance(item, dict) and _is_name(item.get("name"))}
    for j, item in enumerate(items):
        src_item = (*src_path, j)
        name = item.get("name") if isinstance(item, dict) and _is_name(item.get("name")) else None
        if name not in index:
            location, _ = src.locate((*src_item, "name") if isinstance(item, dict) and "name" in item else src_item)
            known = [n for n in index if isinstance(n, str)]
            close = difflib.get_close_matches(str(name), known, n=1) if name is not None else []
            hint = f"did you mean '{close[0]}'? " if close else ""
            kind = str(path[-1])
            problems.append(
                Problem(
                    rule="environment-unknown-item",
                    path=f"{format_path(src_path)}[{j}].name",
                    message=(
                        f"the override names {kind[:-1]} '{name}', which the base spec does not define"
                        if name is not None
                        else f"an item of {kind} in an override needs a `name` written as text"
                    ),
                    fix=(
                        f"add `name:` with the name of the {kind[:-1]} it overrides"
                        if name is None
                        else f"{hint}use a name from the base spec ({', '.join(known)}), "
                        f"or add '{name}' to `{kind}` first"
                        if known
                        else f"the base spec defines no {kind}: add '{name}' to `{kind}` first"
                    ),
                    location=location,
                    value=name,
                    allowed=", ".join(known) or None,
                )
            )
            continue
        i = index[name]
        # `name` only says which item is overridden; the name (and its position) stay the base's.
        changes = {k: v for k, v in item.items() if k != "name"}
        _merge_map(out, src, base[i], changes, (*path, i), src_item, problems)


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, bool)


def _drop_positions(doc: Document, path: PathT) -> None:
    n = len(path)
    for p in [p for p in doc.positions if p[:n] == path and len(p) > n]:
        del doc.positions[p]


def _copy_position(out: Document, src: Document, src_path: PathT, path: PathT) -> None:
    pos = src.positions.get(src_path)
    if pos is not None and path not in out.positions:
        out.positions[path] = Pos(pos.line, pos.column, src_path)


def _copy_subtree_positions(out: Document, src: Document, src_path: PathT, path: PathT) -> None:
    n = len(src_path)
    for p, pos in _subtree(src, src_path):
        out.positions[(*path, *p[n:])] = Pos(pos.line, pos.column, p)


def _subtree(doc: Document, path: PathT) -> Iterator[tuple[PathT, Pos]]:
    n = len(path)
    for p, pos in doc.positions.items():
        if p[:n] == path:
            yield p, pos
