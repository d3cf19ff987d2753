"""Every rendered object is one the API server accepts.

Built-in kinds validate with `kubernetes-validate --strict` against Kubernetes 1.30 and the newest
version the package ships; custom resources validate against their operators' own CRD schemas from
../shared/crds, closed as `kubectl apply`'s strict field validation closes them. (The CRDs' CEL rules,
`x-kubernetes-validations`, are not evaluated here.)
"""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from tests.components.kubernetes.support import (
    all_cases,
    built_in_errors,
    case,
    close_schema,
    crd_schemas,
    is_built_in,
    tidy_pattern,
)

CASES = all_cases()
VERSIONS = ("1.30", kubernetes_validate.latest_version())


def test_the_kubernetes_example_validates_with_kubernetes_validate_itself():
    problems = []
    for m in case("example:research-agent").objects:
        if not is_built_in(m.object):
            continue
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(m.object, version, strict=True)
            except kubernetes_validate.ValidationError as err:
                problems.append(f"{m.path} ({version}): {err}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", CASES)
def test_built_in_objects_validate_strictly(name):
    # The same schemas as kubernetes_validate.validate(strict=True), each compiled once.
    problems = []
    checked = 0
    for m in case(name).objects:
        if not is_built_in(m.object):
            continue
        checked += 1
        for version in VERSIONS:
            problems += [f"{m.path} ({version}): {e}" for e in built_in_errors(m.object, version)]
    assert checked > 0
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", CASES)
def test_custom_resources_validate_against_their_crds(name):
    schemas = crd_schemas()
    problems = []
    for m in case(name).objects:
        if is_built_in(m.object):
            continue
        problems += [f"{m.path}: {e}" for e in schemas.errors(m.object)]
    assert not problems, "\n".join(problems)


def _first(kind: str) -> dict:
    return copy.deepcopy(next(m.object for m in case("example:research-agent").objects if m.object["kind"] == kind))


def test_crd_validation_rejects_an_unknown_field_a_wrong_enum_and_a_missing_field():
    schemas = crd_schemas()
    queue = _first("Queue")
    assert schemas.errors(queue) == []
    queue["spec"]["bogus"] = True
    assert any("bogus" in e for e in schemas.errors(queue))
    cluster = _first("Cluster")
    cluster["spec"]["backup"]["target"] = "somewhere"
    assert any("backup.target" in e for e in schemas.errors(cluster))
    scaled = _first("ScaledObject")
    del scaled["spec"]["scaleTargetRef"]
    assert any("scaleTargetRef" in e for e in schemas.errors(scaled))


def test_crd_validation_keeps_fields_that_preserve_unknown_fields_open():
    schemas = crd_schemas()
    policy = _first("Policy")
    policy["spec"]["definition"]["max-length"] = 1000  # `definition` preserves unknown fields
    assert schemas.errors(policy) == []


def test_strict_validation_rejects_an_unknown_field_in_a_built_in_kind():
    policy = _first("NetworkPolicy")
    assert built_in_errors(policy, VERSIONS[0]) == []
    policy["spec"]["bogus"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(policy, VERSIONS[0], strict=True)
    for version in VERSIONS:
        assert any("bogus" in e for e in built_in_errors(policy, version))


def test_closing_a_schema():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "nullable": True, "pattern": "^(?i)yes$"}},
        "x-other": {"type": "object", "properties": {}, "x-kubernetes-preserve-unknown-fields": True},
    }
    closed = close_schema(schema)
    assert closed["additionalProperties"] is False
    assert closed["properties"]["a"]["type"] == ["string", "null"]
    assert closed["properties"]["a"]["pattern"] == "(?i)^yes$"
    assert "additionalProperties" not in closed["x-other"]
    assert tidy_pattern("^(?i)(abort|warn)?$") == "(?i)^(abort|warn)?$"
    assert tidy_pattern("^[a-z]$") == "^[a-z]$"
