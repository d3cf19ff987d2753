"""agentha-policy.yaml: levels per rule, topic and default; every mistake reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.errors import SpecError
from policies.config import CONFIG_FILE, PolicyConfig, find_config, load_config, parse_text
from policies.registry import by_id, rules

OBJECTIVES = "agentha-stack-plan-meet-objectives"
REPLICATE = "agentha-aws-dynamodb-table-replicate-planned-regions"  # mandatory, durability + availability


def test_precedence_rule_over_topic_over_default_over_the_rules_own() -> None:
    rule = by_id(REPLICATE)
    assert not rule.always_mandatory and rule.topics == ("durability", "availability")
    assert PolicyConfig().level(rule) == "mandatory"
    assert PolicyConfig(default="advisory").level(rule) == "advisory"
    assert PolicyConfig(default="advisory", topics={"durability": "disabled"}).level(rule) == "disabled"
    assert (
        PolicyConfig(default="disabled", topics={"durability": "disabled"}, rules={REPLICATE: "mandatory"}).level(rule)
        == "mandatory"
    )


def test_parses_a_valid_file() -> None:
    config = parse_text(
        f"apiVersion: agentha.dev/v1\nkind: PolicyConfig\ndefault: advisory\n"
        f"topics: {{security: mandatory}}\nrules:\n  {REPLICATE}: disabled\n  {OBJECTIVES}: mandatory\n",
        rules(),
    )
    assert config.default == "advisory"
    assert dict(config.topics) == {"security": "mandatory"}
    assert dict(config.rules) == {REPLICATE: "disabled", OBJECTIVES: "mandatory"}


# --- always-mandatory rules --------------------------------------------------------------------------


def test_the_objectives_rule_is_the_always_mandatory_one() -> None:
    assert [r.id for r in rules() if r.always_mandatory] == [OBJECTIVES]


@pytest.mark.parametrize("level", ["advisory", "disabled"])
def test_a_file_cannot_lower_an_always_mandatory_rule(level: str) -> None:
    text = f"apiVersion: agentha.dev/v1\nkind: PolicyConfig\nrules:\n  {REPLICATE}: advisory\n  {OBJECTIVES}: {level}\n"
    with pytest.raises(SpecError) as err:
        parse_text(text, rules(), "agentha-policy.yaml")
    [problem] = err.value.problems  # the other rule's line is fine
    assert problem.rule == "policy-config" and problem.path == f"rules.{OBJECTIVES}"
    assert (problem.location.file, problem.location.line) == ("agentha-policy.yaml", 5)
    assert OBJECTIVES in problem.message and "always mandatory" in problem.message and level in problem.message
    assert problem.value == level and problem.allowed == "mandatory"
    assert "remove this line" in problem.fix and "relax an objective" in problem.fix


def test_it_is_reported_with_every_other_mistake() -> None:
    text = f"defualt: advisory\nrules:\n  {OBJECTIVES}: disabled\n"
    with pytest.raises(SpecError) as err:
        parse_text(text, rules(), "agentha-policy.yaml")
    assert {p.path for p in err.value.problems} == {"defualt", f"rules.{OBJECTIVES}"}


@pytest.mark.parametrize(
    "text",
    ["default: advisory\n", "default: disabled\n", "topics: {availability: disabled, durability: advisory}\n"],
)
def test_default_and_topic_levels_do_not_reach_an_always_mandatory_rule(text: str) -> None:
    config = parse_text(text, rules())
    assert config.level(by_id(OBJECTIVES)) == "mandatory"
    assert config.level(by_id(REPLICATE)) != "mandatory"  # other rules of those topics are lowered


def test_every_mistake_is_reported_with_its_line() -> None:
    text = (
        "apiVersion: agentha.dev/v2\n"
        "kind: PolicyConfig\n"
        "defualt: advisory\n"
        "topics: {securty: mandatory}\n"
        "rules:\n"
        "  agentha-stack-plan-meet-objective: advisory\n"
        f"  {OBJECTIVES}: warn\n"
    )
    with pytest.raises(SpecError) as err:
        parse_text(text, rules(), "agentha-policy.yaml")
    problems = {p.path: p for p in err.value.problems}
    assert set(problems) == {
        "apiVersion",
        "defualt",
        "topics.securty",
        "rules.agentha-stack-plan-meet-objective",
        f"rules.{OBJECTIVES}",
    }
    assert "did you mean 'default'" in problems["defualt"].fix
    assert f"did you mean '{OBJECTIVES}'" in problems["rules.agentha-stack-plan-meet-objective"].fix
    assert problems[f"rules.{OBJECTIVES}"].location.line == 7
    assert problems[f"rules.{OBJECTIVES}"].allowed == "mandatory, advisory, disabled"


def test_discovery_explicit_then_beside_the_spec_then_project_root(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    spec_dir = tmp_path / "specs"
    spec_dir.mkdir()
    spec = spec_dir / "spec.yaml"
    spec.write_text("{}")
    assert find_config(spec) is None
    (tmp_path / CONFIG_FILE).write_text("default: advisory\n")
    assert find_config(spec) == tmp_path / CONFIG_FILE
    (spec_dir / CONFIG_FILE).write_text("default: disabled\n")
    assert find_config(spec) == spec_dir / CONFIG_FILE
    assert find_config(spec, tmp_path / "other.yaml") == tmp_path / "other.yaml"
    assert load_config(find_config(spec), rules()).default == "disabled"


def test_a_missing_explicit_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="policy config file not found"):
        load_config(tmp_path / "nope.yaml", rules())


def test_a_rule_cannot_be_always_mandatory_with_a_lower_default() -> None:
    import dataclasses

    with pytest.raises(ValueError, match="always-mandatory rule must have enforcement 'mandatory'"):
        dataclasses.replace(by_id(OBJECTIVES), enforcement="advisory")


def test_a_folder_given_as_the_config_says_it_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        load_config(tmp_path, rules())
    [problem] = err.value.problems
    assert "is a folder, not a file" in problem.message and "not found" not in problem.message
    assert problem.location.file == str(tmp_path) and str(tmp_path / CONFIG_FILE) in problem.fix
    (tmp_path / CONFIG_FILE).write_text("default: advisory\n")
    with pytest.raises(SpecError) as err:
        load_config(tmp_path, rules())
    assert f"--config {tmp_path / CONFIG_FILE}" in err.value.problems[0].fix  # the file that is there
