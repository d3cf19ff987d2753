"""agents[].calls: every call names another agent that serves a port, and calls form no loop."""

from __future__ import annotations

from blueprints.spec.rules.calls import call_cycle
from tests.blueprints.spec.rules.helpers import aws, of_rule, only


def test_agent_calls_pass_for_an_agent_with_a_port() -> None:
    spec = aws()
    spec["agents"][0]["calls"] = ["action-executor"]
    assert of_rule(spec, "agent-calls") == []


def test_agent_calls_fail_for_an_unknown_agent_with_a_suggestion() -> None:
    spec = aws()
    spec["agents"][0]["calls"] = ["action-executer"]
    p = only(spec, "agent-calls")
    assert p.path == "agents[0].calls[0]" and "did you mean 'action-executor'" in p.fix


def test_agent_calls_fail_for_the_agent_itself() -> None:
    spec = aws()
    spec["agents"][0]["calls"] = ["conversation"]
    assert "itself" in only(spec, "agent-calls").message


def test_agent_calls_fail_for_a_queue_worker() -> None:
    spec = aws()
    del spec["agents"][1]["port"]
    spec["agents"][0]["calls"] = ["action-executor"]
    p = only(spec, "agent-calls")
    assert "serves no port" in p.message and p.path == "agents[0].calls[0]"


def test_agent_calls_fail_once_for_a_loop_at_its_first_agent() -> None:
    spec = aws()
    spec["agents"][0]["calls"] = ["action-executor"]
    spec["agents"][1]["calls"] = ["conversation"]
    p = only(spec, "agent-calls")
    assert p.path == "agents[0].calls" and "conversation → action-executor → conversation" in p.message


def test_call_cycle_is_deterministic_and_ignores_what_is_reported_elsewhere() -> None:
    assert call_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert call_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert call_cycle({"a": ["a", "zz"]}) is None  # self-calls and unknown names have their own messages
