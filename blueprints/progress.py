"""Progress of long work, reported by phase: the layers say what they are doing, the CLI shows it.

The planner, the stack capture and the policy engine call `phase("planning")` and the like; nothing
is shown unless a reporter is installed (the CLI installs one that updates a spinner on stderr when
stderr is a terminal and `--quiet` is not given). Pure: no terminal, no clock, no Pulumi here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[str], None]

_reporter: Reporter | None = None


def phase(message: str) -> None:
    """Say what is being done now (a no-op without a reporter)."""
    if _reporter is not None:
        _reporter(message)


def active() -> bool:
    """Whether anyone listens (so callers can skip building costly messages)."""
    return _reporter is not None


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Send phases to `reporter` inside the block (None: keep them silent)."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous
