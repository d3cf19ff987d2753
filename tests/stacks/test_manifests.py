"""Manifest export: captured graph in, deterministic YAML per region out (pure, no Pulumi)."""

from __future__ import annotations

import pytest
import yaml

from stacks.graph import CapturedResource, ResourceGraph
from stacks.manifests import KIND_ORDER, collect, dump, manifest_object, render

PROVIDER = "urn:pulumi:s::p::pulumi:providers:kubernetes::eu"


def resource(name: str, inputs: dict, *, type_: str | None = None, region: str | None = "ctx-eu") -> CapturedResource:
    kind = inputs.get("kind", "ConfigMap")
    return CapturedResource(
        urn=f"urn:pulumi:s::p::kubernetes:core/v1:{kind}::{name}",
        type=type_ or f"kubernetes:core/v1:{kind}",
        name=name,
        custom=True,
        parent=None,
        provider=PROVIDER,
        inputs=inputs,
        region=region,
    )


def config_map(name: str, region: str = "eu", **extra) -> CapturedResource:
    return resource(
        f"{name}-{region}",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "ns", "annotations": {"agentha.dev/region": region}},
            "data": {"b": "2", "a": "1"},
            **extra,
        },
    )


def test_objects_keep_api_version_kind_metadata_first_and_name_first_in_mappings():
    obj = manifest_object(
        resource(
            "d",
            {
                "spec": {"replicas": 3.0, "template": {"spec": {"containers": [{"image": "i:1", "name": "c"}]}}},
                "metadata": {"labels": {"z": "1"}, "namespace": "ns", "name": "d"},
                "kind": "Deployment",
                "apiVersion": "apps/v1",
            },
            type_="kubernetes:apps/v1:Deployment",
        )
    )
    assert list(obj) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(obj["metadata"]) == ["name", "namespace", "labels"]
    assert list(obj["spec"]["template"]["spec"]["containers"][0]) == ["name", "image"]
    assert obj["spec"]["replicas"] == 3 and isinstance(obj["spec"]["replicas"], int)


def test_whole_floats_become_ints_and_other_floats_stay():
    obj = manifest_object(config_map("c", spec={"a": 2.0, "b": 0.5, "c": [1.0, True]}))
    assert obj["spec"] == {"a": 2, "b": 0.5, "c": [1, True]}
    assert dump(obj).count("a: 2\n") == 1


def test_an_object_without_a_name_gets_its_logical_name():
    obj = manifest_object(resource("logical", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}))
    assert obj["metadata"]["name"] == "logical"


def test_objects_go_to_their_region_folder_in_apply_order():
    graph = ResourceGraph(
        "p",
        "s",
        [
            config_map("app"),
            config_map("app", region="us"),
            resource("ns-eu", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}}),
        ],
    )
    paths = [m.path for m in collect(graph)]
    # The namespace has no region annotation: it goes where its provider's context points.
    assert paths == ["ctx-eu/00-namespace-ns.yaml", "eu/03-configmap-app.yaml", "us/03-configmap-app.yaml"]
    assert KIND_ORDER["Namespace"] < KIND_ORDER["Deployment"] < KIND_ORDER["ServiceMonitor"]


def test_providers_and_components_are_not_manifests():
    provider = CapturedResource(
        urn=PROVIDER,
        type="pulumi:providers:kubernetes",
        name="eu",
        custom=True,
        parent=None,
        provider=None,
        inputs={"context": "ctx-eu"},
    )
    component = CapturedResource(
        urn="urn:pulumi:s::p::agentha:kubernetes:Topology::t",
        type="agentha:kubernetes:Topology",
        name="t",
        custom=False,
        parent=None,
        provider=None,
        inputs={},
    )
    assert collect([provider, component, config_map("app")])[0].path == "eu/03-configmap-app.yaml"
    assert len(collect([provider, component])) == 0


def test_two_objects_for_one_file_is_an_error():
    with pytest.raises(ValueError, match="same kind and name"):
        collect([config_map("app"), resource("other", config_map("app").inputs)])


def test_render_adds_a_kustomization_per_region_and_is_byte_for_byte_repeatable():
    graph = [config_map("b"), config_map("a"), config_map("a", region="us")]
    files = render(graph)
    assert list(files) == [
        "eu/03-configmap-a.yaml",
        "eu/03-configmap-b.yaml",
        "eu/kustomization.yaml",
        "us/03-configmap-a.yaml",
        "us/kustomization.yaml",
    ]
    kustomization = yaml.safe_load(files["eu/kustomization.yaml"])
    assert kustomization["resources"] == ["03-configmap-a.yaml", "03-configmap-b.yaml"]
    assert render(list(reversed(graph))) == files


def test_multi_line_strings_are_block_scalars_and_round_trip():
    text = dump({"data": {"rules": "a: 1\nb: 2\n", "one": "line"}})
    assert "rules: |\n" in text
    assert yaml.safe_load(text) == {"data": {"rules": "a: 1\nb: 2\n", "one": "line"}}


def test_the_kubernetes_example_renders_deterministically():
    from tests.conftest import synthesized

    graph = synthesized("examples/research-agent/spec.yaml", "prod").graph
    first = render(graph)
    again = render(ResourceGraph.from_json(graph.to_json()))
    assert first == again
    assert {p.split("/")[0] for p in first} == {"europe-west4"}
    for path, text in first.items():
        obj = yaml.safe_load(text)
        if path.endswith("kustomization.yaml"):
            continue
        assert obj["metadata"]["name"] and path.endswith(f"-{obj['metadata']['name']}.yaml")
        assert not list(_whole_floats(obj)), path


def _whole_floats(value):
    if isinstance(value, float) and value.is_integer():
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _whole_floats(v)
    elif isinstance(value, list):
        for v in value:
            yield from _whole_floats(v)


TRICKY_SCALARS = [
    *("", "true", "True", "yes", "no", "on", "off", "null", "~", "3", "-3", "0x1f", "017", "1_000", "1:30"),
    *("1.5", ".5", "1e3", "1.0e+3", ".inf", ".NaN", "2026-12-04", "=", "<<", "*a", "&a", "!tag", "- x", "a: b"),
    *("#x", "x #y", " lead", "trail ", "'q'", '"dq"', "é ü 中", "tab\there", "a\nb", "a\nb\n", "a\n\n", "\n"),
    *(0, 1, -7, 2**63, True, False, 0.5, -1.25, 1e20, float("inf"), float("nan"), None),
]


def test_dump_gives_the_bytes_of_yaml_dump_with_the_representers():
    """`dump` builds the nodes itself and hands them to the same emitter: the bytes must be what
    `yaml.dump` gives through the representers, for every kind of value and every text the resolver
    would read as something else unless quoted."""
    from stacks.manifests import _Dumper

    def reference(obj):
        return yaml.dump(
            obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 16
        )

    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {}, "annotations": {"a/b": "true"}},
        "data": {str(i): v for i, v in enumerate(TRICKY_SCALARS)},
        "list": [*TRICKY_SCALARS, [], {}, [[1, "2"]], [{"name": "n", "k": ["v"]}]],
        "true": {"null": [None, "", {"3": 3}]},
        "long": "x" * 300,
    }
    assert dump(obj) == reference(obj)
    shared = {"a": 1}
    twice = {"x": shared, "y": [shared]}
    assert dump(twice) == reference(twice) and "&id001" in dump(twice)
    for value in TRICKY_SCALARS:
        assert dump({"k": value}) == reference({"k": value}), value
        assert dump([value]) == reference([value]), value


def test_manifest_object_orders_and_normalises_as_normalise_then_ordering_did():
    from stacks.graph import normalise

    inputs = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "zz": None, "labels": {"b": "1", "a": "2"}, "annotations": None},
        "data": {"b": 2.0, "a": [1.0, 0.5, (3.0, None)], "name": {"z": None, "name": 1.0}, "c": None},
        "spec": ({"y": 1, "x": True},),
    }
    obj = manifest_object(resource("c", inputs))
    assert obj == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"a": "2", "b": "1"}},
        "data": {"a": [1, 0.5, [3, None]], "b": 2, "name": {"name": 1}},
        "spec": [{"x": True, "y": 1}],
    }
    assert list(obj["data"]) == ["name", "a", "b"] and list(obj["data"]["name"]) == ["name"]
    assert manifest_object(resource("c", normalise(inputs))) == obj
