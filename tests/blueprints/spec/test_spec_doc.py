"""docs/spec.md's field reference is generated from the models; this test keeps it current.

The prose of docs/spec.md is written by hand; the block between the `fields:begin` and `fields:end`
markers is rendered here from the models (names, types, units, defaults, docstrings). Regenerate it
deliberately, as a reviewed change:

    AGENTHA_UPDATE_GOLDEN=1 pytest tests/blueprints/spec/test_spec_doc.py
"""

from __future__ import annotations

import json
import os
import re
import types
import typing
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from blueprints.spec.models import HASpec
from blueprints.spec.types import DNS_LABEL
from tests.conftest import ROOT

DOC = ROOT / "docs" / "spec.md"
BEGIN, END = (
    "<!-- fields:begin (generated: AGENTHA_UPDATE_GOLDEN=1 pytest tests/blueprints/spec/test_spec_doc.py) -->",
    "<!-- fields:end -->",
)
UPDATE_GOLDEN = os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1"


def _sections() -> list[tuple[str, type[BaseModel], list[str]]]:
    """(first spec path, model, other paths) for every model, breadth first from the top."""
    found: dict[type[BaseModel], list[str]] = {}
    queue: list[tuple[str, type[BaseModel]]] = [("", HASpec)]
    while queue:
        path, model = queue.pop(0)
        seen = model in found
        found.setdefault(model, []).append(path)
        if seen:
            continue
        for name, info in model.model_fields.items():
            for sub, suffix in _models_in(info.annotation):
                queue.append((f"{path}.{name}{suffix}".lstrip("."), sub))
    return [(paths[0], model, paths[1:]) for model, paths in found.items()]


def _models_in(tp: Any) -> list[tuple[type[BaseModel], str]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [(tp, "")]
    origin = typing.get_origin(tp)
    if origin is list:
        return [(m, "[]" + s) for m, s in _models_in(typing.get_args(tp)[0])]
    if origin is dict:
        return [(m, ".<name>" + s) for m, s in _models_in(typing.get_args(tp)[1])]
    return [pair for arg in typing.get_args(tp) for pair in _models_in(arg)]


def _anchor(path: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", (path or "top-level").replace(".", "-").replace("[]", "").replace("_", "-"))


def _type(tp: Any, info: FieldInfo | None, links: dict[type[BaseModel], str]) -> str:
    meta = list(info.metadata) if info is not None else []
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        args = typing.get_args(tp)
        return _type(args[0], FieldInfo.from_annotation(tp), links)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = " or ".join(_type(a, None, links) for a in args)
        return f"{inner} or null" if len(args) < len(typing.get_args(tp)) else inner
    if origin is typing.Literal:
        return " \\| ".join(f"`{v}`" for v in typing.get_args(tp))
    if origin is list:
        return f"list of {_type(typing.get_args(tp)[0], None, links)}"
    if origin is dict:
        return f"map of name → {_type(typing.get_args(tp)[1], None, links)}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        path = links[tp]
        return f"[{path or 'spec'}](#{_anchor(path)})"
    if tp is Any:
        return "any value"
    names = {str: "text", int: "integer", float: "number", bool: "`true` \\| `false`", timedelta: "duration"}
    text = names.get(tp, getattr(tp, "__name__", str(tp)))
    bounds = []
    for m in meta:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                bounds.append(f"{sign} {getattr(m, attr):g}")
        if getattr(m, "pattern", None) == DNS_LABEL:
            text = "DNS-safe name"
        elif getattr(m, "pattern", None):
            text = "text"
        if getattr(m, "max_length", None) and text == "DNS-safe name":
            bounds.append(f"≤ {m.max_length} characters")
    if tp is int and any(type(m).__name__ == "BeforeValidator" and "memory" in m.func.__name__ for m in meta):
        text = "size (`512Mi`, `2Gi`)"
    if tp is float and any(type(m).__name__ == "BeforeValidator" and "cpu" in m.func.__name__ for m in meta):
        text = "vCPU (`0.5`, `1`, `500m`)"
    if tp is timedelta:
        text = "duration (`30s`, `5m`, `24h`)"
    return text + (f", {', '.join(bounds)}" if bounds else "")


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    annotation: Any = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    if info.default is not PydanticUndefined:
        value = info.default
    else:
        assert info.default_factory is not None
        value = info.default_factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel):  # a section: show only what differs from its own defaults
        changed = value.model_dump(mode="json", exclude_defaults=True)
        return "its defaults" if not changed else "`" + _flow(changed) + "`"
    dumped = TypeAdapter(annotation).dump_python(value, mode="json")
    if dumped is None:
        return "null"
    if dumped == "":
        return '`""`'
    return f"`{_flow(dumped)}`"


def _flow(value: Any) -> str:
    """YAML flow style, as a spec would say it: {path: /healthz, period: 5s}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False).strip(chr(34))


def render() -> str:
    sections = _sections()
    links = {model: path for path, model, _ in sections}
    out: list[str] = []
    for path, model, others in sections:
        title = f"`{path}`" if path else "Top level"
        out += [f'<a id="{_anchor(path)}"></a>', f"### {title}", ""]
        out.append(" ".join((model.__doc__ or "").split()))
        if others:
            out += ["", "Also at " + ", ".join(f"`{o}`" for o in others) + "."]
        out += ["", "| field | type, unit | default | meaning |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            doc = " ".join((info.description or "").split()).replace("|", "\\|")
            out.append(f"| `{name}` | {_type(info.annotation, info, links)} | {_default(info)} | {doc} |")
        out.append("")
    from blueprints.spec.rules import RULES, _load_rule_modules

    _load_rule_modules()
    out += [
        '<a id="semantic-rules"></a>',
        "### Semantic rules",
        "",
        "Relations between fields, checked after the fields themselves (rule ids appear in every report;",
        "[examples/invalid/](../examples/invalid/README.md) has a bad spec for each).",
        "",
        "| rule | checks | module |",
        "|---|---|---|",
    ]
    for rule_id, rule in sorted(RULES.items()):
        module = rule.fn.__module__.rsplit(".", 1)[-1]
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| `{rule_id}` | {summary} | `rules/{module}.py` |")
    out.append("")
    return "\n".join(out)


def test_spec_reference_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"docs/spec.md needs the markers {BEGIN!r} and {END!r}"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    current = f"{head}{BEGIN}\n\n{render()}\n{END}{tail}"
    if UPDATE_GOLDEN:
        DOC.write_text(current, encoding="utf-8")
        text = current
    assert text == current, (
        "docs/spec.md's field reference is stale: the spec models changed. Review the change and "
        "regenerate with AGENTHA_UPDATE_GOLDEN=1 pytest tests/blueprints/spec/test_spec_doc.py"
    )


def test_every_field_of_every_model_is_in_the_reference() -> None:
    text = render()
    for _, model, _ in _sections():
        for name in model.model_fields:
            assert f"| `{name}` |" in text
