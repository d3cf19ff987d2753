"""Every registered rule has a passing and a failing case in the test module named after its module."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.spec.rules import RULES, _load_rule_modules

HERE = Path(__file__).parent

_load_rule_modules()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_is_tested_in_its_modules_test(rule_id: str) -> None:
    rule = RULES[rule_id]
    module = rule.fn.__module__.rsplit(".", 1)[-1]
    text = (HERE / f"test_{module}.py").read_text(encoding="utf-8")
    name = rule_id.replace("-", "_")
    assert f'"{rule_id}"' in text, f"{rule_id} is not exercised in test_{module}.py"
    passing = [line for line in text.splitlines() if line.startswith(f"def test_{name}_pass")]
    failing = [
        line
        for line in text.splitlines()
        if line.startswith(f"def test_{name}_") and not line.startswith(f"def test_{name}_pass")
    ]
    assert passing and failing, f"{rule_id} needs a passing and a failing test"


def test_rule_ids_are_stable_kebab_case_with_a_summary() -> None:
    for rule_id, rule in RULES.items():
        assert rule_id == rule.id
        assert rule_id.replace("-", "").isalnum() and rule_id == rule_id.lower()
        assert rule.summary.endswith(".") or rule.summary.endswith(")")
