"""Dependencies and readiness `covers` in the plan: what the estimates rest on is stated."""

from __future__ import annotations

from blueprints.plan.models import TopologyPlan
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_text
from tests.blueprints.spec.rules.helpers import agent, aws, dump


def planned(spec: dict) -> TopologyPlan:
    return plan(load_text(dump(spec), "spec.yaml").spec)


def with_provider(spec: dict) -> dict:
    spec["dependencies"] = [
        {
            "name": "primary-llm",
            "kind": "model-provider",
            "model": "openai/gpt-4o",
            "fallback": ["backup-llm"],
            "callers": ["conversation"],
        },
        {
            "name": "backup-llm",
            "kind": "model-provider",
            "model": "anthropic/claude-sonnet-4-5",
            "availability": {"percent": 99.5, "basis": "published", "source": "https://example.com/sla"},
        },
    ]
    return spec


def test_dependencies_reach_the_plan_with_the_figure_they_rest_on() -> None:
    p = planned(with_provider(aws()))
    primary, backup = p.dependencies
    # no figure of its own: the table's assumption for its kind, named so the reader can override it
    assert (primary.availability_percent, primary.basis, primary.figure) == (
        99.9,
        "assumption",
        "dependency-model-provider",
    )
    assert primary.fallback == ("backup-llm",) and primary.callers == ("conversation",)
    assert (backup.availability_percent, backup.basis, backup.figure) == (99.5, "published", None)
    assert backup.callers == tuple(a.name for a in p.agents)  # no callers listed: every agent


def test_unstated_readiness_coverage_is_a_finding_not_a_silent_assumption() -> None:
    p = planned(with_provider(aws()))
    found = [f for f in p.findings if f.code == "readiness-covers-unstated"]
    assert [f.path for f in found] == ["agents[0].probes.readiness", "agents[1].probes.readiness"]
    assert "primary-llm" in found[0].message and "in series" in found[0].message
    assert p.agent("conversation").readiness_covers is None


def test_stated_coverage_reaches_the_plan_and_gaps_are_named() -> None:
    spec = with_provider(aws())
    agent(spec, "conversation")["probes"] = {
        "readiness": {"path": "/readyz", "covers": ["conversations", "idempotency", "inbound", "actions"]}
    }
    p = planned(spec)
    assert p.agent("conversation").readiness_covers == ("conversations", "idempotency", "inbound", "actions")
    partly = [f for f in p.findings if f.code == "readiness-covers-partly" and (f.path or "").startswith("agents[0]")]
    assert len(partly) == 1 and "primary-llm" in partly[0].message and "backup-llm" in partly[0].message
