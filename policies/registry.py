"""Every rule, found in `policies/rules/` (one module per rule, each exporting `RULE`).

Adding a rule is adding a file; the registry checks that ids are unique and well formed, and hands
the rules out sorted by id so reports, docs and the pack list them in one order.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from policies.model import ResourceRule, Rule, StackRule


@cache
def rules() -> tuple[Rule, ...]:
    """All rules, sorted by id."""
    import policies.rules as package

    found: list[Rule] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"policies/rules/{info.name}.py must define RULE (a ResourceRule or StackRule)")
        found.append(rule)
    ids = [r.id for r in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
    return tuple(sorted(found, key=lambda r: r.id))


def by_id(rule_id: str) -> Rule:
    for rule in rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def resource_rules() -> tuple[ResourceRule, ...]:
    return tuple(r for r in rules() if isinstance(r, ResourceRule))


def stack_rules() -> tuple[StackRule, ...]:
    return tuple(r for r in rules() if isinstance(r, StackRule))
