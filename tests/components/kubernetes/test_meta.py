"""Names, labels and quantities every Kubernetes object shares."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.kubernetes.meta import (
    cpu_quantity,
    env_name,
    is_label_key,
    is_label_value,
    label_key,
    label_value,
    memory_quantity,
    object_name,
    regex_escape,
    tag_labels,
)


@given(st.text(max_size=120))
def test_any_text_becomes_a_valid_label_value(text):
    assert is_label_value(label_value(text))


@given(st.text(min_size=1, max_size=300))
def test_any_text_becomes_a_valid_label_key_or_nothing(text):
    key = label_key(text)
    assert key is None or is_label_key(key)


def test_tags_become_labels_and_never_override_the_blueprints_own():
    labels = dict(
        tag_labels((("cost center", "CX 42!"), ("app.kubernetes.io/name", "x"), ("team", "research")), "ml platform")
    )
    assert labels == {"cost-center": "CX-42", "team": "research", "agentha.dev/owner": "ml-platform"}
    long = label_value("v" * 100)
    assert len(long) == 63 and long != label_value("v" * 99)


def test_quantities_and_names():
    assert cpu_quantity(0.25) == "250m" and cpu_quantity(2) == "2000m"
    assert memory_quantity(2048) == "2Gi" and memory_quantity(1536) == "1536Mi"
    assert env_name("llm-api-key") == "LLM_API_KEY" and env_name("2fa") == "_2FA"
    assert object_name("a" * 40, "b" * 40) == object_name("a" * 40, "b" * 40)
    assert len(object_name("a" * 40, "b" * 40)) == 63
    assert regex_escape("a.b-c") == r"a\.b-c"
