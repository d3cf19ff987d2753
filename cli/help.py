"""Help text as people read it, at any terminal width (issue 18: help at 80 columns).

Typer's rich help keeps every line break of a docstring, so prose hard-wrapped at 100 columns broke
raggedly at 80; it showed a flag's type as `<bool>` and a required argument as `{SPEC}`. Commands
are registered with `cls=HelpCommand`, which reflows prose paragraphs (indented lines — examples,
commands — stay as written), shows flags without a type, and writes arguments as their names.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from typer.core import TyperCommand, TyperGroup

UNUSED_BY_HELP = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}
"""Modules typer's help formatter imports at module level but never uses for our help: Markdown only
in `rich_markup_mode="markdown"` (ours is "rich"), Traceback only for pretty exceptions (off). With
markdown-it and pygments behind them they are a third of `--help` (about 0.1 s of 0.3 s)."""


def _stand_in(module: str, name: str) -> types.ModuleType:
    """A module whose one class imports the real module when it is first instantiated."""

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    stand_in = types.ModuleType(module)
    setattr(stand_in, name, type(name, (), {"__new__": new, "__module__": module}))
    return stand_in


def import_help_formatter() -> None:
    """Import typer's rich help formatter without loading the modules our help never uses.

    The stand-ins are in `sys.modules` only while `typer.rich_utils` imports; anything imported
    afterwards (and the stand-ins themselves, if ever instantiated) gets the real modules.
    """
    if "typer.rich_utils" in sys.modules:
        return
    placed = [m for m in UNUSED_BY_HELP if m not in sys.modules]
    for module in placed:
        sys.modules[module] = _stand_in(module, UNUSED_BY_HELP[module])
    try:
        import typer.rich_utils  # noqa: F401
    finally:
        for module in placed:
            del sys.modules[module]


def reflow(text: str) -> str:
    """Join the lines of each prose paragraph; keep paragraphs whose lines are indented."""
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    out = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if any(line.startswith((" ", "\t")) for line in lines):
            out.append(paragraph)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


class HelpCommand(TyperCommand):
    """A typer command whose help reads well: reflowed prose, no `<bool>`, `SPEC` not `{SPEC}`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = reflow(self.help)
        for param in self.params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""  # a flag takes no value: show no type for it

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None and option.metavar is None:
            option.metavar = ""
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_help_formatter()
        super().format_help(ctx, formatter)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]


class HelpGroup(TyperGroup):
    """The command group, whose help imports typer's formatter without its unused modules."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_help_formatter()
        super().format_help(ctx, formatter)
