"""Rules on external dependencies (`dependencies`) and the model gateway in front of them (`gateway`).

The gateway is built from these fields (blueprints/plan/gateway.py renders its LiteLLM config), so
what it cannot build is refused here: a fallback chain that loops, a model provider without a model
to call, a secret nobody declared, a rate-limit store that cannot hold counters, and a rate limit
that cannot be split over the gateway replicas the plan runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.spec.models import HASpec
from blueprints.spec.rules import RuleContext, rule
from blueprints.spec.rules.calls import call_cycle
from blueprints.spec.rules.references import _missing

LIMIT_STORE_ENGINES = ("valkey", "redis")
DEFAULT_ENDPOINT = "default"


def model_providers(spec: HASpec) -> list[str]:
    return [d.name for d in spec.dependencies if d.kind == "model-provider"]


def serving_regions(spec: HASpec) -> int:
    """Regions whose gateways call the providers at once: every region of an active-active topology,
    one otherwise (a standby's gateway serves only after failover)."""
    return len(spec.topology.regions) if spec.topology.pattern == "active-active" else 1


@rule(
    "dependency-fallbacks",
    "Fallback chains do not loop, a model provider falls back to model providers, and names a model to call.",
)
def dependency_fallbacks(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    names = [d.name for d in spec.dependencies]
    for i, dep in enumerate(spec.dependencies):
        if dep.kind == "model-provider" and dep.model is None:
            yield ctx.problem(
                ("dependencies", i),
                f"model provider '{dep.name}' names no `model`: the gateway has nothing to call",
                "add `model: <provider>/<model>` (LiteLLM's name, e.g. openai/gpt-4o)",
            )
        for j, name in enumerate(dep.fallback):
            other = spec.dependency(name)
            if other is None or other.name == dep.name:
                continue  # reported by dependency-references
            if dep.kind == "model-provider" and other.kind != "model-provider":
                yield ctx.problem(
                    ("dependencies", i, "fallback", j),
                    f"model provider '{dep.name}' falls back to '{name}', a {other.kind}: the gateway can only "
                    "send a model call to another model",
                    "name another model provider (or another model of the same one) as the fallback",
                    value=name,
                    allowed=", ".join(model_providers(spec)) or None,
                )
    loop = call_cycle({d.name: list(d.fallback) for d in spec.dependencies})
    if loop is not None:
        first = names.index(loop[0])
        yield ctx.problem(
            ("dependencies", first, "fallback"),
            f"dependencies fall back to each other in a loop: {' → '.join(loop)}; a failing call would go round "
            "it until the gateway's fallback limit",
            "order the fallbacks one way: the last in the chain falls back to nothing",
            value=" → ".join(loop),
        )


@rule("dependency-secrets", "Dependencies name declared secrets.")
def dependency_secrets(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    declared = [s.name for s in spec.secrets]
    for i, dep in enumerate(spec.dependencies):
        for j, name in enumerate(dep.secrets):
            if name not in declared:
                yield _missing(ctx, ("dependencies", i, "secrets", j), name, "secrets", declared)


@rule("dependency-endpoints", "Regional endpoints are keyed by a region of the topology (or `default`).")
def dependency_endpoints(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    regions = [r.name for r in spec.topology.regions]
    for i, dep in enumerate(spec.dependencies):
        for key in dep.endpoints:
            if key != DEFAULT_ENDPOINT and key not in regions:
                yield ctx.problem(
                    ("dependencies", i, "endpoints", key),
                    f"dependency '{dep.name}' has an endpoint for '{key}', which is not a region of the topology",
                    f"key endpoints by region ({', '.join(regions)}) or `{DEFAULT_ENDPOINT}`",
                    value=key,
                    allowed=", ".join([*regions, DEFAULT_ENDPOINT]),
                )


@rule("gateway-rate-limit-store", "The gateway's rate-limit store is a declared valkey or redis store.")
def gateway_rate_limit_store(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    name = spec.gateway.rate_limit_store
    if name is None:
        return
    store = spec.store(name)
    if spec.target == "kubernetes":
        # The redis stores run behind Redis Sentinel, which LiteLLM's router cannot be pointed at through
        # its `redis_url`/`redis_host` settings: nothing would be built that shares the counters.
        yield ctx.problem(
            ("gateway", "rate_limit_store"),
            "on kubernetes the gateway cannot share its rate-limit counters yet (the redis stores run behind "
            "Sentinel, which the gateway's router settings cannot address)",
            "leave gateway.rate_limit_store unset: each replica then enforces its share of every limit",
            value=name,
        )
    elif store is None:
        yield _missing(ctx, ("gateway", "rate_limit_store"), name, "stores", [s.name for s in spec.stores])
    elif store.engine not in LIMIT_STORE_ENGINES:
        yield ctx.problem(
            ("gateway", "rate_limit_store"),
            f"store '{name}' is {store.engine}: the gateway keeps its shared counters in Redis (valkey or redis)",
            "name a valkey (aws) or redis (kubernetes) store, or leave rate_limit_store unset",
            value=name,
            allowed=", ".join(s.name for s in spec.stores if s.engine in LIMIT_STORE_ENGINES) or None,
        )


def limit_share(spec: HASpec, limit: int) -> tuple[int, int]:
    """(what one enforcer gets, how many enforcers share the limit): the limit is split between serving
    regions, and between the gateway's replicas too when they share no store."""
    enforcers = serving_regions(spec) * (1 if spec.gateway.rate_limit_store else spec.gateway.replicas.max)
    return limit // enforcers, enforcers


@rule("dependency-rate-limits", "A provider's rate limit can be split over the gateway replicas that enforce it.")
def dependency_rate_limits(ctx: RuleContext) -> Iterator[Problem]:
    spec = ctx.spec
    for i, dep in enumerate(spec.dependencies):
        if dep.kind != "model-provider" or dep.rate_limits is None:
            continue
        for field, what in (("requests_per_minute", "requests"), ("tokens_per_minute", "tokens")):
            limit = getattr(dep.rate_limits, field)
            if limit is None:
                continue
            share, enforcers = limit_share(spec, limit)
            if share >= 1:
                continue
            shared = spec.gateway.rate_limit_store is not None
            yield ctx.problem(
                ("dependencies", i, "rate_limits", field),
                f"dependency '{dep.name}' allows {limit} {what} per minute, split over {enforcers} "
                + ("serving regions" if shared else "gateway replicas (no shared store: each enforces its share)")
                + ": less than one each, so no call could ever be sent",
                "name a valkey/redis store as gateway.rate_limit_store (the replicas then share one counter)"
                if not shared
                else "raise the quota with the provider, or serve from fewer regions at once",
                value=limit,
                allowed=f"≥ {enforcers}",
            )


@rule("dependency-kind-fields", "Fields that mean something for one kind of dependency only are set on it only.")
def dependency_kind_fields(ctx: RuleContext) -> Iterator[Problem]:
    for i, dep in enumerate(ctx.spec.dependencies):
        wrong: list[str] = []
        if dep.kind != "model-provider":
            wrong += [f for f in ("model", "rate_limits") if getattr(dep, f) is not None]
        if dep.kind != "mcp-server":
            wrong += [f for f in ("stateless", "sticky") if getattr(dep, f)]
            wrong += ["replicas"] if dep.replicas > 1 else []
        for field in wrong:
            yield ctx.problem(
                ("dependencies", i, field),
                f"`{field}` means nothing for '{dep.name}', a {dep.kind}: nothing is built from it",
                f"remove `{field}`",
                severity="warning",
            )


@rule("gateway-name", "No agent takes the model gateway's name while a gateway is built.")
def gateway_name(ctx: RuleContext) -> Iterator[Problem]:
    from blueprints.plan.gateway import GATEWAY

    spec = ctx.spec
    if not model_providers(spec):
        return
    for i, agent in enumerate(spec.agents):
        if agent.name == GATEWAY:
            yield ctx.problem(
                ("agents", i, "name"),
                f"'{GATEWAY}' is the name of the model gateway built in front of the model providers",
                "rename the agent",
                value=agent.name,
                allowed=f"not {GATEWAY}",
            )


@rule(
    "dependency-fallback-needed",
    "A model provider with no fallback does not promise fewer nines than the objective asks (warning).",
)
def dependency_fallback_needed(ctx: RuleContext) -> Iterator[Problem]:
    from blueprints.figures import for_spec

    spec = ctx.spec
    fallback_only = {name for d in spec.dependencies for name in d.fallback}
    figs = None
    for i, dep in enumerate(spec.dependencies):
        if dep.kind != "model-provider" or dep.fallback or (dep.name in fallback_only and not dep.callers):
            continue
        if dep.availability is not None:
            percent = dep.availability.percent
        else:
            figs = figs or for_spec(spec.assumptions)
            percent = figs.value(f"dependency-{dep.kind}")
        if percent < spec.objectives.availability:
            yield ctx.problem(
                ("dependencies", i, "fallback"),
                f"model provider '{dep.name}' has no fallback and its figure is {percent:g} %, below the "
                f"{spec.objectives.availability:g} % objective: every call needs it, so no topology can meet the "
                "objective",
                "add another model provider (or another region or model of the same one) under `fallback`",
                value=percent,
                allowed=f"≥ {spec.objectives.availability:g} %, or a fallback",
                severity="warning",
            )
