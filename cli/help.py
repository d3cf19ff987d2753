"""Help text as people read it, at any terminal width (issue 18: help at 80 columns).

Typer's rich help keeps every line break of a docstring, so prose hard-wrapped at 100 columns broke
raggedly at 80; it showed a flag's type as `<bool>` and a required argument as `{SPEC}`. Commands
are registered with `cls=HelpCommand`, which reflows prose paragraphs (indented lines — examples,
commands — stay as written), shows flags without a type, and writes arguments as their names.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


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

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]
