"""The spec models: documented fields, safe defaults, closed to unknown keys, units parsed."""

from __future__ import annotations

import typing
from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError

from blueprints.spec import models
from blueprints.spec.models import Agent, HASpec, Queue, Replicas, Store


def all_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(tp: typing.Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in found:
                return
            found.append(tp)
            for info in tp.model_fields.values():
                visit(info.annotation)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(HASpec)
    return found


MODELS = all_models()

MINIMAL = {
    "apiVersion": "agentha.dev/v1",
    "kind": "HASpec",
    "metadata": {"name": "shop"},
    "topology": {"regions": [{"name": "us-east-1", "zones": ["us-east-1a", "us-east-1b"]}]},
    "agents": [{"name": "web", "image": "ghcr.io/acme/web:1"}],
}


def test_the_walk_finds_every_model_in_the_module() -> None:
    declared = {
        obj
        for obj in vars(models).values()
        if isinstance(obj, type) and issubclass(obj, models.Model) and obj is not models.Model
    }
    assert declared == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_and_field_is_documented(model: type[BaseModel]) -> None:
    assert model.__doc__ and model.__doc__.strip()
    undocumented = [name for name, info in model.model_fields.items() if not (info.description or "").strip()]
    assert undocumented == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_rejects_unknown_fields_and_is_frozen(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True


def test_minimal_spec_gets_the_ha_safe_defaults() -> None:
    spec = HASpec.model_validate(MINIMAL)
    assert spec.target == "aws"
    assert spec.topology.pattern == "multi-zone"
    assert spec.objectives.availability == 99.9
    assert spec.objectives.disruptions.zone is None
    assert spec.topology.failover.mode == "automatic"
    assert spec.topology.failover.health_check.interval == timedelta(seconds=10)
    assert spec.topology.failover.dns_ttl == timedelta(seconds=60)
    assert spec.network.cidr == "10.0.0.0/16" and spec.network.nat == "per-zone"
    agent = spec.agents[0]
    assert (agent.cpu, agent.memory) == (0.5, 1024)
    assert (agent.replicas.min, agent.replicas.max, agent.replicas.static_stability) == (2, 10, True)
    assert agent.probes.liveness is not None and agent.probes.liveness.path == "/healthz"
    assert agent.probes.readiness is not None and agent.probes.readiness.period == timedelta(seconds=5)
    assert agent.probes.startup is None
    assert agent.circuit_breaker is not None and agent.circuit_breaker.failure_rate_percent == 50
    assert agent.retries.max_attempts == 3 and agent.retries.jitter == "full"
    assert agent.max_step_duration == timedelta(minutes=1)
    assert spec.observability.tracing == "otel" and spec.observability.dashboard is True
    assert spec.rollout.strategy == "rolling" and spec.rollout.auto_rollback is True
    assert spec.environments == {}


def test_store_and_queue_defaults() -> None:
    store = Store.model_validate({"name": "s", "engine": "dynamodb"})
    assert store.replication == "async"
    assert store.backup.point_in_time_recovery is True
    assert store.backup.retention == timedelta(days=7)
    assert store.keys.partition == "pk" and store.storage == 10240 and store.cache is False
    queue = Queue.model_validate({"name": "q"})
    assert queue.ordering == "standard"
    assert queue.visibility_timeout == timedelta(minutes=5)
    assert queue.retention == timedelta(days=4)
    assert queue.max_receive_count == 5
    assert queue.dead_letter.retention == timedelta(days=14)


@pytest.mark.parametrize(
    ("where", "key"),
    [
        ((), "colour"),
        (("metadata",), "nmae"),
        (("topology",), "zones"),
        (("topology", "regions", 0), "az"),
        (("agents", 0), "replica"),
    ],
)
def test_unknown_fields_are_rejected_everywhere(where: tuple, key: str) -> None:
    import copy

    data = copy.deepcopy(MINIMAL)
    node = data
    for part in where:
        node = node[part]
    node[key] = 1
    with pytest.raises(ValidationError) as info:
        HASpec.model_validate(data)
    (err,) = info.value.errors()
    assert err["type"] == "extra_forbidden"
    assert err["loc"][-1] == key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("200ms", timedelta(milliseconds=200)),
        ("1h30m", timedelta(minutes=90)),
        ("PT5M", timedelta(minutes=5)),
        (0, timedelta(0)),
    ],
)
def test_durations_are_parsed(value: object, expected: timedelta) -> None:
    assert Queue.model_validate({"name": "q", "visibility_timeout": value}).visibility_timeout == expected


@pytest.mark.parametrize("value", ["5 minutes", 300, "300", "-5m", "P1M", "soon", True])
def test_bad_durations_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Queue.model_validate({"name": "q", "visibility_timeout": value})


@pytest.mark.parametrize(("value", "mib"), [("512Mi", 512), ("2Gi", 2048), ("1.5Gi", 1536), ("1048576Ki", 1024)])
def test_memory_sizes_are_parsed_to_mib(value: str, mib: int) -> None:
    assert Agent.model_validate({"name": "a", "image": "i", "memory": value}).memory == mib


@pytest.mark.parametrize("value", ["2GB", "2 Gi", 2048, "0Mi", "-1Gi", "1G"])
def test_bad_memory_sizes_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Agent.model_validate({"name": "a", "image": "i", "memory": value})


@pytest.mark.parametrize(("value", "cores"), [(1, 1.0), (0.25, 0.25), ("500m", 0.5), ("2", 2.0)])
def test_cpu_in_cores(value: object, cores: float) -> None:
    assert Agent.model_validate({"name": "a", "image": "i", "cpu": value}).cpu == cores


def test_durations_and_sizes_serialise_back_to_the_written_form() -> None:
    agent = Agent.model_validate({"name": "a", "image": "i", "memory": "2Gi", "max_step_duration": "90s"})
    dumped = agent.model_dump(mode="json")
    assert dumped["memory"] == "2Gi"
    assert dumped["max_step_duration"] == "1m30s"
    assert Agent.model_validate(dumped) == agent


@pytest.mark.parametrize(
    ("low", "high", "ok"), [(1, 1, True), (3, 12, True), (3, 2, False), (0, 2, False), (1, 1001, False)]
)
def test_replica_bounds(low: int, high: int, ok: bool) -> None:
    if ok:
        assert Replicas(min=low, max=high).max == high
    else:
        with pytest.raises(ValidationError):
            Replicas(min=low, max=high)


@pytest.mark.parametrize("name", ["Web", "web_1", "-web", "web-", "", "a" * 41])
def test_names_are_dns_safe(name: str) -> None:
    with pytest.raises(ValidationError):
        Agent.model_validate({"name": name, "image": "i"})


def test_availability_bounds() -> None:
    for bad in (89.9, 100, 100.5):
        data = dict(MINIMAL, objectives={"availability": bad})
        with pytest.raises(ValidationError):
            HASpec.model_validate(data)


def test_spec_lookups_by_name() -> None:
    spec = HASpec.model_validate(MINIMAL)
    assert spec.agent("web") is spec.agents[0]
    assert spec.agent("nope") is None and spec.store("x") is None and spec.queue("x") is None


# --- ingress.synthetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("synthetic", "field", "words"),
    [
        ({"path": "/v1/chat", "interval": "90s"}, "interval", "whole minutes"),
        ({"path": "/v1/chat", "interval": "2h"}, "interval", "whole minutes"),
        ({"path": "/v1/chat", "timeout": "5s"}, "timeout", "from 15s"),
        ({"path": "/v1/chat", "interval": "1m", "timeout": "2m"}, "timeout", "to 60s"),
        ({"path": "/v1/chat", "body": "{}"}, "body", "set `method: POST`"),
        ({"path": "v1/chat"}, "path", ""),
        ({"path": "/v1/chat", "expect": {"status": 700}}, "expect.status", ""),
    ],
)
def test_a_bad_synthetic_transaction_is_refused_at_its_path(synthetic: dict, field: str, words: str) -> None:
    from tests.blueprints.spec.rules.helpers import aws, run

    spec = aws()
    spec["ingress"]["synthetic"] = synthetic
    problems = run(spec)
    assert [p.path for p in problems if p.severity == "error"] == [f"ingress.synthetic.{field}"]
    assert words in problems[0].message
    assert problems[0].location.line > 0


def test_a_post_synthetic_with_a_body_and_expectations_loads() -> None:
    from tests.blueprints.spec.rules.helpers import aws, run

    spec = aws()
    spec["ingress"]["synthetic"] = {
        "path": "/v1/chat",
        "method": "POST",
        "body": '{"message": "synthetic ping"}',
        "expect": {"status": 200, "body_contains": "reply"},
        "interval": "5m",
        "timeout": "1m",
    }
    assert [p for p in run(spec) if p.severity == "error"] == []
