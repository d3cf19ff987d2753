"""The figures table: every figure sourced and classified; overrides marked as assumptions."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from ruamel.yaml import YAML

from blueprints.figures import _base, figures, known_ids

RAW = YAML(typ="safe").load(resources.files("blueprints").joinpath("data/figures.yaml").read_text(encoding="utf-8"))
ALL = sorted(_base().values(), key=lambda f: f.id)


def test_the_table_has_both_sections_and_nothing_else() -> None:
    assert set(RAW) == {"slas", "timings"}
    assert len(ALL) == len(RAW["slas"]) + len(RAW["timings"])


@pytest.mark.parametrize("figure", ALL, ids=lambda f: f.id)
def test_every_figure_has_a_source_url_and_a_basis(figure) -> None:
    assert re.match(r"^https://[^\s]+$", figure.source), figure.source
    assert figure.basis in ("published", "secondary", "assumption")
    assert figure.what.strip()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", figure.id)


@pytest.mark.parametrize("figure", ALL, ids=lambda f: f.id)
def test_every_figure_is_in_range_for_its_unit(figure) -> None:
    if figure.unit == "percent":
        assert 90 <= figure.value <= 100
    else:
        assert 0 < figure.value <= 3600


@pytest.mark.parametrize("figure", [f for f in ALL if f.basis != "published"], ids=lambda f: f.id)
def test_figures_not_read_on_the_vendors_page_say_why(figure) -> None:
    # An assumption or a third-party figure should carry a note or describe itself well enough.
    raw = RAW["slas"].get(figure.id) or RAW["timings"].get(figure.id)
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
    used -= {"aurora-postgresql"}  # an engine name, not a figure
    assert used, "no figure ids found in estimates.py"
    assert used <= set(_base()), used - set(_base())


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
    for section, unit in (("slas", "percent"), ("timings", "seconds")):
        title = "Availability (monthly SLA, percent)" if unit == "percent" else "Timings (seconds)"
        lines += [f"### {title}", "", "| id | value | what | basis | source |", "|---|---|---|---|---|"]
        for fid in RAW[section]:
            f = _base()[fid]
            value = f"{f.value:g}" + (" %" if unit == "percent" else " s")
            note = f" — {f.note}" if f.note else ""
            what = (f.what + note).replace("|", "\\|")
            lines.append(f"| `{fid}` | {value} | {what} | {f.basis} | <{f.source}> |")
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
