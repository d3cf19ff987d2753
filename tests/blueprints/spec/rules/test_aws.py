"""Rules only AWS imposes: tags, system name, global-store instance classes, MRSC region sets."""

from __future__ import annotations

from tests.blueprints.spec.rules.helpers import aws, kubernetes, of_rule, only, run


def test_aws_tags_pass() -> None:
    spec = aws()
    spec["metadata"]["tags"] = {"cost-center": "cx-42", "team": "support platform@acme"}
    assert of_rule(spec, "aws-tags") == []


def test_aws_tags_fail_for_characters_aws_refuses() -> None:
    spec = aws()
    spec["metadata"]["tags"] = {"cost-center": "cx#42"}
    p = only(spec, "aws-tags")
    assert p.path == "metadata.tags.cost-center" and "'#'" in p.message


def test_aws_tags_fail_for_the_reserved_prefix() -> None:
    spec = aws()
    spec["metadata"]["tags"] = {"aws:team": "x"}
    assert "reserves" in only(spec, "aws-tags").message


def test_aws_tags_do_not_apply_to_kubernetes_labels() -> None:
    spec = kubernetes()
    spec["metadata"]["tags"] = {"aws:team": "x"}
    # Not reserved on Kubernetes; a label key cannot hold ':' though, and label-value says so.
    assert {p.rule for p in run(spec)} == {"label-value"}


def test_aws_system_name_passes() -> None:
    assert of_rule(aws(), "aws-system-name") == []


def test_aws_system_name_fails_for_internal() -> None:
    spec = aws()
    spec["metadata"]["name"] = "internal-agents"
    assert "internal-" in only(spec, "aws-system-name").message


def test_global_store_instance_class_fails_for_burstable_classes_across_regions() -> None:
    spec = aws()
    spec["stores"].append({"name": "sessions", "engine": "aurora-postgresql", "instance_class": "db.t4g.medium"})
    spec["agents"][0]["uses"].append("sessions")
    p = only(spec, "global-store-instance-class")
    assert p.path == "stores[2].instance_class" and "burstable" in p.message


def test_global_store_instance_class_passes_for_memory_optimized() -> None:
    spec = aws()
    spec["stores"].append({"name": "sessions", "engine": "valkey", "instance_class": "cache.r7g.large"})
    spec["agents"][0]["uses"].append("sessions")
    assert of_rule(spec, "global-store-instance-class") == []


def _three_regions(spec: dict, names: list[str]) -> dict:
    spec["topology"]["regions"] = [
        {"name": n, "role": "primary" if i == 0 else "standby", "zones": [f"{n}a", f"{n}b", f"{n}c"]}
        for i, n in enumerate(names)
    ]
    for s in spec["stores"]:
        s["replication"] = "sync"
        s.pop("ttl_attribute", None)  # strong consistency has no TTL (dynamodb-strong-consistency-ttl)
    return spec


def test_dynamodb_region_set_passes_within_one_set() -> None:
    assert of_rule(_three_regions(aws(), ["us-east-1", "us-east-2", "us-west-2"]), "dynamodb-region-set") == []


def test_dynamodb_region_set_fails_across_sets() -> None:
    problems = of_rule(_three_regions(aws(), ["us-east-1", "us-west-2", "eu-west-1"]), "dynamodb-region-set")
    assert problems and all("one region set" in p.message for p in problems)


def test_dynamodb_region_set_holds_two_regions_too_where_the_witness_must_fit() -> None:
    assert of_rule(_three_regions(aws(), ["eu-west-1", "eu-central-1"]), "dynamodb-region-set") == []
    problems = of_rule(_three_regions(aws(), ["us-east-1", "eu-west-1"]), "dynamodb-region-set")
    assert problems and all("witness" in p.message for p in problems)


def test_a_system_name_must_start_with_a_letter() -> None:
    from tests.blueprints.spec.rules.helpers import run

    spec = aws()
    spec["metadata"]["name"] = "9lives"
    problems = run(spec)
    assert [p.path for p in problems] == ["metadata.name"]
    assert "starting with a letter" in problems[0].message


def _aurora(version: object) -> dict:
    spec = aws()
    spec["stores"].append({"name": "sessions", "engine": "aurora-postgresql", "engine_version": version})
    spec["agents"][0]["uses"].append("sessions")
    spec["objectives"]["disruptions"]["region"] = {"rto": "30m", "rpo": "5m"}
    return spec


def test_aurora_engine_version_passes_for_a_supported_major_or_minor() -> None:
    for version in ("17", 17, "16.10", "17.4"):
        assert of_rule(_aurora(version), "aurora-engine-version") == [], version


def test_aurora_engine_version_fails_for_a_retired_major_a_bad_form_or_an_old_global_minor() -> None:
    p = only(_aurora("13"), "aurora-engine-version")
    assert p.path == "stores[2].engine_version" and "standard support" in p.message and "17" in p.fix
    assert "not a PostgreSQL major" in only(_aurora("seventeen"), "aurora-engine-version").message
    # active-passive: a global database, which needs 16.1 or later
    assert "16.1 or later" in only(_aurora("16.0"), "aurora-engine-version").message


def test_an_unquoted_minor_version_is_refused_before_yaml_turns_16_10_into_16_1() -> None:
    from tests.blueprints.spec.rules.helpers import run

    problems = run(_aurora(16.10))
    assert any("in quotes" in p.message and p.path == "stores[2].engine_version" for p in problems)
