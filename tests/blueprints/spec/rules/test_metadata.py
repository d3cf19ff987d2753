"""label-value: on Kubernetes the owner and tags become labels, so they must fit label syntax as written."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import aws, kubernetes, of_rule, only


def test_label_value_passes_with_ascii_owner_and_tags() -> None:
    spec = kubernetes()
    spec["metadata"]["owner"] = "support-platform"
    spec["metadata"]["tags"] = {"team": "claims", "acme.example/cost-center": "cc_42"}
    assert of_rule(spec, "label-value") == []


def test_label_value_ignores_aws_whose_tags_take_any_text() -> None:
    spec = aws()
    spec["metadata"]["owner"] = "サポート"
    spec["metadata"]["tags"] = {"équipe": "réclamations"}
    assert of_rule(spec, "label-value") == []


def test_an_owner_no_label_can_hold_is_refused_not_emptied() -> None:
    spec = kubernetes()
    spec["metadata"]["owner"] = "サポート"  # rendered as an empty label before
    p = only(spec, "label-value")
    assert p.path == "metadata.owner" and p.value == "サポート" and p.severity == "error"
    assert "cannot be a Kubernetes label value" in p.message and "ASCII" in p.fix


@pytest.mark.parametrize(
    ("tags", "path", "fix"),
    [
        ({"équipe": "claims"}, "metadata.tags.équipe", "rename the tag, e.g. equipe"),
        ({"team": "réclamations"}, "metadata.tags.team", "e.g. team: reclamations"),
        ({"team": "x" * 64}, "metadata.tags.team", "e.g. team: " + "x" * 63),
    ],
)
def test_a_tag_is_refused_with_the_nearest_value_that_fits(tags: dict[str, str], path: str, fix: str) -> None:
    spec = kubernetes()
    spec["metadata"]["tags"] = tags
    p = only(spec, "label-value")
    assert p.path == path and fix in p.fix
