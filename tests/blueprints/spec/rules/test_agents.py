"""Rules of blueprints/spec/rules/agents.py: probes, Fargate sizes, zone-loss replicas, retries, rollout."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import agent, aws, kubernetes, of_rule, only
from tests.blueprints.spec.rules.test_dependencies import with_providers


def test_probes_need_port_passes_for_a_served_agent_or_a_worker_without_probes() -> None:
    assert of_rule(aws(), "probes-need-port") == []
    assert of_rule(kubernetes(), "probes-need-port") == []  # worker: no port, no probes


def test_probes_need_port_fails_for_probes_without_a_port() -> None:
    spec = kubernetes()
    agent(spec, "worker")["probes"] = {"liveness": {"path": "/healthz"}}
    p = only(spec, "probes-need-port")
    assert p.path == "agents[1].probes"
    assert "set `port:`" in p.fix


@pytest.mark.parametrize(("cpu", "memory"), [(0.25, "512Mi"), (0.5, "1Gi"), (1, "8Gi"), (4, "30Gi"), (16, "112Gi")])
def test_fargate_size_passes_for_offered_sizes(cpu: float, memory: str) -> None:
    spec = aws()
    agent(spec, "conversation").update(cpu=cpu, memory=memory)
    assert of_rule(spec, "fargate-size") == []


def test_fargate_size_fails_when_the_collector_does_not_fit_in_the_largest_task() -> None:
    # 16 vCPU with 120 GiB is Fargate's largest task: the collector's 256 MiB on top fits nowhere, and the
    # task definition would ask for a size AWS rejects at deploy
    spec = aws()
    agent(spec, "conversation").update(cpu=16, memory="120Gi")
    p = only(spec, "fargate-size")
    assert p.path == "agents[0].memory"
    assert "collector" in p.message and "120Gi" in p.message
    assert "use memory 112Gi or less" in p.fix and "observability.tracing: none" in p.fix
    assert p.allowed == "≤ 112Gi" and "the tasks of agent 'conversation'" in p.message
    # without tracing there is no sidecar, and the agent's own size is offered
    spec["observability"]["tracing"] = "none"
    assert of_rule(spec, "fargate-size") == []


def test_fargate_size_checks_the_model_gateway_too() -> None:
    spec = with_providers(aws())  # a model provider with a fallback: the gateway is built
    assert of_rule(spec, "fargate-size") == []
    spec["gateway"] = {"cpu": 0.5, "memory": "512Mi"}  # 0.5 vCPU takes 1-4 GiB
    p = only(spec, "fargate-size")
    assert p.path == "gateway.memory" and "model gateway" in p.message
    spec["gateway"] = {"cpu": 16, "memory": "120Gi"}  # its collector runs with or without tracing
    spec["observability"]["tracing"] = "none"
    p = only(spec, "fargate-size")
    assert p.path == "gateway.memory" and "collector" in p.message
    assert "tracing" not in p.fix


def test_fargate_size_fails_for_a_cpu_fargate_does_not_offer() -> None:
    spec = aws()
    agent(spec, "conversation")["cpu"] = 3
    p = only(spec, "fargate-size")
    assert p.path == "agents[0].cpu"
    assert p.fix == "use 0.25, 0.5, 1, 2, 4, 8 or 16"


def test_fargate_size_fails_for_memory_outside_the_cpu_range() -> None:
    spec = aws()
    agent(spec, "conversation")["memory"] = "1Gi"  # 1 vCPU takes 2-8 GiB
    p = only(spec, "fargate-size")
    assert p.path == "agents[0].memory"
    assert "2Gi-8Gi" in p.fix and "or change cpu" in p.fix


def test_fargate_size_does_not_apply_on_kubernetes() -> None:
    spec = kubernetes()
    agent(spec, "planner").update(cpu=3, memory="700Mi")
    assert of_rule(spec, "fargate-size") == []


def test_replicas_zone_loss_passes_when_max_holds_the_floor() -> None:
    assert of_rule(aws(), "replicas-zone-loss") == []


def test_replicas_zone_loss_warns_when_max_is_below_the_static_stability_floor() -> None:
    spec = aws()
    agent(spec, "conversation")["replicas"] = {"min": 3, "max": 4}  # 3 over 3 zones needs 5
    p = only(spec, "replicas-zone-loss")
    assert p.severity == "warning"
    assert p.path == "agents[0].replicas.max"
    assert p.fix == "set max to at least 5"


def test_replicas_zone_loss_warns_when_static_stability_is_off() -> None:
    spec = aws()
    agent(spec, "conversation")["replicas"] = {"min": 3, "max": 12, "static_stability": False}
    p = only(spec, "replicas-zone-loss")
    assert p.path == "agents[0].replicas.min"
    assert "leaves 2, below min 3" in p.message
    assert "static_stability: true (plans 5)" in p.fix


def test_retry_delays_passes_when_base_is_below_max() -> None:
    assert of_rule(aws(), "retry-delays") == []


def test_retry_delays_fails_when_base_exceeds_max() -> None:
    spec = aws()
    agent(spec, "conversation")["retries"] = {"base_delay": "30s", "max_delay": "10s"}
    p = only(spec, "retry-delays")
    assert p.path == "agents[0].retries.base_delay"
    assert p.allowed == "≤ 10s"
    assert "lower base_delay or raise max_delay" in p.fix


@pytest.mark.parametrize(("strategy", "steps"), [("rolling", [100]), ("canary", [5, 100]), ("linear", [25, 50, 100])])
def test_rollout_steps_passes(strategy: str, steps: list[int]) -> None:
    spec = aws()
    spec["rollout"] = {"strategy": strategy, "steps": steps}
    assert of_rule(spec, "rollout-steps") == []


@pytest.mark.parametrize("steps", [[50, 10, 100], [10, 50], [10, 10, 100]])
def test_rollout_steps_fails_unless_increasing_to_100(steps: list[int]) -> None:
    spec = aws()
    spec["rollout"] = {"strategy": "canary", "steps": steps}
    p = only(spec, "rollout-steps")
    assert p.path == "rollout.steps"
    assert "ending at 100" in p.fix


def test_rollout_steps_fails_for_a_one_step_canary() -> None:
    spec = aws()
    spec["rollout"] = {"strategy": "canary", "steps": [100]}
    p = only(spec, "rollout-steps")
    assert "at least two steps" in p.message
    assert "[10, 100]" in p.fix
