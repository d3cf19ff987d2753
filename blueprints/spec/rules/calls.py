"""Rules on the calls between agents (`agents[].calls`): who may reach whose port.

A call is wired on aws (a security-group path from the caller's tasks to the called agent's internal
load balancer, and its address in the caller's environment), so each one must name an agent that
serves a port, not the caller itself, and the calls must not go round in a loop: agents calling each
other in a circle multiply every retry along the loop and can hold each other's requests until all of
them time out, and the wiring needs the called agent built first.
"""

from __future__ import annotations

from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.spec.rules import RuleContext, rule
from blueprints.spec.rules.references import _missing


def call_cycle(calls: dict[str, list[str]]) -> list[str] | None:
    """The first loop of calls found (`[a, b, a]`), or None. Deterministic: agents in spec order."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for callee in calls.get(name, []):
            if callee == name or callee not in calls:
                continue  # self-calls and unknown names are reported on their own
            if state.get(callee) == 1:
                return [*stack[stack.index(callee) :], callee]
            if callee not in state and (found := visit(callee)) is not None:
                return found
        stack.pop()
        state[name] = 2
        return None

    for name in calls:
        if name not in state and (found := visit(name)) is not None:
            return found
    return None


@rule("agent-calls", "An agent calls other agents that serve a port, never itself, and not in a loop.")
def agent_calls(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    names = [a.name for a in spec.agents]
    for i, agent in enumerate(spec.agents):
        for j, callee in enumerate(agent.calls):
            path = ("agents", i, "calls", j)
            target = spec.agent(callee)
            if target is None:
                yield _missing(ctx, path, callee, "agents", names)
            elif callee == agent.name:
                yield ctx.problem(
                    path,
                    f"agent '{agent.name}' lists itself in `calls`; a replica reaches its own process without "
                    "a load balancer",
                    f"remove '{callee}' from agents[{i}].calls",
                    value=callee,
                )
            elif target.port is None:
                yield ctx.problem(
                    path,
                    f"agent '{agent.name}' calls '{callee}', which serves no port (a queue worker)",
                    f"give '{callee}' a `port`, or send it work through a queue it consumes",
                    value=callee,
                )
    loop = call_cycle({a.name: list(a.calls) for a in spec.agents})
    if loop is not None:
        first = names.index(loop[0])
        yield ctx.problem(
            ("agents", first, "calls"),
            f"agents call each other in a loop: {' → '.join(loop)}; every retry along the loop multiplies, "
            "and requests can wait on each other until all of them time out",
            "break the loop: let one side hand work over through a queue instead of calling back",
            value=" → ".join(loop),
        )
