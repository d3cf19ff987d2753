"""The SDK's event loops are closed at exit, not left to the garbage collector (issue 18: a stray
`Exception ignored in: BaseEventLoop.__del__ … Invalid file descriptor: -1` after `check`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import EXAMPLES, ROOT


def test_every_loop_a_synthesis_made_is_closed_and_the_process_exits_cleanly() -> None:
    code = textwrap.dedent(
        f"""
        import asyncio
        made = []
        new = asyncio.new_event_loop
        def spy():
            made.append(new())
            return made[-1]
        asyncio.new_event_loop = spy
        from stacks import capture
        from stacks.synth import synth
        synth({str(EXAMPLES / "order-routing" / "spec.yaml")!r}, "dev")
        assert capture._CLOSE_REGISTERED and len(made) > 1, made  # one per RPC worker thread
        capture.close_event_loops()  # what atexit runs
        assert all(loop.is_closed() for loop in made), [loop for loop in made if not loop.is_closed()]
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "unclosed event loop" not in result.stderr and "BaseEventLoop.__del__" not in result.stderr
