"""Rules on names and references between agents, queues, stores, secrets and ingress."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.plan.naming import KUBERNETES_RESERVED, KUBERNETES_STORE_SERVICE_SUFFIXES
from blueprints.spec.rules import RuleContext, rule


@rule("unique-names", "Agents, stores, queues, secrets and dependencies each have unique names.")
def unique_names(ctx: RuleContext) -> Iterator[Problem]:
    for kind in ("agents", "stores", "queues", "secrets", "dependencies"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(ctx.spec, kind)):
            if item.name in seen:
                yield ctx.problem(
                    (kind, i, "name"),
                    f"{'dependency' if kind == 'dependencies' else kind[:-1]} name '{item.name}' is used twice",
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
    singular = "dependency" if kind == "dependencies" else kind[:-1]
    return ctx.problem(
        path, f"'{name}' is not a declared {singular}", fix, value=name, allowed=", ".join(known) or None
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


@rule("unused-items", "Declared secrets, stores and queues are used by an agent, dependency or gateway (warning).")
def unused_items(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    used_secrets = {s for a in spec.agents for s in a.secrets} | {s for d in spec.dependencies for s in d.secrets}
    used_stores = {s for a in spec.agents for s in a.uses} | {a.idempotency.store for a in spec.agents if a.idempotency}
    if spec.gateway.rate_limit_store is not None:
        used_stores.add(spec.gateway.rate_limit_store)
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


@rule("dependency-references", "Dependencies name agents that exist and fall back to other declared dependencies.")
def dependency_references(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    agents = [a.name for a in spec.agents]
    names = [d.name for d in spec.dependencies]
    taken = {s.name: "store" for s in spec.stores} | {q.name: "queue" for q in spec.queues}
    for i, dep in enumerate(spec.dependencies):
        if dep.name in taken:
            yield ctx.problem(
                ("dependencies", i, "name"),
                f"dependency '{dep.name}' has the name of a {taken[dep.name]}",
                "give the dependency its own name: readiness `covers` names stores, queues and dependencies alike",
                value=dep.name,
            )
        for j, name in enumerate(dep.callers):
            if name not in agents:
                yield _missing(ctx, ("dependencies", i, "callers", j), name, "agents", agents)
        for j, name in enumerate(dep.fallback):
            if name == dep.name:
                yield ctx.problem(
                    ("dependencies", i, "fallback", j),
                    f"dependency '{dep.name}' falls back to itself",
                    "name another dependency (say, a second model provider) as the fallback, or remove this entry",
                    value=name,
                )
            elif name not in names:
                yield _missing(ctx, ("dependencies", i, "fallback", j), name, "dependencies", names)
        if dep.availability is not None and dep.availability.basis != "assumption" and not dep.availability.source:
            yield ctx.problem(
                ("dependencies", i, "availability", "basis"),
                f"dependency '{dep.name}' calls its availability {dep.availability.basis} but names no source",
                "add `source:` (the SLA page's URL), or set `basis: assumption`",
                value=dep.availability.basis,
            )


@rule(
    "readiness-covers",
    "Only readiness probes say what they cover, and they name declared stores, queues and dependencies.",
)
def readiness_covers(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    known = [s.name for s in spec.stores] + [q.name for q in spec.queues] + [d.name for d in spec.dependencies]
    for i, agent in enumerate(spec.agents):
        for kind in ("liveness", "startup"):
            probe = getattr(agent.probes, kind)
            if probe is not None and probe.covers is not None:
                yield ctx.problem(
                    ("agents", i, "probes", kind, "covers"),
                    f"agent '{agent.name}': only the readiness probe decides failover, so `covers` on its {kind} "
                    "probe means nothing (and a liveness probe that checks dependencies restarts healthy replicas)",
                    "move `covers` to probes.readiness",
                    value=probe.covers,
                )
        readiness = agent.probes.readiness
        if readiness is None or readiness.covers is None:
            continue
        for j, name in enumerate(readiness.covers):
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                yield ctx.problem(
                    ("agents", i, "probes", "readiness", "covers", j),
                    f"'{name}' is not a declared store, queue or dependency",
                    (f"did you mean '{close[0]}'? " if close else "")
                    + (f"declared: {', '.join(known)}" if known else "nothing is declared to cover"),
                    value=name,
                    allowed=", ".join(known) or None,
                )
