"""Stages: a component's construction as a generator, one stage at a time, run once.

The topologies build their resources in stages (a region, a store, an agent placement, ...) so the
stack program can let the SDK finish registering one stage before it builds the next (see
`stacks.program.main`). This holds the generator, hands it out once, and says when it has run to
the end.
"""

from __future__ import annotations

from collections.abc import Iterator


class Stages:
    """The stages of one construction: taken once, done when the last one has been built."""

    def __init__(self, build: Iterator[str]) -> None:
        self._build: Iterator[str] | None = build
        self.done = False

    def take(self) -> Iterator[str]:
        """The stages, each yielding its label after building it; a second call raises."""
        build, self._build = self._build, None
        if build is None:
            raise RuntimeError("the stages of this topology have already been run")
        return self._run(build)

    def run(self) -> None:
        """Build every stage now."""
        for _ in self.take():
            pass

    def require_done(self) -> None:
        if not self.done:
            raise RuntimeError("a staged topology exports nothing until all its stages() have run")

    def _run(self, build: Iterator[str]) -> Iterator[str]:
        yield from build
        self.done = True
