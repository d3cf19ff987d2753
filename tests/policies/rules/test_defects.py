"""Every rule catches its seeded defects, and nothing else fires; the corpus covers every rule."""

from __future__ import annotations

import pytest

from policies.registry import rules
from tests.policies.rules.corpus import all_defects, caught

DEFECTS = all_defects()


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.id for d in DEFECTS])
def test_defect_is_caught_by_its_rule_alone(defect) -> None:
    ok, why = caught(defect)
    assert ok, why


def test_every_rule_has_a_seeded_defect() -> None:
    seeded = {d.rule for d in DEFECTS}
    missing = [r.id for r in rules() if r.id not in seeded]
    assert not missing, f"rules without a seeded defect: {missing}"
    unknown = seeded - {r.id for r in rules()}
    assert not unknown


def test_corpus_score(capsys: pytest.CaptureFixture[str]) -> None:
    """Defects caught / defects seeded (printed; docs/policies.md quotes it)."""
    results = [caught(d)[0] for d in DEFECTS]
    with capsys.disabled():
        print(f"\nseeded-defect corpus: {sum(results)} caught / {len(results)} seeded over {len(rules())} rules")
    assert all(results)
