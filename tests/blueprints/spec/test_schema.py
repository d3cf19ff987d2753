"""The JSON Schema editors use: descriptions everywhere, defaults a person could write, examples valid."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from blueprints.spec.schema import SCHEMA_ID, json_schema, json_schema_text
from tests.conftest import example_specs


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json_schema()


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"].endswith("2020-12/schema")


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    missing = [
        f"{path}/{name}"
        for path, node in _walk(schema)
        for name, prop in (node.get("properties") or {}).items()
        if isinstance(prop, dict) and "description" not in prop
    ]
    assert missing == []


def test_every_model_has_a_description(schema: dict[str, Any]) -> None:
    assert schema.get("description")
    assert [name for name, d in schema["$defs"].items() if not d.get("description")] == []


def test_defaults_are_written_as_a_person_writes_them(schema: dict[str, Any]) -> None:
    # Memory held as MiB and durations held as timedelta must show as 1Gi and 10s, and every default
    # must be valid under its own property schema (an editor offers it as a completion).
    defs = schema["$defs"]
    assert defs["Agent"]["properties"]["memory"]["default"] == "1Gi"
    assert defs["Store"]["properties"]["storage"]["default"] == "10Gi"
    assert defs["HealthCheck"]["properties"]["interval"]["default"] == "10s"
    assert defs["Alarms"]["properties"]["latency_p99"]["default"] == "3s"
    for path, node in _walk(schema):
        if "default" in node and path.count("/properties/") >= 1:
            sub = {k: v for k, v in node.items() if k != "default"} | {"$defs": defs}
            jsonschema.Draft202012Validator(sub).validate(node["default"])  # the schema is checked once, above


def test_unknown_fields_are_closed_in_every_model(schema: dict[str, Any]) -> None:
    assert schema["additionalProperties"] is False
    open_models = [name for name, d in schema["$defs"].items() if d.get("additionalProperties") is not False]
    assert open_models == []


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_examples_validate_against_the_schema(schema: dict[str, Any], spec: Any) -> None:
    data = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [("5m", True), ("1h30m", True), ("PT5M", True), (0, True), ("5 minutes", False), ("300", False), (300, False)],
)
def test_duration_schema_agrees_with_the_loader(schema: dict[str, Any], value: Any, ok: bool) -> None:
    prop = schema["$defs"]["Queue"]["properties"]["visibility_timeout"]
    sub = {k: v for k, v in prop.items() if k != "default"}
    valid = jsonschema.Draft202012Validator(sub).is_valid(value)
    assert valid is ok


def test_schema_text_is_stable_json() -> None:
    text = json_schema_text()
    assert text.endswith("\n")
    assert json.loads(text) == json.loads(json_schema_text())
    assert text == json_schema_text()
