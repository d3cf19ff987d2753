"""Property tests: whatever a person writes, the loader answers with SpecError or a spec, never a crash.

Mutations start from the real examples (so most of each spec stays meaningful): delete a key, swap a
value for one of another type, put a random scalar somewhere, or damage the YAML text itself. Any spec
that loads must also plan without raising. Example counts stay modest for CI time.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from blueprints.errors import SpecError
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.conftest import EXAMPLES, example_specs

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXTS = [p.read_text(encoding="utf-8") for p in example_specs()] + [
    (EXAMPLES / "invalid" / "zone-of-another-region.yaml").read_text(encoding="utf-8")
]
DATA = [YAML(typ="safe").load(t) for t in TEXTS]

safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    safe_text,
    st.sampled_from(["0", "0s", "5m", "2Gi", "us-east-1a", "dynamodb", "active-active", "fifo", "", "null", "-1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(safe_text, inner, max_size=3)),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, (*prefix, i))
    return out


def parent_of(data: Any, path: tuple) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


def dump(data: Any) -> str:
    buffer = io.StringIO()
    YAML().dump(data, buffer)
    return buffer.getvalue()


def check(text: str) -> None:
    """Load the base spec and every environment; plan whatever loads. Only SpecError may escape."""
    environments: list[str | None] = [None]
    try:
        loaded = load_text(text, "fuzz.yaml")
    except SpecError as err:
        assert err.problems, "a SpecError always carries its problems"
        for p in err.problems:
            assert p.message and p.fix and p.rule
        loaded = None
    if loaded is not None:
        plan(loaded.spec)
        environments += [e for e, v in loaded.spec.environments.items() if v is None or isinstance(v, dict)]
    for env in environments[1:]:
        try:
            result = load_text(text, "fuzz.yaml", env)
        except SpecError:
            continue
        plan(result.spec, env)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    data = copy.deepcopy(draw(st.sampled_from(DATA)))
    for _ in range(draw(st.integers(1, 3))):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = parent_of(data, path)
        action = draw(st.sampled_from(["delete", "replace", "swap-type"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(values)
        else:
            old = parent[path[-1]]
            parent[path[-1]] = [old] if not isinstance(old, list) else {"x": old} if old else str(old)
    return dump(data)


@SETTINGS
@given(mutated())
def test_mutated_specs_raise_only_spec_errors_and_plan_when_they_load(text: str) -> None:
    check(text)


@st.composite
def damaged_text(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate-line"]))
        if kind == "insert":
            text = (
                text[:at]
                + draw(st.sampled_from([":", "- ", "{", "]", '"', "\t", "  ", "\n", "&a ", "*a", "!!", "#", "\x07"]))
                + text[at:]
            )
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: i + 1] + lines[i : i + 1] + lines[i + 1 :])
    return text


@SETTINGS
@given(damaged_text())
def test_damaged_yaml_text_raises_only_spec_errors(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_only_spec_errors(text: str) -> None:
    check(text)


@settings(max_examples=100, deadline=None)
@given(values)
def test_any_yaml_value_as_a_document_raises_only_spec_errors(value: Any) -> None:
    check(dump(value))


AWS_REGIONS = {"us-east-1": "primary", "us-west-2": "standby", "eu-west-1": "standby", "us-east-2": "standby"}
durations = st.sampled_from(["0s", "200ms", "10s", "30s", "1m", "90s", "5m", "15m", "1h", "1d", "4d", "14d", "35d"])


@st.composite
def plausible(draw: st.DrawFn) -> str:
    """A real example with many fields set to values of the right kind: most load, so the planner,
    the estimates and the advice search run on combinations nobody wrote by hand."""
    data = copy.deepcopy(draw(st.sampled_from(DATA[:-1])))
    aws = data.get("target", "aws") == "aws"
    topo = data["topology"]
    topo["pattern"] = draw(st.sampled_from(["single-zone", "multi-zone", "active-passive", "active-active"]))
    topo.pop("standby", None)
    if topo["pattern"] == "active-passive" and draw(st.booleans()):
        topo["standby"] = draw(st.sampled_from(["pilot-light", "warm", "hot"]))
    count = 1 if topo["pattern"] in ("single-zone", "multi-zone") else draw(st.integers(2, 4))
    names = list(AWS_REGIONS)[:count] if aws else [f"region-{i}" for i in range(count)]
    zones = 1 if topo["pattern"] == "single-zone" else draw(st.integers(2, 3))
    role = {"active-active": "active"}
    topo["regions"] = [
        {
            "name": n,
            "role": role.get(topo["pattern"], "primary" if i == 0 else "standby"),
            "zones": [f"{n}{c}" if aws else f"{n}-{c}" for c in "abc"[:zones]],
        }
        for i, n in enumerate(names)
    ]
    failover = topo.setdefault("failover", {})
    failover["mode"] = draw(st.sampled_from(["automatic", "manual"]))
    failover["dns_ttl"] = draw(durations)
    failover["health_check"] = {
        "interval": draw(st.sampled_from(["10s", "30s"])),
        "failure_threshold": draw(st.integers(1, 10)),
    }
    data["objectives"] = {
        "availability": draw(st.floats(90, 99.9999)),
        "disruptions": {
            d: draw(st.one_of(st.none(), st.fixed_dictionaries({"rto": durations, "rpo": durations})))
            for d in ("zone", "region", "application")
        },
    }
    for agent in data["agents"]:
        low = draw(st.integers(1, 8))
        agent["replicas"] = {"min": low, "max": draw(st.integers(low, 30)), "static_stability": draw(st.booleans())}
        if aws:
            agent["cpu"], agent["memory"] = draw(
                st.sampled_from([(0.25, "512Mi"), (0.5, "1Gi"), (1, "2Gi"), (2, "8Gi")])
            )
    engines = ["dynamodb", "aurora-postgresql", "valkey"] if aws else ["postgres", "redis"]
    for store in data.get("stores", []):
        for key in ("keys", "ttl_attribute", "instances", "storage", "instance_class"):
            store.pop(key, None)
        store["engine"] = draw(st.sampled_from(engines))
        store["replication"] = draw(st.sampled_from(["async", "sync"]))
        store["cache"] = draw(st.booleans())
    for queue in data.get("queues", []):
        queue["ordering"] = draw(st.sampled_from(["standard", "fifo"]))
    data["rollout"] = {
        "strategy": draw(st.sampled_from(["rolling", "canary", "blue-green", "linear"])),
        "steps": draw(st.sampled_from([[100], [10, 100], [10, 50, 100]])),
        "auto_rollback": draw(st.booleans()),
    }
    data["chaos"] = {
        "drills": draw(st.lists(st.sampled_from(["zone-outage", "agent-crash", "store-failover"]), unique=True))
    }
    figures = ["aws-sqs", "k8s-zone", "aws-dynamodb"] if draw(st.booleans()) else []
    data["assumptions"] = {"slas": {f: draw(st.floats(90, 100)) for f in figures}}
    data.pop("environments", None)
    return dump(data)


@SETTINGS
@given(plausible())
def test_plausible_specs_plan_without_raising(text: str) -> None:
    try:
        loaded = load_text(text, "fuzz.yaml")
    except SpecError:
        return
    result = plan(loaded.spec)
    import json

    json.dumps(result.to_json())
    for e in result.estimates:
        assert e.met is not False or e.suggestion, "every missed objective carries advice"
        if e.kind == "availability":
            assert e.value is not None and 0 < e.value <= 100


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, *x]\n",
        "base: &b {cpu: 1}\nagents: [{<<: *b, name: a}]\n",
        "apiVersion: !!binary aGVsbG8=\n",
        "apiVersion: 2024-01-01\nkind: HASpec\n",
        "? [a, b]\n: c\n",
        "apiVersion: agentha.dev/v1\nkind: HASpec\nmetadata: {name: x}\ntopology: {regions: [{name: us-east-1}]}\n"
        "agents: [{name: a, image: i, memory: .inf}]\n",
        "\ufeffapiVersion: agentha.dev/v1\n",
        "x: " + "[" * 200 + "]" * 200 + "\n",
    ],
)
def test_odd_yaml_raises_only_spec_errors(text: str) -> None:
    check(text)
