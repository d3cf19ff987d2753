"""The offline capture: deterministic values, and the SDK's stack traces skipped without changing the graph."""

from __future__ import annotations

import contextlib
from typing import Any

import pulumi
import pytest

from stacks import capture
from stacks.synth import synth
from tests.conftest import EXAMPLES


def test_assets_and_archives_are_captured_by_content_not_by_memory_address() -> None:
    code = pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 1\n")})
    plain = capture._plain({"code": code, "file": pulumi.FileArchive("./app.zip")})
    assert plain == {
        "code": {"assetArchive": {"index.py": {"stringAsset": "def handler(e, c):\n    return 1\n"}}},
        "file": {"fileArchive": "./app.zip"},
    }
    assert "0x" not in repr(plain)  # `<pulumi.asset.AssetArchive object at 0x…>` made every graph differ


def test_skipping_stack_traces_changes_nothing_in_the_graph_and_is_undone(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime import resource as sdk_resource

    real = sdk_resource._get_stack_trace
    spec = EXAMPLES / "order-routing" / "spec.yaml"
    skipped = synth(spec, "dev").graph.dumps()
    assert sdk_resource._get_stack_trace is real  # restored after the capture
    monkeypatch.setattr(capture, "_no_stack_traces", contextlib.nullcontext)
    assert synth(spec, "dev").graph.dumps() == skipped


def test_the_young_generation_is_collected_in_larger_batches_only_while_the_program_registers() -> None:
    import gc

    seen: list[tuple[int, int, int]] = []

    def program() -> None:
        seen.append(gc.get_threshold())
        pulumi.CustomResource("test:index:Thing", "thing", {"size": 1})

    before = gc.get_threshold()
    graph = capture.synthesize(program, project="p", stack="s")
    assert [r.name for r in graph] == ["thing"]
    assert seen[0][0] == max(before[0], capture.YOUNG_COLLECTION_THRESHOLD)
    assert seen[0][1:] == before[1:]
    assert gc.get_threshold() == before  # restored


def test_collecting_in_larger_batches_changes_nothing_in_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = EXAMPLES / "support-agent" / "spec.yaml"
    batched = synth(spec, "prod").graph.dumps()
    monkeypatch.setattr(capture, "_fewer_young_collections", contextlib.nullcontext)
    assert synth(spec, "prod").graph.dumps() == batched


def test_the_sdk_mock_monitor_keeps_no_state_of_registered_resources() -> None:
    # MockMonitor.resources held every resource's mocked state (the deserialised inputs) until the end:
    # a second copy of every input beside the captured graph, at the moment memory peaks.
    from pulumi.runtime import settings

    def program() -> None:
        for i in range(3):
            pulumi.CustomResource("test:index:Thing", f"thing-{i}", {"size": i, "tags": {"a": "b"}})

    graph = capture.synthesize(program, project="p", stack="s")
    assert [r.inputs for r in graph] == [{"size": i, "tags": {"a": "b"}} for i in range(3)]
    sdk_settings: Any = settings.SETTINGS
    monitor = sdk_settings.monitor
    assert isinstance(monitor, capture.CapturingMonitor)
    assert monitor.resources == {}


def test_the_pace_lets_every_registration_so_far_finish_before_the_program_goes_on() -> None:
    # Without a turn of the event loop first, the SDK's wait_for_rpcs returned at once (no registration
    # task had started yet) and nothing was registered until the program ended.
    from pulumi.runtime import settings

    seen: list[int] = []

    def monitor() -> capture.CapturingMonitor:
        sdk_settings: Any = settings.SETTINGS
        return sdk_settings.monitor

    async def program() -> None:
        for stage in range(3):
            parent = pulumi.ComponentResource("test:index:Stage", f"stage-{stage}")
            for i in range(4):
                pulumi.CustomResource(
                    "test:index:Thing", f"thing-{stage}-{i}", {"size": i}, pulumi.ResourceOptions(parent=parent)
                )
            seen.append(len(monitor().captured))
            await capture.let_registrations_finish()
            seen.append(len(monitor().captured))

    graph = capture.synthesize(program, project="p", stack="s")
    assert len(graph) == 15
    assert seen == [0, 5, 5, 10, 10, 15]  # each stage's component and things, registered before the next


def test_the_heap_is_frozen_only_inside_frozen_heap_even_when_it_raises() -> None:
    import gc

    before = gc.get_freeze_count()
    with capture.frozen_heap():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before
    with pytest.raises(ValueError), capture.frozen_heap():
        raise ValueError("boom")
    assert gc.get_freeze_count() == before
