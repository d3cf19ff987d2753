"""Field docstrings are read once per module and give every spec field the description pydantic would."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

from blueprints.spec import models
from blueprints.spec.docstrings import attribute_docstrings

MODELS = [
    cls
    for cls in vars(models).values()
    if inspect.isclass(cls) and issubclass(cls, BaseModel) and cls.__module__ == models.__name__
]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_each_field_has_the_description_pydantics_own_extraction_finds(cls: type[BaseModel]) -> None:
    expected = extract_docstrings_from_cls(cls, use_inspect=True)
    assert {k: v for k, v in attribute_docstrings(cls).items() if k in cls.model_fields} == {
        k: v for k, v in expected.items() if k in cls.model_fields
    }
    for name, info in cls.model_fields.items():
        assert info.description == expected.get(name, info.description), f"{cls.__name__}.{name}"


def test_every_spec_field_is_documented() -> None:
    missing = [f"{c.__name__}.{n}" for c in MODELS for n, i in c.model_fields.items() if not i.description]
    assert missing == []


def test_the_schema_carries_the_descriptions() -> None:
    schema = models.HASpec.model_json_schema()
    assert schema["properties"]["objectives"]["description"] == "Availability SLO and recovery objectives."
    replicas = schema["$defs"]["Replicas"]["properties"]
    assert all(p.get("description") for p in replicas.values())


def test_pydantic_does_not_read_the_docstrings_class_by_class() -> None:
    # pydantic's `use_attribute_docstrings` tokenizes each class's source again (0.05 s of `validate`).
    assert not models.Model.model_config.get("use_attribute_docstrings")
    assert all(c.__pydantic_complete__ for c in MODELS if c is not models.Model)
