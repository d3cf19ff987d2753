"""The context: spec paths to parts and file positions; loading from a stack's config (pack side)."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from policies import context as ctx
from policies.context import PolicyContext, current, resolve_spec_path, using
from tests.policies.graphs import ROOT, base


def test_part_of_a_spec_path() -> None:
    assert PolicyContext.part("queues.inbound") == ("queues", "inbound")
    assert PolicyContext.part("agents.conversation.secrets") == ("agents", "conversation")
    assert PolicyContext.part("observability.notify") is None
    assert PolicyContext.part(None) is None


def test_locate_named_items_and_nested_paths() -> None:
    _, context = base("support-prod")
    lines = Path(context.spec_file).read_text().splitlines()
    where = context.locate("agents.action-executor")
    assert where is not None and "name: action-executor" in lines[where.line - 1]
    where = context.locate("objectives.disruptions.region.rto")
    assert where is not None and "region:" in lines[where.line - 1]
    where = context.locate("topology.regions.us-west-2")
    assert where is not None and "us-west-2" in lines[where.line - 1]


def test_using_sets_and_restores_the_current_context() -> None:
    outer = PolicyContext(plan=None, error="outer")
    with using(outer):
        assert current() is outer
        inner = PolicyContext(plan=None, error="inner")
        with using(inner):
            assert current() is inner
        assert current() is outer


@pytest.fixture
def stack_config():
    """Set Pulumi config as the pack process would see it; restore afterwards."""
    from pulumi.runtime import config as runtime_config

    saved = dict(runtime_config.CONFIG.get())
    ctx._STACK_CONTEXT = None
    ctx._STACK_KEY = None

    def set_config(values: dict[str, str]) -> None:
        pulumi.runtime.set_all_config(values)

    yield set_config
    pulumi.runtime.set_all_config(saved)
    ctx._STACK_CONTEXT = None
    ctx._STACK_KEY = None


def test_from_stack_config_plans_the_named_spec(stack_config) -> None:
    stack_config({"agentha:spec": "examples/support-agent/spec.yaml", "agentha:environment": "dev"})
    loaded = ctx.from_stack_config()
    assert loaded.error is None and loaded.plan is not None
    assert loaded.environment == "dev" and [r.name for r in loaded.plan.regions] == ["us-east-1"]
    assert ctx.from_stack_config() is loaded  # cached while the config is the same


def test_from_stack_config_explains_a_missing_spec(stack_config) -> None:
    stack_config({"agentha:spec": "no/such/spec.yaml", "agentha:environment": "dev"})
    assert "was not found" in (ctx.from_stack_config().error or "")
    stack_config({})
    assert "no `agentha:spec`" in (ctx.from_stack_config().error or "")


def test_relative_spec_paths_resolve_from_the_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "policies")  # where the engine runs the pack
    assert resolve_spec_path("examples/support-agent/spec.yaml") == ROOT / "examples/support-agent/spec.yaml"
    assert resolve_spec_path(str(ROOT / "examples/support-agent/spec.yaml")) is not None
    assert resolve_spec_path("missing.yaml") is None
