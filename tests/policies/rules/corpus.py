"""The seeded-defect corpus: for every rule, compliant graphs with exactly one defect each.

A defect names the rule it must trip, the compliant base it is derived from, how (a one-field
change of one captured resource, a dropped or added resource, or an edit of the spec text for stack
rules that compare with the plan), and a fragment its message must contain. `run()` evaluates every
rule over the damaged graph; a defect is caught when its rule fires with that message and no other
rule fires.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stacks.graph import CapturedResource, ResourceGraph
from tests.policies.graphs import base, context_for_text, mutate

Change = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Defect:
    rule: str
    base: str
    what: str
    expect: str
    damage: Callable[[ResourceGraph], ResourceGraph] | None = None
    spec_edit: Callable[[str], str] | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.rule.removeprefix('agentha-')}: {self.what}"


def named(name: str) -> Callable[[CapturedResource], bool]:
    return lambda r: r.custom and r.name == name


def setting(path: str, value: Any) -> Change:
    """Set (or with value DELETE, remove) a dotted path in the inputs; list indexes as numbers."""

    def change(inputs: dict[str, Any]) -> None:
        parts = path.split(".")
        node: Any = inputs
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is DELETE:
            del node[last]
        else:
            node[last] = value

    return change


DELETE: Any = object()


def json_field(key: str, edit: Callable[[Any], Any]) -> Change:
    """Edit a JSON-document input (IAM policy, redrive policy, container definitions) as data."""

    def change(inputs: dict[str, Any]) -> None:
        inputs[key] = json.dumps(edit(json.loads(inputs[key])))

    return change


def change(name: str, how: Change) -> Callable[[ResourceGraph], ResourceGraph]:
    return lambda g: mutate(g, named(name), how)


def change_all(select: Callable[[CapturedResource], bool], how: Change) -> Callable[[ResourceGraph], ResourceGraph]:
    return lambda g: mutate(g, select, how, expect_one=False)


def drop(name: str) -> Callable[[ResourceGraph], ResourceGraph]:
    return lambda g: mutate(g, named(name), drop=True)


def move(name: str, region: str) -> Callable[[ResourceGraph], ResourceGraph]:
    return lambda g: mutate(g, named(name), setting("region", region), region=region)


def add(resource: CapturedResource) -> Callable[[ResourceGraph], ResourceGraph]:
    return lambda g: ResourceGraph(g.project, g.stack, [*g.resources, resource], g.exports)


def run(defect: Defect) -> Any:
    """Evaluate every rule over the damaged graph (or with the edited spec); the Report."""
    from policies.engine import evaluate

    graph, context = base(defect.base)
    if defect.damage is not None:
        graph = defect.damage(graph)
    if defect.spec_edit is not None:
        context = context_for_text(defect.base, defect.spec_edit)
    return evaluate(graph, context)


def caught(defect: Defect) -> tuple[bool, str]:
    """(caught?, why not) — its rule fires with the expected message and no other rule fires."""
    report = run(defect)
    fired = {v.rule_id for v in report.violations}
    if fired != {defect.rule}:
        return False, f"rules fired: {sorted(fired) or 'none'}"
    messages = [v.message for v in report.violations]
    if not any(defect.expect in m for m in messages):
        return False, f"no message contains {defect.expect!r}: {messages}"
    return True, ""


def all_defects() -> list[Defect]:
    from tests.policies.rules.aws_defects import DEFECTS as AWS
    from tests.policies.rules.kubernetes_defects import DEFECTS as KUBERNETES
    from tests.policies.rules.stack_defects import DEFECTS as STACK

    return [*AWS, *KUBERNETES, *STACK]
