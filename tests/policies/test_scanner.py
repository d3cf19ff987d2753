"""checkov, an outside judge, over the translated graph of every AWS example (prod).

Fails on any failed check that `policies/checkov_by_design.yaml` does not accept with a reason, and on
an entry that no longer matches anything. Skipped, saying why, where checkov is not installed (it
lives in its own environment: see policies/scanner.py).
"""

from __future__ import annotations

import re

import pytest

from policies.scanner import ByDesign, Finding, find_checkov, load_by_design, scan, unexpected
from policies.terraform_plan import translate
from tests.policies.graphs import base

AWS_EXAMPLES = ["support-prod", "orders-prod", "claims-aws"]

# Real gaps checkov finds that are being closed (issue 13); each entry goes when its fix lands, and the
# stale-entry test below fails if one is left behind after its finding is gone.
OPEN: list[ByDesign] = []


def _command() -> list[str]:
    command = find_checkov()
    if command is None:
        pytest.skip(
            "checkov is not installed: set AGENTHA_CHECKOV, put checkov on PATH, or "
            "`python3 -m venv .venv-checkov && .venv-checkov/bin/pip install -r requirements-checkov.txt`"
        )
    return command


_SEEN: dict[str, tuple[Finding, ...]] = {}


@pytest.mark.slow
@pytest.mark.parametrize("key", AWS_EXAMPLES)
def test_checkov_finds_nothing_but_what_is_by_design(key: str) -> None:
    command = _command()
    graph, _ = base(key)
    result = scan(translate(graph).plan, command)
    assert result.resources > 200 and result.passed > 500  # it really looked at the resources
    _SEEN[key] = result.failed
    left = unexpected(result.failed, load_by_design() + OPEN)
    assert [f"{f.check} {f.resource}: {f.name}" for f in left] == []


@pytest.mark.slow
def test_every_by_design_entry_is_still_needed() -> None:
    command = _command()
    findings: list[Finding] = []
    for key in AWS_EXAMPLES:
        if key not in _SEEN:
            graph, _ = base(key)
            _SEEN[key] = scan(translate(graph).plan, command).failed
        findings += _SEEN[key]
    entries = load_by_design() + OPEN
    stale = [f"{e.check} {e.resources}" for e in entries if not any(e.matches(f) for f in findings)]
    assert stale == []


def test_by_design_entries_are_well_formed() -> None:
    entries = load_by_design()
    assert entries
    for entry in entries:
        assert re.fullmatch(r"CKV2?_AWS_\d+", entry.check), entry
        assert re.fullmatch(r"aws_[a-z0-9_]+\.[A-Za-z0-9_*-]+", entry.resources), entry
        assert len(entry.reason) > 60, entry  # a reason an auditor can read, not a label


def test_docs_list_every_by_design_finding(root) -> None:
    docs = (root / "docs" / "policies.md").read_text()
    section = docs.split("## checkov findings that are by design", 1)
    assert len(section) == 2, "docs/policies.md has no 'checkov findings that are by design' section"
    table = section[1].split("\n## ", 1)[0]
    for entry in load_by_design():
        assert f"`{entry.check}`" in table and f"`{entry.resources}`" in table, entry


def test_unexpected_keeps_what_no_entry_accepts() -> None:
    entries = load_by_design()
    accepted = Finding("CKV_AWS_338", "retention", "aws_cloudwatch_log_group.app-logs-us-east-1")
    refused = Finding("CKV_AWS_91", "access logs", "aws_lb.app-alb-us-east-1")
    assert unexpected((accepted, refused), entries) == [refused]
