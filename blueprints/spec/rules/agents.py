"""Rules on agents: probes, sizes, replicas, retries, rollout."""

from __future__ import annotations

import math
from collections.abc import Iterator

from blueprints.capacity import FARGATE_VCPUS, fargate_memory_options, replicas_for_zone_loss
from blueprints.errors import Problem
from blueprints.spec.rules import RuleContext, rule
from blueprints.units import format_duration as fmt
from blueprints.units import format_memory


@rule("probes-need-port", "Probes are HTTP checks on the agent's port.")
def probes_need_port(ctx: RuleContext) -> Iterator[Problem]:
    for i, agent in enumerate(ctx.spec.agents):
        if agent.port is None and "probes" in agent.model_fields_set:
            yield ctx.problem(
                ("agents", i, "probes"),
                f"agent '{agent.name}' has probes but no `port` to probe",
                "set `port:`, or remove `probes` (queue workers are checked through their queue)",
            )


@rule("fargate-size", "On aws, cpu and memory form a Fargate task size, with the collector sidecar's memory on top.")
def fargate_size(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    # The task sizes the plan shows and the task definitions state (one function: blueprints/plan/collector.py).
    from blueprints.plan import collector, gateway

    tracing = ctx.spec.observability.tracing
    sized: list[tuple[tuple[str | int, ...], str, float, int, bool]] = [
        (("agents", i), f"agent '{a.name}'", a.cpu, a.memory, collector.runs_sidecar(tracing, gateway=False))
        for i, a in enumerate(ctx.spec.agents)
    ]
    if gateway.needed(ctx.spec):
        g = ctx.spec.gateway
        sized.append((("gateway",), "the model gateway", g.cpu, g.memory, True))
    for path, what, cpu, memory, sidecar in sized:
        options = fargate_memory_options(cpu)
        if not options:
            yield ctx.problem(
                (*path, "cpu"),
                f"Fargate offers no task with {cpu:g} vCPU ({what})",
                "use 0.25, 0.5, 1, 2, 4, 8 or 16",
                value=cpu,
                allowed="0.25, 0.5, 1, 2, 4, 8, 16",
            )
        elif memory not in options:
            shown = ", ".join(
                format_memory(m) for m in (options if len(options) <= 6 else [options[0], options[1], options[-1]])
            )
            span = f"{format_memory(options[0])}-{format_memory(options[-1])}"
            yield ctx.problem(
                (*path, "memory"),
                f"Fargate does not pair {cpu:g} vCPU with {format_memory(memory)} ({what})",
                f"with {cpu:g} vCPU use memory {span} ({shown}...), or change cpu",
                value=format_memory(memory),
                allowed=span,
            )
        elif sidecar and not collector.offered(collector.task(cpu, memory, sidecar=True)):
            largest = fargate_memory_options(FARGATE_VCPUS[-1])[-1]  # Fargate's largest task holds the most
            room = largest - collector.MEMORY_MIB
            fits = [m for m in options if m <= room]
            most = format_memory(fits[-1]) if fits else None
            yield ctx.problem(
                (*path, "memory"),
                f"the tasks of {what} also run the OpenTelemetry collector ({format_memory(collector.MEMORY_MIB)}), "
                f"and {format_memory(memory)} + {format_memory(collector.MEMORY_MIB)} is more than any Fargate task "
                f"of {cpu:g} vCPU or more holds ({format_memory(largest)})",
                (f"use memory {most} or less" if most else "use less memory")
                + ("" if path == ("gateway",) else ", or set observability.tracing: none"),
                value=format_memory(memory),
                allowed=f"≤ {most}" if most else f"≤ {format_memory(room)}",
            )


@rule("replicas-zone-loss", "Replica bounds keep the minimum through one zone's loss (warning).")
def replicas_zone_loss(ctx: RuleContext) -> Iterator[Problem]:
    zones = min((len(r.zones) for r in ctx.spec.topology.regions), default=1)
    if zones < 2:
        return
    for i, agent in enumerate(ctx.spec.agents):
        need = replicas_for_zone_loss(agent.replicas.min, zones)
        if not agent.replicas.static_stability:
            survivors = agent.replicas.min - math.ceil(agent.replicas.min / zones)
            if survivors < agent.replicas.min:
                yield ctx.problem(
                    ("agents", i, "replicas", "min"),
                    f"with {agent.replicas.min} replicas over {zones} zones, losing a zone leaves "
                    f"{survivors}, below min {agent.replicas.min}, until autoscaling replaces them",
                    f"set static_stability: true (plans {need}), or accept the dip",
                    value=agent.replicas.min,
                    allowed=f"≥ {need} for zone-loss stability",
                    severity="warning",
                )
        elif agent.replicas.max < need:
            yield ctx.problem(
                ("agents", i, "replicas", "max"),
                f"static stability needs {need} replicas of '{agent.name}' over {zones} zones, above max "
                f"{agent.replicas.max}; the plan raises max to {need}",
                f"set max to at least {need}",
                value=agent.replicas.max,
                allowed=f"≥ {need}",
                severity="warning",
            )


@rule("retry-delays", "Retry base_delay is at most max_delay.")
def retry_delays(ctx: RuleContext) -> Iterator[Problem]:
    for i, agent in enumerate(ctx.spec.agents):
        r = agent.retries
        if r.base_delay > r.max_delay:
            yield ctx.problem(
                ("agents", i, "retries", "base_delay"),
                f"base_delay {fmt(r.base_delay)} exceeds max_delay {fmt(r.max_delay)}",
                "lower base_delay or raise max_delay",
                value=fmt(r.base_delay),
                allowed=f"≤ {fmt(r.max_delay)}",
            )


@rule("rollout-steps", "Rollout steps increase and end at 100; canary and linear have at least two.")
def rollout_steps(ctx: RuleContext) -> Iterator[Problem]:
    rollout = ctx.spec.rollout
    steps = rollout.steps
    path = ("rollout", "steps")
    if steps != sorted(set(steps)) or steps[-1:] != [100]:
        yield ctx.problem(
            path,
            f"steps {steps} must strictly increase and end at 100",
            "write increasing percentages ending at 100, e.g. [10, 50, 100]",
            value=str(steps),
        )
    elif rollout.strategy in ("canary", "linear") and len(steps) < 2:
        yield ctx.problem(
            path,
            f"a {rollout.strategy} rollout needs at least two steps",
            "e.g. steps: [10, 100] (canary) or [25, 50, 75, 100] (linear)",
            value=str(steps),
        )
