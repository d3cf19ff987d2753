"""Rules on names and references between agents, queues, stores, secrets and ingress."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.plan.naming import KUBERNETES_RESERVED, KUBERNETES_STORE_SERVICE_SUFFIXES
from blueprints.spec.rules import RuleContext, rule


@rule("unique-names", "Agents, stores, queues and secrets each have unique names.")
def unique_names(ctx: RuleContext) -> Iterator[Problem]:
    for kind in ("agents", "stores", "queues", "secrets"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(ctx.spec, kind)):
            if item.name in seen:
                yield ctx.problem(
                    (kind, i, "name"),
                    f"{kind[:-1]} name '{item.name}' is used twice",
                    f"give each of the {kind} its own name",
                    value=item.name,
                )
            seen.add(item.name)


def _missing(ctx: RuleContext, path: tuple[str | int, ...], name: str, kind: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    fix = (
        hint
        + (f"declared {kind}: {', '.join(known)}" if known else f"no {kind} are declared")
        + f"; or add '{name}' under `{kind}`"
    )
    return ctx.problem(
        path, f"'{name}' is not a declared {kind[:-1]}", fix, value=name, allowed=", ".join(known) or None
    )


@rule("references-exist", "Every consumes/produces/uses/idempotency.store/secrets/ingress reference exists.")
def references_exist(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    queues = [q.name for q in spec.queues]
    stores = [s.name for s in spec.stores]
    secrets = [s.name for s in spec.secrets]
    for i, agent in enumerate(spec.agents):
        for field, known, kind in (
            ("consumes", queues, "queues"),
            ("produces", queues, "queues"),
            ("uses", stores, "stores"),
            ("secrets", secrets, "secrets"),
        ):
            for j, name in enumerate(getattr(agent, field)):
                if name not in known:
                    yield _missing(ctx, ("agents", i, field, j), name, kind, known)
        if agent.idempotency and agent.idempotency.store not in stores:
            yield _missing(ctx, ("agents", i, "idempotency", "store"), agent.idempotency.store, "stores", stores)
    if spec.ingress is not None:
        agent = spec.agent(spec.ingress.agent)
        if agent is None:
            yield _missing(ctx, ("ingress", "agent"), spec.ingress.agent, "agents", [a.name for a in spec.agents])
        elif agent.port is None:
            i = spec.agents.index(agent)
            yield ctx.problem(
                ("ingress", "agent"),
                f"ingress agent '{agent.name}' has no `port` to receive traffic",
                f"set `port:` on agents[{i}] ({agent.name}), or choose another ingress agent",
                value=agent.name,
            )


@rule("ingress-domain", "The ingress domain lies inside its hosted zone.")
def ingress_domain(ctx: RuleContext) -> Iterator[Problem]:
    ingress = ctx.spec.ingress
    if ingress is None:
        return
    zone = ingress.hosted_zone.rstrip(".")
    if ingress.domain != zone and not ingress.domain.endswith("." + zone):
        yield ctx.problem(
            ("ingress", "domain"),
            f"'{ingress.domain}' is not inside hosted zone '{zone}'",
            f"use a name ending in .{zone}, or the zone that holds '{ingress.domain}'",
            value=ingress.domain,
        )


@rule("unused-items", "Declared secrets, stores and queues are used by some agent (warning).")
def unused_items(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    used_secrets = {s for a in spec.agents for s in a.secrets}
    used_stores = {s for a in spec.agents for s in a.uses} | {a.idempotency.store for a in spec.agents if a.idempotency}
    consumed = {q for a in spec.agents for q in a.consumes}
    for i, s in enumerate(spec.secrets):
        if s.name not in used_secrets:
            yield ctx.problem(
                ("secrets", i, "name"),
                f"secret '{s.name}' is not used by any agent",
                "add it to an agent's `secrets`, or remove it",
                value=s.name,
                severity="warning",
            )
    for i, st in enumerate(spec.stores):
        if st.name not in used_stores:
            yield ctx.problem(
                ("stores", i, "name"),
                f"store '{st.name}' is not used by any agent",
                "add it to an agent's `uses`, or remove it",
                value=st.name,
                severity="warning",
            )
    for i, q in enumerate(spec.queues):
        if q.name not in consumed:
            yield ctx.problem(
                ("queues", i, "name"),
                f"queue '{q.name}' has no consumer: its messages will pile up and expire",
                "add it to an agent's `consumes`, or remove it",
                value=q.name,
                severity="warning",
            )


@rule("kubernetes-names", "On kubernetes, agents and stores have distinct names, none taken by the broker.")
def kubernetes_names(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "kubernetes":
        return
    stores = {s.name for s in ctx.spec.stores}
    reserved = set(KUBERNETES_RESERVED) if ctx.spec.queues else set()
    operator_services = {f"{s}-{suffix}": s for s in stores for suffix in KUBERNETES_STORE_SERVICE_SUFFIXES}
    for i, a in enumerate(ctx.spec.agents):
        if a.name in stores:
            yield ctx.problem(
                ("agents", i, "name"),
                f"agent '{a.name}' and store '{a.name}' would give their Services, budgets and "
                "policies the same name in one namespace",
                "rename the agent or the store",
                value=a.name,
            )
        elif a.name in operator_services:
            yield ctx.problem(
                ("agents", i, "name"),
                f"agent '{a.name}' would share its Service name with one the operator creates for store "
                f"'{operator_services[a.name]}'",
                "rename the agent",
                value=a.name,
            )
    for kind in ("agents", "stores"):
        for i, item in enumerate(getattr(ctx.spec, kind)):
            if item.name in reserved:
                yield ctx.problem(
                    (kind, i, "name"),
                    f"'{item.name}' is the name of the RabbitMQ cluster the queues run on",
                    f"rename the {kind[:-1]}",
                    value=item.name,
                    allowed=f"not {item.name}",
                )
