"""The offline capture: deterministic values, and the SDK's stack traces skipped without changing the graph."""

from __future__ import annotations

import contextlib

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
