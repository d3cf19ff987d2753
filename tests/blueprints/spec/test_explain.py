"""pydantic's errors in the words of the person who wrote the spec: field, place, value, fix."""

from __future__ import annotations

import re
import textwrap
import typing

import pytest
from pydantic import BaseModel

from blueprints.errors import Problem, SpecError
from blueprints.spec.explain import PATTERN_WORDS
from blueprints.spec.loader import load_text
from blueprints.spec.models import HASpec
from blueprints.spec.types import DNS_LABEL

SPEC = textwrap.dedent(
    """\
    apiVersion: agentha.dev/v1
    kind: HASpec
    metadata: {name: shop}
    topology:
      pattern: multi-zone
      regions:
        - {name: us-east-1, zones: [us-east-1a, us-east-1b]}
    ingress: {agent: web, domain: shop.acme.example, hosted_zone: acme.example}
    agents:
      - name: web
        image: ghcr.io/acme/web:1
        port: 8080
        replicas: {min: 2, max: 4}
        probes:
          readiness: {path: /readyz}
    observability:
      notify: {email: [oncall@acme.example]}
    """
)


def problems(old: str, new: str) -> list[Problem]:
    assert old in SPEC, old
    text = SPEC.replace(old, new, 1)
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    return info.value.problems


def one(old: str, new: str) -> Problem:
    found = problems(old, new)
    assert len(found) == 1, found
    return found[0]


def test_the_base_is_valid() -> None:
    assert load_text(SPEC, "spec.yaml").spec.metadata.name == "shop"


def test_missing_field_names_it_its_meaning_and_where_to_add_it() -> None:
    p = one("    image: ghcr.io/acme/web:1\n", "")
    assert p.rule == "schema.missing"
    assert p.path == "agents[0].image"
    assert "required field `image` is missing" in p.message
    assert "Container image" in p.message  # the field's docstring
    assert p.fix == "add `image:` under `agents[0]`"
    assert p.location.line == 10  # the item it belongs in


def test_missing_top_level_field() -> None:
    p = one("metadata: {name: shop}\n", "")
    assert p.fix == "add `metadata:` at the top level"


def test_extra_field_suggests_the_close_name_and_lists_the_allowed_ones() -> None:
    p = one("    port: 8080\n", "    prot: 8080\n")
    assert p.rule == "schema.extra_forbidden"
    assert p.path == "agents[0].prot"
    assert p.fix.startswith("did you mean `port`?")
    assert "max_step_duration" in p.fix and p.allowed is not None
    assert (p.location.line, p.location.column) == (12, 5)


def test_extra_field_without_a_close_name_says_remove_it() -> None:
    p = one("    port: 8080\n", "    port: 8080\n    colour: blue\n")
    assert p.fix.startswith("remove it;")


def test_literal_suggests_the_close_value_and_lists_all() -> None:
    p = one("pattern: multi-zone", "pattern: multizone")
    assert p.rule == "schema.literal_error"
    assert p.value == "multizone"
    assert p.fix == "did you mean `multi-zone`? use one of: single-zone, multi-zone, active-passive, active-active"
    assert (p.location.line, p.location.column) == (5, 3)


def test_dns_name() -> None:
    p = one("name: web", "name: Web_1")
    assert p.rule == "schema.string_pattern_mismatch"
    assert p.message == "`Web_1` is not DNS-safe"
    assert "lowercase letters, digits and '-'" in p.fix


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("domain: shop.acme.example", "domain: Shop.acme.example", "a lowercase domain name"),
        ("hosted_zone: acme.example", "hosted_zone: acme", "a lowercase DNS zone"),
        ("[oncall@acme.example]", "[oncall-at-acme]", "an email address"),
        ("{path: /readyz}", "{path: readyz}", "an HTTP path starting with /"),
    ],
)
def test_patterns_are_explained_in_words_not_regexes(old: str, new: str, words: str) -> None:
    p = one(old, new)
    assert words in p.message and p.fix.startswith(f"write {words}")
    assert "^" not in p.message + p.fix


def test_every_pattern_in_the_models_has_words() -> None:
    patterns: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for info in model.model_fields.values():
            for meta in info.metadata:
                if getattr(meta, "pattern", None):
                    patterns.add(meta.pattern)
            walk(info.annotation)

    def walk(tp: typing.Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            visit(tp)
        for meta in getattr(tp, "__metadata__", ()):
            for inner in getattr(meta, "metadata", ()):
                if getattr(inner, "pattern", None):
                    patterns.add(inner.pattern)
        for arg in typing.get_args(tp):
            walk(arg)

    visit(HASpec)
    assert patterns - {DNS_LABEL} == set(PATTERN_WORDS)


def test_list_items_are_named_by_their_list() -> None:
    p = one("[oncall@acme.example]", "[oncall-at-acme]")
    assert p.path == "observability.notify.email[0]"
    assert "`email[0]`" in p.message


@pytest.mark.parametrize(
    ("old", "new", "text"),
    [
        ("min: 2, max: 4", "min: 0, max: 4", "`min` is 0, but must be ≥ 1"),
        ("port: 8080", "port: 70000", "`port` is 70000, but must be ≤ 65535"),
        ("metadata: {name: shop}", "metadata: {name: shop}\nobjectives: {availability: 100}", "must be < 100"),
    ],
)
def test_bounds_say_the_value_and_the_bound(old: str, new: str, text: str) -> None:
    p = one(old, new)
    assert text in p.message
    assert p.fix.startswith("set `")
    assert p.allowed is not None


def test_too_few_items_uses_the_right_grammar() -> None:
    p = one("- {name: us-east-1, zones: [us-east-1a, us-east-1b]}", "[]")
    assert p.rule == "schema.too_short"
    assert p.fix == "give it at least 1 item"


def test_value_errors_carry_the_units_and_the_fix() -> None:
    p = one("port: 8080", "port: 8080\n    memory: 2048")
    assert p.rule == "schema.value_error"
    assert "ambiguous" in p.message
    assert p.fix == "write 2048Mi or 2048Gi"
    p = one("port: 8080", "port: 8080\n    max_step_duration: 5 minutes")
    assert p.value == "5 minutes"
    assert "no space" in p.fix


def test_max_below_min_points_at_max() -> None:
    p = one("min: 2, max: 4", "min: 5, max: 4")
    assert p.path == "agents[0].replicas.max"
    assert p.value == 4
    assert p.fix == "set max ≥ min"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("port: 8080", "port: eighty", "a whole number"),
        ("port: 8080", "port: 8080.5", "a whole number"),
        ("acme.example}", "acme.example, public: maybe}", "true or false"),
        ("zones: [us-east-1a, us-east-1b]", "zones: us-east-1a", "a list"),
        ("metadata: {name: shop}", "metadata: shop", "a mapping of fields"),
    ],
)
def test_wrong_types_in_words(old: str, new: str, words: str) -> None:
    p = one(old, new)
    assert f"should be {words}" in p.message
    assert p.fix == f"write {words} here"


def test_several_mistakes_are_all_reported() -> None:
    found = problems("port: 8080", "port: 0\n    cpu: lots\n    memroy: 1Gi")
    assert {p.path for p in found} == {"agents[0].port", "agents[0].cpu", "agents[0].memroy"}


def test_no_pydantic_jargon_reaches_the_message() -> None:
    cases = [("port: 8080", "port: eighty"), ("pattern: multi-zone", "pattern: x"), ("min: 2,", "min: -1,")]
    for old, new in cases:
        for p in problems(old, new):
            assert not re.search(r"Input should|type=|pydantic|\[type", p.message + p.fix)
