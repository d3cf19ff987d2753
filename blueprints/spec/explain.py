"""Turn pydantic's validation errors into problems written for the person who wrote the spec.

pydantic says `Input should be 'aws' or 'kubernetes' [type=literal_error]`; we say which field, where
it is in the file, what was written, what is allowed, and what to type instead.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from blueprints.errors import Problem
from blueprints.spec.document import Document, PathT, format_path
from blueprints.spec.types import DNS_LABEL, SYSTEM_NAME


def explain(exc: ValidationError, doc: Document, root: type[BaseModel]) -> list[Problem]:
    """One Problem per pydantic error, positioned in the document."""
    return [_one(err, doc, root) for err in exc.errors(include_url=False)]


def _data_path(loc: tuple[str | int, ...], data: Any) -> PathT:
    """Drop the segments pydantic adds for unions and validators; keep what exists in the data."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and isinstance(part, str) and (part in node or last):
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and i + 1 < len(loc):
            continue  # a union tag such as 'function-before[...]' or a model name
    return tuple(path)


def _field_info(root: type[BaseModel], path: PathT) -> tuple[type[BaseModel] | None, str | None]:
    """The model that owns the last segment of `path`, and that field's description."""
    model: Any = root
    owner: type[BaseModel] | None = None
    description: str | None = None
    for part in path:
        model = _unwrap(model)
        if isinstance(part, int):
            model = _item_type(model)
            continue
        if isinstance(model, type) and issubclass(model, BaseModel):
            owner = model
            info = model.model_fields.get(part)
            if info is None:
                return owner, None
            description = info.description
            model = info.annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
            owner, description = None, None
        else:
            return None, None
    return owner, description


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _item_type(tp: Any) -> Any:
    if typing.get_origin(tp) is list:
        return typing.get_args(tp)[0]
    return tp


PATTERN_WORDS: dict[str, str] = {
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$": "a lowercase domain name such as support.acme.example",
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}\.?$": "a lowercase DNS zone such as acme.example",
    r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$": "an IPv4 range with its prefix length, such as 10.0.0.0/16",
    r"^vpc-[0-9a-f]+$": "a VPC id such as vpc-0a1b2c3d4e5f67890",
    r"^/": "an HTTP path starting with /, such as /healthz",
    r"^https://[^\s/]+(/\S*)?$": "an HTTPS URL such as https://eastus.example.openai.azure.com",
    SYSTEM_NAME: "lowercase letters, digits and '-', starting with a letter (database and cache identifiers "
    "must), such as support-agent",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an email address such as oncall@example.com",
    r"^AWSManagedRules[A-Za-z0-9]+$": "the name of an AWS managed rule group as AWS WAF lists it, such as "
    "AWSManagedRulesCommonRuleSet",
    r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$": "an ECR repository prefix: lowercase "
    "letters and digits, separated by '.', '_', '-' or '/', such as ghcr",
    r"^ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+$": "a Secrets Manager secret name starting with "
    "ecr-pullthroughcache/, such as ecr-pullthroughcache/ghcr",
}
"""What each pattern in the models means, in words (a regex is not an explanation)."""

_TYPE_WORDS = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def _one(err: ErrorDetails, doc: Document, root: type[BaseModel]) -> Problem:
    kind = err["type"]
    loc = tuple(err["loc"])
    path = _data_path(loc, doc.data)
    ctx = err.get("ctx") or {}
    value = err.get("input")
    owner, description = _field_info(root, path)
    what = f" ({description.rstrip('.')})" if description else ""
    field = _field_name(path)
    location, written_at = doc.locate(path)
    allowed: str | None = None

    if kind == "missing":
        parent = format_path(path[:-1])
        message = f"required field `{field}` is missing{what}"
        fix = f"add `{field}:` under `{parent}`" if path[:-1] else f"add `{field}:` at the top level"
        value = None
    elif kind == "extra_forbidden":
        known = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(field), known, n=1)
        message = f"unknown field `{field}`"
        fix = (f"did you mean `{close[0]}`? " if close else "remove it; ") + (
            f"fields allowed here: {', '.join(known)}" if known else ""
        )
        allowed = ", ".join(known) or None
    elif kind in ("literal_error", "enum"):
        allowed = str(ctx.get("expected", "")).replace("'", "")
        options = [o.strip() for o in allowed.replace(" or ", ", ").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1)
        message = f"`{value}` is not allowed for `{field}`{what}"
        fix = (f"did you mean `{close[0]}`? " if close else "") + f"use one of: {', '.join(options)}"
    elif kind == "string_pattern_mismatch":
        if ctx.get("pattern") == DNS_LABEL:
            message = f"`{value}` is not DNS-safe"
            fix = "use lowercase letters, digits and '-', starting and ending with a letter or digit"
            allowed = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
        elif str(ctx.get("pattern")) in PATTERN_WORDS:
            words = PATTERN_WORDS[str(ctx.get("pattern"))]
            message = f"`{value}` is not a valid `{field}`: expected {words}"
            fix = f"write {words}"
            allowed = words
        else:
            message = f"`{value}` does not have the form expected for `{field}`{what}"
            fix = f"write a value matching {ctx.get('pattern')}"
            allowed = str(ctx.get("pattern"))
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[kind]
        bound = next(iter(ctx.values()), "?")
        message = f"`{field}` is {value}, but must be {sign} {bound}{what}"
        fix = f"set `{field}` to a value {sign} {bound}"
        allowed = f"{sign} {bound}"
    elif kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        short = kind.endswith("too_short")
        unit = "character" if kind.startswith("string") else "item"
        units = unit if limit == 1 else f"{unit}s"
        message = f"`{field}` has too {'few' if short else 'many'} {unit}s{what}"
        fix = f"give it at {'least' if short else 'most'} {limit} {units}"
        allowed = f"{'≥' if short else '≤'} {limit} {units}"
    elif kind == "value_error":
        reason = str(ctx.get("error", err["msg"]))
        message = f"`{field}`: {reason}"
        fix = _fix_from_reason(reason)
    elif kind in _TYPE_WORDS:
        message = f"`{field}` should be {_TYPE_WORDS[kind]}, got {_show(value)}{what}"
        fix = f"write {_TYPE_WORDS[kind]} here"
        allowed = _TYPE_WORDS[kind]
    else:
        message = f"`{field}`: {err['msg']}{what}"
        fix = "correct the value as described"
    return Problem(
        rule=f"schema.{kind}",
        path=format_path(path),
        message=message,
        fix=fix,
        location=location,
        value=_scalar(value),
        allowed=allowed,
        written_at=written_at,
    )


def _field_name(path: PathT) -> str:
    """The name a person knows a value by: `min`, or `email[0]` for a list item."""
    if not path:
        return "document"
    last = path[-1]
    if isinstance(last, int):
        return f"{path[-2]}[{last}]" if len(path) > 1 else f"item {last}"
    return last


def _fix_from_reason(reason: str) -> str:
    if ": " in reason and ("write " in reason or "use " in reason or "set " in reason):
        return reason.split(": ", 1)[1] if reason.startswith("a bare") else reason
    if "; " in reason:
        return reason.split("; ", 1)[1]
    return "correct the value as described"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _scalar(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else _show(value)
