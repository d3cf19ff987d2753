"""The HA spec's JSON Schema, generated from the models (field docstrings become descriptions)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined

from blueprints.spec.models import HASpec

SCHEMA_ID = "https://agentha.dev/schemas/haspec-v1.json"


def json_schema() -> dict[str, Any]:
    schema = HASpec.model_json_schema(mode="validation")
    _human_defaults(HASpec, schema, schema.get("$defs", {}))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _human_defaults(model: type[BaseModel], node: dict[str, Any], defs: dict[str, Any]) -> None:
    """Write each default as a person writes it (`1Gi`, `10s`), not as it is held (1024, PT10S).

    pydantic applies a field's serializer to its default only in serialization mode, so a
    validation-mode schema would show memory's default as 1024: a value the schema itself refuses.
    """
    properties = node.get("properties", {})
    for name, info in model.model_fields.items():
        prop = properties.get(name)
        if prop is not None and "default" in prop and info.default is not PydanticUndefined:
            annotation: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
            prop["default"] = TypeAdapter(annotation).dump_python(info.default, mode="json")
    for sub in _nested_models(model):
        if sub.__name__ in defs:
            _human_defaults(sub, defs[sub.__name__], defs)


def _nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    import typing

    found: list[type[BaseModel]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found.append(tp)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    for info in model.model_fields.values():
        visit(info.annotation)
    return found
