"""The figures table: every figure sourced and classified; overrides marked as assumptions."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from ruamel.yaml import YAML

from blueprints.figures import _base, figures, known_ids

RAW = YAML(typ="safe").load(resources.files("blueprints").joinpath("data/figures.yaml").read_text(encoding="utf-8"))
ALL = sorted(_base().values(), key=lambda f: f.id)


def test_the_table_has_its_three_sections_and_nothing_else() -> None:
    assert set(RAW) == {"slas", "timings", "shares"}
    assert len(ALL) == len(RAW["slas"]) + len(RAW["timings"]) + len(RAW["shares"])


@pytest.mark.parametrize("figure", ALL, ids=lambda f: f.id)
def test_every_figure_has_a_source_url_and_a_basis(figure) -> None:
    assert re.match(r"^https://[^\s]+$", figure.source), figure.source
    assert figure.basis in ("published", "secondary", "assumption")
    assert figure.what.strip()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", figure.id)


@pytest.mark.parametrize("figure", ALL, ids=lambda f: f.id)
def test_every_figure_is_in_range_for_its_unit(figure) -> None:
    if figure.section == "shares":
        assert 0 <= figure.value <= 100
    elif figure.unit == "percent":
        assert 90 <= figure.value <= 100
    else:
        assert 0 < figure.value <= 3600


@pytest.mark.parametrize("figure", [f for f in ALL if f.basis != "published"], ids=lambda f: f.id)
def test_figures_not_read_on_the_vendors_page_say_why(figure) -> None:
    # An assumption or a third-party figure should carry a note or describe itself well enough.
    raw = RAW[figure.section][figure.id]
    assert raw.get("note") or figure.basis == "assumption"


def test_every_figure_the_estimates_use_exists() -> None:
    import pathlib

    text = (pathlib.Path(__file__).resolve().parents[2] / "blueprints" / "plan" / "estimates.py").read_text()
    used = set(
        re.findall(
            r'"((?:aws|k8s|k8gb|route53|aurora|dynamodb|elasticache|fargate|autoscaling|alarm|traffic|cnpg|redis|rabbitmq|argo)-[a-z0-9-]+)"',
            text,
        )
    )
    used -= {"aurora-postgresql", "aurora-dsql"}  # engine names, not figures
    assert used, "no figure ids found in estimates.py"
    assert used <= set(_base()), used - set(_base())


@pytest.mark.parametrize("figure", [f for f in ALL if f.section == "timings"], ids=lambda f: f.id)
def test_every_timing_says_whether_it_is_a_bound_typical_or_a_setting(figure) -> None:
    # A typical lag used as if it were a bound understated RPO (issue 10): say which each one is.
    assert figure.kind in ("bound", "typical", "setting")


def test_slas_and_shares_carry_no_timing_kind() -> None:
    assert all(f.kind is None for f in ALL if f.section != "timings")


def test_the_table_says_slas_are_credit_thresholds() -> None:
    text = resources.files("blueprints").joinpath("data/figures.yaml").read_text(encoding="utf-8")
    assert "credit threshold" in text


def test_shares_are_not_overridable_as_slas() -> None:
    assert "common-cause-region" not in known_ids("percent")


def test_spec_assumptions_reach_the_table() -> None:
    from datetime import timedelta

    from blueprints.figures import for_spec
    from blueprints.spec.models import Assumptions, Outages

    table = for_spec(
        Assumptions(
            slas={"aws-sqs": 99.95},
            timings={"fargate-task-start": timedelta(seconds=90)},
            outages=Outages(region=timedelta(minutes=10)),
            common_cause=5,
        )
    )
    assert table.value("aws-sqs") == 99.95 and table.value("fargate-task-start") == 90
    assert table.value("outage-region") == 600 and table["outage-region"].overridden
    assert table.value("outage-zone") == 3600  # unset levels keep the table's figure
    assert table.value("common-cause-region") == 5 and table["common-cause-region"].basis == "assumption"


def test_every_dependency_kind_has_a_default_figure() -> None:
    from typing import get_args

    from blueprints.spec.models import DependencyKind

    assert {f"dependency-{k}" for k in get_args(DependencyKind)} <= set(_base())


def test_known_ids_by_unit() -> None:
    assert "aws-sqs" in known_ids("percent") and "aws-sqs" not in known_ids("seconds")
    assert "fargate-task-start" in known_ids("seconds")
    assert known_ids("percent") == sorted(known_ids("percent"))


def test_overrides_become_assumptions_and_keep_the_rest() -> None:
    table = figures({"aws-sqs": 99.95}, {"fargate-task-start": 90})
    sqs = table["aws-sqs"]
    assert (sqs.value, sqs.basis, sqs.source, sqs.overridden) == (99.95, "assumption", "spec: assumptions", True)
    assert sqs.note == "overrides 99.9"
    assert table.value("fargate-task-start") == 90
    assert table["aws-dynamodb"] == _base()["aws-dynamodb"]
    assert figures()["aws-sqs"].value == 99.9  # the cached base is not changed


# --- docs/estimates.md keeps a rendering of this table ------------------------------------------

DOC_BEGIN = "<!-- figures:begin (generated: AGENTHA_UPDATE_GOLDEN=1 pytest tests/blueprints/test_figures.py) -->"
DOC_END = "<!-- figures:end -->"


def render_table() -> str:
    lines = []
    titles = {
        "slas": "Availability (monthly SLA, percent; a credit threshold, not measured availability)",
        "timings": "Timings (seconds; kind: bound, typical or setting)",
        "shares": "Shares (percent)",
    }
    for section, unit in (("slas", "percent"), ("timings", "seconds"), ("shares", "percent")):
        timing = section == "timings"
        head = "| id | value | kind | what | basis | source |" if timing else "| id | value | what | basis | source |"
        lines += [f"### {titles[section]}", "", head, "|---" * head.count(" | ") + "|---|"]
        for fid in RAW[section]:
            f = _base()[fid]
            value = f"{f.value:g}" + (" %" if unit == "percent" else " s")
            note = f" — {f.note}" if f.note else ""
            what = (f.what + note).replace("|", "\\|")
            kind = f" {f.kind} |" if timing else ""
            lines.append(f"| `{fid}` | {value} |{kind} {what} | {f.basis} | <{f.source}> |")
        lines.append("")
    return "\n".join(lines)


def test_estimates_doc_lists_the_current_figures() -> None:
    import os
    import pathlib

    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / "estimates.md"
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    current = f"{head}{DOC_BEGIN}\n\n{render_table()}\n{DOC_END}{tail}"
    if os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1":
        doc.write_text(current, encoding="utf-8")
        text = current
    assert text == current, (
        "docs/estimates.md lists stale figures: AGENTHA_UPDATE_GOLDEN=1 pytest tests/blueprints/test_figures.py"
    )
