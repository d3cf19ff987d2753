"""The console script's entry point (`cli.main:run`): how a process ends after a stack program ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import EXAMPLES, ROOT

# A module-level object whose finaliser runs only when the interpreter tears its modules down, and an
# atexit handler, which must run however the process ends.
WRAPPER = """
import atexit, os, sys, types
class Finalised:
    def __del__(self, write=os.write):  # bound now: module globals are gone by then
        write(2, b"@@torn-down\\n")
holder = types.ModuleType("holder")
holder.obj = Finalised()
sys.modules["holder"] = holder
atexit.register(lambda: sys.stderr.write("@@atexit\\n"))
sys.argv = ["agentha-blueprint", *sys.argv[1:]]
from cli.main import run
run()
"""

SUPPORT = str(EXAMPLES / "support-agent" / "spec.yaml")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
    )


def test_after_synth_the_process_exits_without_tearing_down_the_heap_but_with_its_output_whole() -> None:
    # the SDK's objects (~1 GB at 10,000 resources) are not freed one by one at exit
    proc = run_cli("synth", SUPPORT, "--output", "json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    graph = json.loads(proc.stdout)  # flushed whole, though the process skipped the interpreter's teardown
    assert len(graph["resources"]) > 100
    assert "@@atexit" in proc.stderr
    assert "@@torn-down" not in proc.stderr


def test_check_keeps_its_exit_code() -> None:
    proc = run_cli("check", SUPPORT, "--env", "prod")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "@@atexit" in proc.stderr
    assert "@@torn-down" not in proc.stderr
    bad = run_cli("check", str(EXAMPLES / "invalid" / "zone-of-another-region.yaml"))
    assert bad.returncode == 2


def test_commands_that_run_no_stack_program_end_as_before() -> None:
    proc = run_cli("validate", SUPPORT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "@@atexit" in proc.stderr
    assert "@@torn-down" in proc.stderr
