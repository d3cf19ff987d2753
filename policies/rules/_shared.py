"""Helpers several rules share: finding a resource's part of the plan, reading policy documents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policies.context import PolicyContext
from policies.resources import UNKNOWN, Subject, as_json, get, items, mapping

ROLE_TAG = "agentha:role"
PART_TAG = "agentha:part"


def part_name(subject: Subject, kind: str) -> str | None:
    """The agent/store/queue/secret name a resource was built for (`kind` is the spec collection)."""
    part = PolicyContext.part(subject.spec_path)
    if part is not None and part[0] == kind:
        return part[1]
    return None


def role(subject: Subject) -> str | None:
    return subject.tag(ROLE_TAG)


def is_dead_letter_queue(subject: Subject, context: PolicyContext) -> bool:
    if role(subject) == "dlq":
        return True
    name = get(subject.props, "name")
    return isinstance(name, str) and any(
        q.dead_letter_physical_name == name for q in (context.plan.queues if context.plan else ())
    )


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM/resource policy document (JSON text or data); [] when unknown."""
    doc = as_json(document)
    if not isinstance(doc, dict):
        return []
    raw = doc.get("Statement")
    if isinstance(raw, dict):
        return [raw]
    return [s for s in items(raw) if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return items(value)


def known(values: Iterable[Any]) -> list[Any]:
    return [v for v in values if v is not UNKNOWN]


def tags_of(props: Any) -> dict[str, Any]:
    return mapping(get(props, "tags"))
