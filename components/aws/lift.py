"""Combine inputs that may be Outputs without making an Output of every plain value.

`pulumi.Output.all(*values)` wraps each value it is given in an Output (`from_input`: an apply per
Output, an `Output.all` per nested list or dict, a finished future for each plain value), and
`Output.from_input(x).apply(f)` adds an apply to an x that is already an Output. At 10,000 resources
that is tens of thousands of Outputs, each a task and a few event-loop callbacks, for values that
were plain all along (env values, sids, conditions, the names the plan chose). These helpers send only
the Outputs through the SDK and leave the rest in place, so the result depends on exactly the same
resources (and is secret exactly when one of its Outputs is) and renders the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pulumi

T = TypeVar("T")


def has_output(value: Any) -> bool:
    """True if `value` is an Output or holds one in a (nested) list, tuple or dict."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, dict):
        return any(has_output(k) or has_output(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_output(v) for v in value)
    return False


def combine(values: Sequence[Any], render: Callable[[list[Any]], T]) -> pulumi.Input[T]:
    """`render` of the values once every Output among them has resolved; plain if none is an Output.

    Like `Output.all(*values).apply(render)`, but only the values that hold Outputs go through
    `Output.all` (each distinct Output object once), and with none `render` runs now.
    """
    slots: list[int] = []
    lifted: list[Any] = []
    seen: dict[int, int] = {}
    for v in values:
        if isinstance(v, pulumi.Output):
            if id(v) not in seen:
                seen[id(v)] = len(lifted)
                lifted.append(v)
            slots.append(seen[id(v)])
        elif has_output(v):
            slots.append(len(lifted))
            lifted.append(v)
        else:
            slots.append(-1)
    if not lifted:
        return render(list(values))

    def fill(resolved: list[Any]) -> T:
        return render([v if s < 0 else resolved[s] for v, s in zip(values, slots, strict=True)])

    return pulumi.Output.all(*lifted).apply(fill)


def lift(value: pulumi.Input[Any], fn: Callable[[Any], T]) -> pulumi.Input[T]:
    """`fn(value)`: an apply when `value` is an Output, a plain call when it is not
    (where `Output.from_input(value).apply(fn)` adds a second Output to an Output)."""
    if isinstance(value, pulumi.Output):
        return value.apply(fn)
    if has_output(value):
        return pulumi.Output.from_input(value).apply(fn)
    return fn(value)
