"""The HA spec's JSON Schema, generated from the models (field docstrings become descriptions)."""

from __future__ import annotations

import json

from blueprints.spec.models import HASpec

SCHEMA_ID = "https://agentha.dev/schemas/haspec-v1.json"


def json_schema() -> dict[str, object]:
    schema = HASpec.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
