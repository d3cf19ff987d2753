"""Loading a spec: environment overrides merge as documented, every problem has a position."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from blueprints.errors import SpecError
from blueprints.spec.document import apply_environment, parse_yaml
from blueprints.spec.loader import check_all, load_spec, load_text

BASE = textwrap.dedent(
    """\
    apiVersion: agentha.dev/v1
    kind: HASpec
    metadata: {name: shop, owner: team, tags: {a: "1", b: "2"}}
    objectives:
      availability: 99.9
      disruptions:
        zone: {rto: 2m, rpo: 0s}
        region: {rto: 15m, rpo: 1m}
    topology:
      pattern: active-passive
      standby: warm
      regions:
        - {name: us-east-1, role: primary, zones: [us-east-1a, us-east-1b, us-east-1c]}
        - {name: us-west-2, role: standby, zones: [us-west-2a, us-west-2b]}
    agents:
      - name: web
        image: ghcr.io/acme/web:1
        port: 8080
        replicas: {min: 3, max: 12}
        consumes: [jobs]
        env: {MODE: base, KEEP: "yes"}
      - name: worker
        image: ghcr.io/acme/worker:1
        replicas: {min: 2, max: 6}
        consumes: [jobs]
    queues:
      - {name: jobs, retention: 4d}
    observability:
      notify: {email: [oncall@acme.example]}
    environments:
    """
)


def env(text: str) -> str:
    """BASE with an `environments` block (indented under it)."""
    return BASE + textwrap.indent(textwrap.dedent(text), "  ")


def merged(text: str, name: str = "dev"):
    return apply_environment(parse_yaml(env(text), "spec.yaml"), name)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- merging --------------------------------------------------------------------------------------


def test_maps_merge_key_by_key() -> None:
    doc = merged("dev:\n  metadata: {tags: {b: '20', c: '3'}}\n")
    assert doc.data["metadata"] == {"name": "shop", "owner": "team", "tags": {"a": "1", "b": "20", "c": "3"}}


def test_null_removes_a_key_and_its_position() -> None:
    doc = merged("dev:\n  topology: {standby: null}\n  objectives: {disruptions: {region: null}}\n")
    assert "standby" not in doc.data["topology"]
    assert "region" not in doc.data["objectives"]["disruptions"]
    assert ("topology", "standby") not in doc.positions
    assert not any(p[:3] == ("objectives", "disruptions", "region") for p in doc.positions)


def test_scalars_and_plain_lists_replace() -> None:
    doc = merged("dev:\n  objectives: {availability: 99.5}\n  agents: [{name: web, consumes: []}]\n")
    assert doc.data["objectives"]["availability"] == 99.5
    assert doc.data["agents"][0]["consumes"] == []
    assert doc.data["agents"][1]["consumes"] == ["jobs"]


def test_named_list_items_merge_by_name_in_any_order() -> None:
    doc = merged("dev:\n  agents: [{name: worker, replicas: {min: 1}}, {name: web, env: {MODE: dev}}]\n")
    web, worker = doc.data["agents"]
    assert worker["replicas"] == {"min": 1, "max": 6}
    assert web["env"] == {"MODE": "dev", "KEEP": "yes"}
    assert web["image"] == "ghcr.io/acme/web:1"


def test_named_list_in_an_override_where_the_base_has_none_is_taken_whole() -> None:
    doc = merged("dev:\n  stores: [{name: cache, engine: dynamodb}]\n")
    assert doc.data["stores"] == [{"name": "cache", "engine": "dynamodb"}]


def test_unknown_name_is_an_error_at_the_name_with_the_known_ones() -> None:
    text = env("dev:\n  agents: [{name: wrker, replicas: {min: 1}}]\n")
    with pytest.raises(SpecError) as info:
        apply_environment(parse_yaml(text, "spec.yaml"), "dev")
    (p,) = info.value.problems
    assert p.rule == "environment-unknown-item"
    assert p.path == "environments.dev.agents[0].name"
    assert p.location.line == line_of(text, "wrker")
    assert p.location.column == text.splitlines()[p.location.line - 1].index("name: wrker") + 1
    assert "web, worker" in p.fix and p.value == "wrker"
    assert p.fix.startswith("did you mean 'worker'?")


def test_override_item_without_a_name_is_an_error() -> None:
    with pytest.raises(SpecError) as info:
        merged("dev:\n  agents: [{replicas: {min: 1}}]\n")
    assert "needs a `name` written as text" in info.value.problems[0].message


def test_unknown_name_when_the_base_list_is_empty_says_so() -> None:
    text = BASE.replace("queues:\n  - {name: jobs, retention: 4d}\n", "") + "  dev:\n    queues: [{name: jobs}]\n"
    doc = parse_yaml(text.replace("consumes: [jobs]", "consumes: []"), "spec.yaml")
    doc.data["queues"] = []  # an empty base list: nothing to match by name
    with pytest.raises(SpecError) as info:
        apply_environment(doc, "dev")
    fix = info.value.problems[0].fix
    assert "()" not in fix
    assert "defines no queues" in fix


def test_topology_regions_are_replaced_whole() -> None:
    doc = merged(
        "dev:\n  topology: {pattern: multi-zone, regions: [{name: us-east-1, zones: [us-east-1a, us-east-1b]}]}\n"
    )
    assert doc.data["topology"]["regions"] == [{"name": "us-east-1", "zones": ["us-east-1a", "us-east-1b"]}]
    assert doc.data["topology"]["standby"] == "warm"  # other topology keys still merge


def test_merged_values_point_at_the_override_and_say_where_they_were_written() -> None:
    text = env("dev:\n  agents: [{name: worker, replicas: {min: 1}}]\n")
    doc = apply_environment(parse_yaml(text, "spec.yaml"), "dev")
    location, written = doc.locate(("agents", 1, "replicas", "min"))
    assert location.line == line_of(text, "{name: worker, replicas: {min: 1}}")
    assert written == "environments.dev.agents[0].replicas.min"
    # a value the override did not touch still points at the base
    location, written = doc.locate(("agents", 1, "replicas", "max"))
    assert location.line == line_of(text, "replicas: {min: 2, max: 6}") and written is None


def test_regions_replaced_whole_point_at_the_override() -> None:
    text = env(
        "dev:\n  topology: {pattern: multi-zone, standby: null,"
        " regions: [{name: us-east-1, zones: [us-east-1a, us-west-2b]}]}\n"
    )
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml", "dev")
    (p,) = [p for p in info.value.problems if p.severity == "error"]
    assert p.rule == "zone-in-region"
    assert p.path == "topology.regions[0].zones[1]"
    assert p.location.line == line_of(text, "us-west-2b]}]}")
    assert p.written_at == "environments.dev.topology.regions[0].zones[1]"


def test_environments_are_not_part_of_the_merged_document() -> None:
    doc = merged("dev: {}\n")
    assert "environments" not in doc.data
    assert not any(p and p[0] == "environments" for p in doc.positions)


def test_empty_override_written_as_null_is_the_base_as_written() -> None:
    text = env("prod:\n")
    loaded = load_text(text, "spec.yaml", "prod")
    assert loaded.spec.agents[0].replicas.min == 3
    names, problems = check_all_text(text)
    assert names == ["prod"] and problems == []


def test_unknown_environment() -> None:
    text = env("dev: {}\nprod: {}\n")
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml", "staging")
    (p,) = info.value.problems
    assert p.rule == "environment-exists"
    assert "dev, prod" in p.fix
    assert p.location.line == line_of(text, "environments:")


def test_unknown_environment_without_any_environments() -> None:
    with pytest.raises(SpecError) as info:
        load_text(BASE.replace("environments:\n", ""), "spec.yaml", "dev")
    assert "leave out --env" in info.value.problems[0].fix


def test_environment_names_must_be_dns_safe() -> None:
    _, problems = check_all_text(env("Prod_EU: {}\n"))
    assert [p.rule for p in problems] == ["environment-name"]


def test_an_override_that_is_not_a_mapping_is_reported_once() -> None:
    _, problems = check_all_text(env("prod: [1, 2]\n"))
    assert len([p for p in problems if p.severity == "error"]) == 1
    assert problems[0].path == "environments.prod"


# --- check_all ------------------------------------------------------------------------------------


def check_all_text(text: str, tmp: Path | None = None):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        return check_all(path)


def test_check_all_reports_a_base_problem_once_not_once_per_environment() -> None:
    text = env("dev: {}\nprod: {}\n").replace("retention: 4d}", "retention: 4d, visibility_timeout: 30s}")
    names, problems = check_all_text(text)
    assert names == ["dev", "prod"]
    assert [p.rule for p in problems] == ["visibility-exceeds-step", "visibility-exceeds-step"]  # web and worker
    assert len({(p.rule, p.message) for p in problems}) == 2


def test_check_all_reports_problems_only_an_environment_has() -> None:
    text = env("dev:\n  agents: [{name: web, replicas: {min: 5, max: 2}}]\n")
    _, problems = check_all_text(text)
    (p,) = problems
    assert p.path == "agents[0].replicas.max"
    assert p.written_at == "environments.dev.agents[0].replicas.max"
    assert p.location.line == line_of(text, "max: 2}}]") and p.value == 2


def test_check_all_keeps_warnings() -> None:
    text = env("dev: {}\n").replace("observability:\n  notify: {email: [oncall@acme.example]}\n", "")
    _, problems = check_all_text(text)
    assert [(p.rule, p.severity) for p in problems] == [("alarm-recipients", "warning")]


def test_check_all_merges_each_environment_a_constant_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """validate must stay linear in the number of environments: 1,000 of them took minutes when
    every environment's validation re-checked the shape of every other one (issue 18)."""
    import blueprints.spec.loader as loader

    calls: list[str | None] = []
    real = loader.apply_environment

    def counting(doc, name):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real(doc, name)

    monkeypatch.setattr(loader, "apply_environment", counting)
    names, problems = check_all_text(env("".join(f"e{i}: {{}}\n" for i in range(40)) + "bad:\n  topolgy: {}\n"))
    assert len(names) == 41
    assert len(calls) <= 2 * len(names)  # was 41 × 41
    assert [(p.rule, p.environment) for p in problems if p.severity == "error"] == [("schema.extra_forbidden", "bad")]


# --- files ----------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "nope.yaml")
    assert info.value.problems[0].rule == "file"
    assert "not found" in info.value.problems[0].message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.problems[0].rule in ("file", "yaml-syntax")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n", "42\n"])
def test_document_that_is_not_a_mapping(text: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    (p,) = info.value.problems
    assert p.rule == "document-shape"
    assert (p.location.line, p.location.column) == (1, 1)


def test_all_problems_are_reported_together_in_file_order() -> None:
    text = BASE.replace("port: 8080", "port: 0").replace("min: 2, max: 6", "min: 0, max: 6") + "  dev: {}\n"
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    lines = [p.location.line for p in info.value.problems]
    assert len(lines) == 2 and lines == sorted(lines)
    assert "(and 1 more)" in str(info.value)


def test_problems_only_an_environment_has_name_the_environment() -> None:
    # dev inherits the base's `standby: warm` on a multi-zone pattern: it is left out of dev, and the
    # warning shows the base's line, so without the environment's name it would contradict the line.
    text = env(
        "dev:\n  topology: {pattern: multi-zone, regions: [{name: us-east-1, zones: [us-east-1a, us-east-1b]}]}\n"
        "prod: {}\n"
    )
    _, problems = check_all_text(text)
    assert {(p.rule, p.path, p.environment, p.severity) for p in problems} == {
        ("environment-narrows-pattern", "topology.standby", "dev", "warning"),
        ("environment-narrows-pattern", "objectives.disruptions.region", "dev", "warning"),
    }
    assert all(p.to_json()["environment"] == "dev" for p in problems)
    assert problems[0].location.line == line_of(text, "standby: warm")


def test_a_setting_the_environment_writes_itself_is_still_an_error_at_its_line() -> None:
    text = env(
        "dev:\n  topology: {pattern: multi-zone, standby: warm,"
        " regions: [{name: us-east-1, zones: [us-east-1a, us-east-1b]}]}\n"
        "  objectives: {disruptions: {region: null}}\n"
    )
    _, problems = check_all_text(text)
    (p,) = problems
    assert (p.rule, p.environment, p.severity) == ("standby-pattern", "dev", "error")
    assert p.written_at == "environments.dev.topology.standby"
    assert p.location.line == line_of(text, "standby: warm,")


def test_a_problem_in_several_environments_names_each_once() -> None:
    override = "{topology: {pattern: multi-zone, regions: [{name: us-east-1, zones: [us-east-1a, us-east-1b]}]}}"
    _, problems = check_all_text(env(f"dev: {override}\nstaging: {override}\n"))
    assert len(problems) == 2  # standby and the region objective, each reported once
    assert all(p.environment == "dev, staging" for p in problems)


def test_base_problems_carry_no_environment() -> None:
    text = env("dev: {}\n").replace("retention: 4d}", "retention: 4d, visibility_timeout: 30s}")
    _, problems = check_all_text(text)
    assert problems and all(p.environment is None for p in problems)


def test_load_with_an_environment_tags_its_problems() -> None:
    text = env("dev:\n  agents: [{name: web, replicas: {min: 5, max: 2}}]\n")
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml", "dev")
    assert [p.environment for p in info.value.problems] == ["dev"]


def test_a_top_level_list_is_located_at_its_first_item() -> None:
    with pytest.raises(SpecError) as info:
        load_text("# a comment\n# another\n- name: a\n- name: b\n", "spec.yaml")
    (p,) = info.value.problems
    assert p.rule == "document-shape" and (p.location.line, p.location.column) == (3, 1)
    assert p.value == "list"


@pytest.mark.parametrize("name", ["[web]", "{a: 1}", "5", "true"])
def test_an_override_item_whose_name_is_not_text_is_a_spec_error(name: str) -> None:
    # A list as `name` crashed the merge with "unhashable type: 'list'" (found by the fuzz tests).
    with pytest.raises(SpecError) as info:
        merged(f"dev:\n  agents: [{{name: {name}, replicas: {{min: 1}}}}]\n")
    assert info.value.problems[0].rule == "environment-unknown-item"


def test_a_base_item_whose_name_is_not_text_does_not_break_the_merge() -> None:
    doc = parse_yaml(env("dev:\n  agents: [{name: web, replicas: {min: 1}}]\n"), "spec.yaml")
    doc.data["agents"][1]["name"] = ["worker"]
    merged_doc = apply_environment(doc, "dev")
    assert merged_doc.data["agents"][0]["replicas"]["min"] == 1


@pytest.mark.parametrize("requested", [None, "prod"])
def test_a_malformed_override_is_bad_input_whichever_environment_is_asked_for(requested: str | None) -> None:
    text = env("prod: {}\nqa:\n  agents: {name: worker}\nstaging:\n  agents: [{name: wrker}]\n")
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml", requested)
    found = {(p.rule, p.environment, p.location.line) for p in info.value.problems}
    assert found == {
        ("schema.list_type", "qa", line_of(text, "agents: {name: worker}")),
        ("environment-unknown-item", "staging", line_of(text, "wrker")),
    }


def test_a_mistake_of_the_base_is_not_reported_again_for_each_environment() -> None:
    text = env("dev: {}\nprod: {}\n").replace("port: 8080", "port: 0")
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    (p,) = info.value.problems
    assert p.path.endswith(".port") and p.environment is None


def test_semantic_problems_of_another_environment_wait_until_it_is_used() -> None:
    # dev's one-zone region breaks a semantic rule (multi-zone needs two zones), not the schema.
    text = env("dev:\n  topology: {regions: [{name: us-east-1, zones: [us-east-1a]}]}\n")
    assert load_text(text, "spec.yaml").environment is None
    with pytest.raises(SpecError):
        load_text(text, "spec.yaml", "dev")


def test_an_environment_with_a_bad_name_is_still_checked_whole_by_validate(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(env("Prod_EU:\n  agents: [{name: wrker}]\n"), encoding="utf-8")
    _, problems = check_all(path)
    assert {p.rule for p in problems} >= {"environment-name", "environment-unknown-item"}


def test_a_file_past_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import blueprints.spec.loader as loader

    monkeypatch.setattr(loader, "MAX_BYTES", 1000)
    path = tmp_path / "spec.yaml"
    path.write_text(BASE + "  dev: {}\n" + "#" * 1000 + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    (problem,) = err.value.problems
    assert problem.rule == "file-too-large" and problem.value == path.stat().st_size
    assert "at most" in problem.message and problem.location.file == str(path)


def test_a_folder_given_as_the_spec_says_so_and_names_the_specs_inside(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(tmp_path)
    (problem,) = err.value.problems
    assert problem.message == "this is a folder, not a spec file"  # was "make it a readable UTF-8 text file"
    assert problem.fix == f"give the spec file itself, e.g. {tmp_path / 'spec.yaml'}"
