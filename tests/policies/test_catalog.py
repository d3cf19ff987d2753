"""docs/policies.md carries the catalog rendered from the registry (regenerate: python -m policies.catalog --write)."""

from __future__ import annotations

from policies.catalog import BEGIN, DOC, END, render, splice
from policies.registry import rules


def test_docs_catalog_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert splice(text, render()) == text, "docs/policies.md is stale: run `python -m policies.catalog --write`"


def test_catalog_lists_every_rule_with_why_and_fix() -> None:
    catalog = render()
    assert catalog.startswith(BEGIN) and catalog.rstrip().endswith(END)
    for rule in rules():
        assert f"#### {rule.id}" in catalog
        assert rule.why in catalog and rule.fix in catalog


def test_docs_quote_the_corpus_score() -> None:
    from tests.policies.rules.corpus import all_defects

    count = len(all_defects())
    assert f"{count} defects caught / {count} seeded, over {len(rules())} rules" in DOC.read_text(encoding="utf-8")
