"""Blast radius: for each disruption the topology could suffer, what it breaks and for how long.

Disruptions, from the plan: every zone of every region, every region, each store's primary (engines
with one: Aurora, Valkey, CloudNativePG, Redis), each region's message broker (SQS on aws, the
RabbitMQ cluster on kubernetes), a bad deploy of each agent, and each external dependency called
directly. For each, per component: serving capacity left against `replicas.min` and whether
replacements arrive within the RTO (agents), writer / quorum state and data at risk (stores),
messages stranded, delayed or lost (queues), whether users still reach a healthy region and after
how long (routing), and the resources of the captured graph that become unreachable.

One model, not three: every time and loss bound is read from the plan (`plan.estimates`, the steps
of `plan.timing`, the per-store parts of `estimates.rpo_zone_parts` / `rpo_region_parts`) and the
reliability model (`reliability.build`, whose region parts and failover time `simulate` runs), never
computed again here. A disruption is *covered* when the objectives name its kind (`zone`, `region`,
`application`; a store primary's loss is a zone-kind disruption, as the store-failover drill is); a
covered disruption whose RTO or RPO is unbounded or beyond its objective is a breach.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from blueprints.capacity import spread, survivors_after_zone_loss, synchronous_durability
from blueprints.figures import Figures, for_spec
from blueprints.plan.estimates import QUORUM_REPLICAS, rpo_region_parts, rpo_zone_parts
from blueprints.plan.models import Estimate, RegionPlan, Step, StorePlan, TimingPlan, TopologyPlan
from blueprints.plan.reliability import ReliabilityModel, build
from blueprints.spec.models import HASpec
from blueprints.units import format_duration

from . import scope

Kind = Literal["zone", "region", "store", "broker", "deploy", "dependency"]
Objective = Literal["zone", "region", "application"]
Status = Literal["ok", "degraded", "down", "none"]
"""ok: serves as before; degraded: serves with less (capacity, a failover in progress, delays);
down: does not serve until recovery; none: not present where the disruption strikes."""

COVERED_BY: dict[Kind, Objective | None] = {
    "zone": "zone",
    "region": "region",
    "store": "zone",
    "broker": None,
    "deploy": "application",
    "dependency": None,
}
"""Which objective covers each kind of disruption (None: the objectives name none; shown, not gated)."""

PROMOTED_ENGINES = ("aurora-postgresql", "valkey", "postgres", "redis")
"""Engines with a primary instance whose loss is a failover of its own (DynamoDB has none)."""


@dataclass(frozen=True)
class Effect:
    """What one disruption does to one component."""

    component: str
    """`agent:<name>`, `store:<name>`, `queue:<name>`, `routing`, `dependency:<name>`."""
    status: Status
    cell: str
    """A few words for the matrix."""
    detail: str
    """A sentence: what happens, with the plan's numbers."""


@dataclass(frozen=True)
class Disruption:
    """One disruption, its effects per component, and its RTO/RPO against the objective covering it."""

    id: str
    kind: Kind
    title: str
    objective: Objective | None
    """The objective that covers it (None: not covered)."""
    rto_s: float | None
    """Seconds until clients are served as before; None: unbounded (until the failed part returns)."""
    rpo_s: float | None
    """Acknowledged data at risk, in seconds of writes; None: unbounded."""
    rto_objective_s: float | None
    rpo_objective_s: float | None
    basis: str
    """Where the RTO/RPO come from (the plan's estimate or step)."""
    effects: tuple[Effect, ...]
    resources: tuple[scope.Located, ...] = ()
    resources_role: str = "unreachable"
    """What the listed resources are to this disruption: `unreachable`, `fails over`, `changed`."""
    notes: tuple[str, ...] = field(default=())

    @property
    def covered(self) -> bool:
        return self.objective is not None and (self.rto_objective_s is not None or self.rpo_objective_s is not None)

    @property
    def breaches(self) -> tuple[str, ...]:
        """What misses the objective, in words; empty when met or not covered."""
        if not self.covered:
            return ()
        out = []
        for what, value, goal in (("RTO", self.rto_s, self.rto_objective_s), ("RPO", self.rpo_s, self.rpo_objective_s)):
            if goal is None:
                continue
            if value is None:
                out.append(f"{what} unbounded > {format_duration(goal)}")
            elif value > goal:
                out.append(f"{what} {format_duration(value)} > {format_duration(goal)}")
        return tuple(out)

    def effect(self, component: str) -> Effect | None:
        return next((e for e in self.effects if e.component == component), None)


@dataclass(frozen=True)
class BlastRadius:
    system: str
    environment: str | None
    components: tuple[str, ...]
    disruptions: tuple[Disruption, ...]
    graph: bool
    """Whether resources come from a synthesized graph."""

    @property
    def breached(self) -> tuple[Disruption, ...]:
        return tuple(d for d in self.disruptions if d.breaches)

    def disruption(self, id: str) -> Disruption:
        return next(d for d in self.disruptions if d.id == id)

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "environment": self.environment,
            "graph": self.graph,
            "components": list(self.components),
            "breached": [d.id for d in self.breached],
            "disruptions": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "title": d.title,
                    "objective": d.objective,
                    "covered": d.covered,
                    "rto_s": d.rto_s,
                    "rpo_s": d.rpo_s,
                    "rto_objective_s": d.rto_objective_s,
                    "rpo_objective_s": d.rpo_objective_s,
                    "breaches": list(d.breaches),
                    "basis": d.basis,
                    "effects": [
                        {"component": e.component, "status": e.status, "cell": e.cell, "detail": e.detail}
                        for e in d.effects
                    ],
                    "resources_role": d.resources_role,
                    "resources": [{"name": r.name, "type": r.type, "region": r.region} for r in d.resources],
                    "notes": list(d.notes),
                }
                for d in self.disruptions
            ],
        }


# --- shared context -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    spec: HASpec
    plan: TopologyPlan
    timing: TimingPlan
    model: ReliabilityModel
    estimates: dict[tuple[str, str | None], Estimate]
    zone_rpo: dict[str, float | None]
    region_rpo: dict[str, float | None]
    resources: tuple[scope.Located, ...]

    @property
    def multi(self) -> bool:
        return self.model.multi_region

    def step(self, steps: Iterable[Step], part: str) -> Step | None:
        return next((s for s in steps if s.part == part), None)

    def objective(self, kind: Objective | None) -> tuple[float | None, float | None]:
        if kind is None:
            return None, None
        goal = getattr(self.spec.objectives.disruptions, kind)
        if goal is None:
            return None, None
        return goal.rto.total_seconds(), goal.rpo.total_seconds()

    def need(self, agent: str) -> int:
        source = self.spec.agent(agent)
        return source.replicas.min if source is not None else 1


def analyse(
    spec: HASpec, plan: TopologyPlan, graph: Iterable[scope.Resource] | None = None, figs: Figures | None = None
) -> BlastRadius:
    """The blast radius of every disruption of a planned topology (see the module docstring)."""
    figs = figs or for_spec(spec.assumptions)
    if plan.timing is None:
        raise ValueError("analyse takes a plan from blueprints.plan.planner.plan (it carries its timing)")
    zone_parts, _, _ = rpo_zone_parts(spec, plan, figs)
    region_parts, _, _ = rpo_region_parts(spec, plan, figs)
    ctx = _Context(
        spec=spec,
        plan=plan,
        timing=plan.timing,
        model=build(spec, plan, figs, plan.timing),
        estimates={(e.kind, e.disruption): e for e in plan.estimates},
        zone_rpo={k: v for k, _, v in zone_parts},
        region_rpo={k: v for k, _, v in region_parts},
        resources=tuple(scope.located(graph)) if graph is not None else (),
    )
    out: list[Disruption] = []
    for region in plan.regions:
        out += [_zone(ctx, region, z) for z in region.zones]
    out += [_region(ctx, r) for r in plan.regions]
    out += [_store(ctx, s) for s in plan.stores if s.engine in PROMOTED_ENGINES]
    if plan.queues:
        out += [_broker(ctx, r) for r in plan.regions]
    out += [_deploy(ctx, a.name) for a in plan.agents]
    # As in the reliability model: a dependency named only as another's fallback (no callers of its
    # own in the spec) is reached through that one, so its outage alone breaks nothing.
    fallbacks = {name for d in plan.dependencies for name in d.fallback}
    direct = [d for d in spec.dependencies if d.name not in fallbacks or d.callers]
    out += [_dependency(ctx, d.name) for d in direct]
    components = (
        [f"agent:{a.name}" for a in plan.agents]
        + [f"store:{s.name}" for s in plan.stores]
        + [f"queue:{q.name}" for q in plan.queues]
        + (["routing"] if plan.routing is not None or ctx.multi else [])
        + [f"dependency:{d.name}" for d in plan.dependencies]
    )
    return BlastRadius(plan.system, plan.environment, tuple(components), tuple(out), graph is not None)


def _disruption(
    ctx: _Context,
    id: str,
    kind: Kind,
    title: str,
    rto: float | None,
    rpo: float | None,
    basis: str,
    effects: Sequence[Effect],
    resources: Sequence[scope.Located] = (),
    role: str = "unreachable",
    notes: Sequence[str] = (),
) -> Disruption:
    objective = COVERED_BY[kind]
    rto_goal, rpo_goal = ctx.objective(objective)
    return Disruption(
        id=id,
        kind=kind,
        title=title,
        objective=objective if (rto_goal is not None or rpo_goal is not None) else None,
        rto_s=rto,
        rpo_s=rpo,
        rto_objective_s=rto_goal,
        rpo_objective_s=rpo_goal,
        basis=basis,
        effects=tuple(effects),
        resources=tuple(resources),
        resources_role=role,
        notes=tuple(notes),
    )


def _d(seconds: float | None) -> str:
    return "unbounded" if seconds is None else format_duration(seconds)


def _others(ctx: _Context, region: str) -> list[RegionPlan]:
    return [r for r in ctx.plan.regions if r.name != region and r.role in ("primary", "active", "standby")]


# --- zone -----------------------------------------------------------------------------------------


def _zone(ctx: _Context, region: RegionPlan, zone: str) -> Disruption:
    plan, timing = ctx.plan, ctx.timing
    effects: list[Effect] = []
    for agent in plan.agents:
        p = agent.placement(region.name)
        key = f"agent:{agent.name}"
        if p is None or not p.desired or zone not in p.zones:
            effects.append(Effect(key, "none", "—", f"{agent.name}: no replicas in {region.name}"))
            continue
        lost = p.per_zone[p.zones.index(zone)]
        left = p.desired - lost
        need = ctx.need(agent.name)
        step = ctx.step(timing.zone_recovery, key)
        if not lost:
            effects.append(Effect(key, "ok", f"{left}/{p.desired}", f"{agent.name}: no replica in {zone}"))
            continue
        status: Status = "ok" if left >= need else ("degraded" if left else "down")
        source = ctx.spec.agent(agent.name)
        stable = source is not None and source.replicas.static_stability
        again = ""
        if step is not None and stable and not step.seconds:
            again = "; a queue worker: nothing routes to it, the others keep consuming"
        elif step is not None:
            again = (
                f"; traffic is off the lost replicas within {_d(step.seconds)}"
                if stable
                else f"; replacements serve within {_d(step.seconds)} ({step.label})"
            )
        if left >= need:
            text = f"{agent.name}: {left} of {p.desired} replicas keep serving (min {need}): statically stable{again}"
        else:
            text = f"{agent.name}: {left} of {p.desired} replicas left, below min {need}{again}"
        effects.append(Effect(key, status, f"{left}/{p.desired} (min {need})", text))
    for store in plan.stores:
        effects.append(_store_in_zone(ctx, store, region, zone))
    for queue in plan.queues:
        key = f"queue:{queue.name}"
        if region.name not in queue.regions:
            effects.append(Effect(key, "none", "—", f"{queue.name}: not in {region.name}"))
            continue
        visibility = format_duration(queue.visibility_timeout_s)
        consumers = " or ".join(queue.consumers) or "no consumer"
        if not region.serving:
            effects.append(Effect(key, "ok", "idle (standby)", f"{queue.name}: the standby's copy takes no messages"))
            continue
        if plan.target == "kubernetes":
            step = ctx.step(timing.zone_recovery, "broker")
            per_zone = spread(QUORUM_REPLICAS, len(region.zones))
            left = survivors_after_zone_loss(per_zone)
            majority = left > QUORUM_REPLICAS // 2
            leader = f"; leader election {_d(step.seconds)}" if step is not None else ""
            effects.append(
                Effect(
                    key,
                    "degraded" if majority else "down",
                    f"quorum {left}/{QUORUM_REPLICAS}" if majority else "no quorum",
                    f"{queue.name}: quorum queue keeps {left} of {QUORUM_REPLICAS} replicas"
                    + (f" (a majority){leader}" if majority else ": no majority, publishes and deliveries stop")
                    + f"; messages that {consumers} held in {zone} reappear after the visibility timeout "
                    f"({visibility})",
                )
            )
        else:
            effects.append(
                Effect(
                    key,
                    "degraded",
                    f"delayed ≤ {visibility}",
                    f"{queue.name}: SQS keeps every message (multi-zone); messages that {consumers} held in {zone} "
                    f"reappear after the visibility timeout ({visibility}): delayed, not lost",
                )
            )
    if plan.routing is not None or ctx.multi:
        how = (
            "the load balancer stops sending to its targets there (target health)"
            if plan.target == "aws"
            else "its endpoints leave the Service when readiness fails"
        )
        serving = region.serving
        effects.append(
            Effect(
                "routing",
                "ok" if serving else "none",
                "no DNS change" if serving else "—",
                f"users keep reaching {region.name}: {how}; no DNS change"
                if serving
                else f"{region.name} serves no users",
            )
        )
    effects += _dependencies_ok(ctx)
    resources = scope.in_zone(ctx.resources, zone)
    notes: list[str] = []
    if ctx.resources and not resources and plan.target == "kubernetes":
        notes.append("Kubernetes objects are not zonal: the pods and volumes in the zone are lost (counted above).")
    if region.serving:
        rto = ctx.estimates[("rto", "zone")]
        rpo = ctx.estimates[("rpo", "zone")]
        return _disruption(
            ctx,
            f"zone:{zone}",
            "zone",
            f"zone {zone} ({region.name}) lost",
            rto.value,
            rpo.value,
            "plan: RTO zone / RPO zone estimates",
            effects,
            resources,
            notes=notes,
        )
    notes.append(f"{region.name} is a standby: users are not affected; its capacity to take over is reduced.")
    return _disruption(
        ctx,
        f"zone:{zone}",
        "zone",
        f"zone {zone} ({region.name}, standby) lost",
        0.0,
        0.0,
        "no user-facing effect (standby region)",
        effects,
        resources,
        notes=notes,
    )


def _store_in_zone(ctx: _Context, store: StorePlan, region: RegionPlan, zone: str) -> Effect:
    key = f"store:{store.name}"
    if region.name not in store.regions:
        return Effect(key, "none", "—", f"{store.name}: not in {region.name}")
    if store.engine in ("dynamodb", "aurora-dsql"):  # serverless, synchronous over three zones
        return Effect(key, "ok", "no effect", f"{store.name}: {store.on_zone_loss}")
    zones = store.zones_in(region.name)
    if zone not in zones:
        return Effect(key, "ok", "no instance here", f"{store.name}: no instance in {zone}")
    writer = region.name == store.primary_region or store.multi_writer
    instances = store.instances_in(region.name)
    if not writer:
        return Effect(
            key, "ok", "replica copy keeps", f"{store.name}: the {region.name} copy loses its instance in {zone}"
        )
    step = ctx.step(ctx.timing.zone_recovery, key)
    loss = ctx.zone_rpo.get(key)
    at_risk = "cache: rebuilt, not recovered" if store.cache else f"data at risk {_d(loss)}"
    quorum = ""
    if store.engine == "postgres" and store.synchronous_in_region:
        durability = synchronous_durability(instances, len(zones))
        quorum = f"; synchronous standbys: {instances - 1} of {instances} instances left, dataDurability {durability}"
    elif store.engine == "redis":
        left = survivors_after_zone_loss(spread(QUORUM_REPLICAS, len(zones)))
        quorum = f"; Sentinel quorum {left} of {QUORUM_REPLICAS}"
    if instances < 2 or len(zones) < 2:
        return Effect(
            key, "down", "writer down", f"{store.name}: one instance; if it is in {zone}, writes stop until it returns"
        )
    took = f"writer fails over in {_d(step.seconds)}" if step is not None else "writer fails over"
    return Effect(
        key,
        "degraded",
        f"failover {_d(step.seconds if step else None)}, RPO {_d(loss)}"
        if not store.cache
        else f"failover {_d(step.seconds if step else None)}",
        f"{store.name}: if its writer is in {zone}, the {took}{quorum}; {at_risk}",
    )


def _dependencies_ok(ctx: _Context) -> list[Effect]:
    return [Effect(f"dependency:{d.name}", "ok", "", f"{d.name}: unaffected") for d in ctx.plan.dependencies]


# --- region ---------------------------------------------------------------------------------------


def _region(ctx: _Context, region: RegionPlan) -> Disruption:
    plan, timing = ctx.plan, ctx.timing
    others = _others(ctx, region.name)
    serving_lost = region.serving
    effects: list[Effect] = []
    for agent in plan.agents:
        key = f"agent:{agent.name}"
        need = ctx.need(agent.name)
        here = agent.placement(region.name)
        elsewhere = [(r, agent.placement(r.name)) for r in others]
        elsewhere = [(r, p) for r, p in elsewhere if p is not None]
        if not serving_lost:
            lost = here.desired if here else 0
            effects.append(
                Effect(key, "ok", "standby lost", f"{agent.name}: the standby's {lost} replicas in {region.name} lost")
            )
            continue
        if not elsewhere:
            effects.append(
                Effect(key, "down", "0 left", f"{agent.name}: no replicas outside {region.name}: down until it returns")
            )
            continue
        parts = []
        worst: Status = "ok"
        for r, p in elsewhere:
            if p.desired >= need:
                parts.append(f"{p.desired} in {r.name} (min {need}, scales to {p.max})")
            elif p.desired:
                parts.append(f"{p.desired} in {r.name}, below min {need}: scales out to {p.max}")
                worst = "degraded"
            else:
                start = timing.standby_start
                parts.append(
                    f"none running in {r.name} (pilot light): {start.label}, {_d(start.seconds)}"
                    if start
                    else f"none running in {r.name}"
                )
                worst = "degraded"
        cell = " + ".join(f"{p.desired}" for _, p in elsewhere) + f" left (min {need})"
        effects.append(Effect(key, worst, cell, f"{agent.name}: " + "; ".join(parts)))
    for store in plan.stores:
        effects.append(_store_in_region(ctx, store, region))
    for queue in plan.queues:
        key = f"queue:{queue.name}"
        if region.name not in queue.regions:
            effects.append(Effect(key, "none", "—", f"{queue.name}: not in {region.name}"))
        elif not serving_lost:
            effects.append(Effect(key, "ok", "standby copy", f"{queue.name}: the standby's queue (empty) unreachable"))
        elif ctx.multi and others:
            retention = format_duration(queue.retention_s)
            effects.append(
                Effect(
                    key,
                    "degraded",
                    f"stranded ≤ {retention}",
                    f"{queue.name}: messages already in {region.name} wait there until it returns (delayed; kept "
                    f"{retention}, lost if the region stays out longer); new messages go to "
                    f"{', '.join(r.name for r in others)}",
                )
            )
        else:
            effects.append(
                Effect(
                    key, "down", "stranded", f"{queue.name}: no copy outside {region.name}: stranded until it returns"
                )
            )
    if plan.routing is not None or ctx.multi:
        effects.append(_routing_on_region_loss(ctx, region, others))
    effects += _dependencies_ok(ctx)
    resources = scope.in_region(ctx.resources, region.name)
    if not serving_lost:
        return _disruption(
            ctx,
            f"region:{region.name}",
            "region",
            f"region {region.name} (standby) lost",
            0.0,
            0.0,
            "no user-facing effect (standby region)",
            effects,
            resources,
            notes=(f"Until {region.name} returns, a failure of the serving region has nowhere to go.",),
        )
    rto = ctx.estimates[("rto", "region")]
    rpo = ctx.estimates[("rpo", "region")]
    return _disruption(
        ctx,
        f"region:{region.name}",
        "region",
        f"region {region.name} lost",
        rto.value,
        rpo.value,
        "plan: RTO region / RPO region estimates",
        effects,
        resources,
    )


def _store_in_region(ctx: _Context, store: StorePlan, region: RegionPlan) -> Effect:
    key = f"store:{store.name}"
    if region.name not in store.regions:
        return Effect(key, "none", "—", f"{store.name}: not in {region.name}")
    if not region.serving and region.name != store.primary_region:
        return Effect(
            key, "ok", "replica lost", f"{store.name}: its {region.name} copy stops receiving until the region returns"
        )
    loss = ctx.region_rpo.get(key)
    if len(store.regions) < 2:
        return Effect(
            key, "down", "no other copy", f"{store.name}: no copy outside {region.name}: {store.on_region_loss}"
        )
    promote = ctx.step(ctx.timing.store_promotion, key)
    at_risk = "cache: rebuilt" if store.cache else f"data at risk {_d(loss)}"
    if promote is not None and region.name == store.primary_region:
        return Effect(
            key,
            "degraded",
            f"promote {_d(promote.seconds)}, RPO {_d(loss)}" if not store.cache else f"promote {_d(promote.seconds)}",
            f"{store.name}: {promote.label} in {', '.join(store.replica_regions)} within {_d(promote.seconds)}; "
            + at_risk,
        )
    return Effect(
        key,
        "degraded" if (loss or 0) > 0 or loss is None else "ok",
        f"RPO {_d(loss)}" if not store.cache else "rebuilt",
        f"{store.name}: {store.on_region_loss}; {at_risk}",
    )


def _routing_on_region_loss(ctx: _Context, region: RegionPlan, others: list[RegionPlan]) -> Effect:
    timing = ctx.timing
    if not region.serving:
        return Effect("routing", "ok", "no change", f"{region.name} serves no users: no routing change")
    if not ctx.multi or not others:
        return Effect("routing", "down", "nowhere", f"no other region: users reach nothing until {region.name} returns")
    manual = f" + operator response {_d(timing.manual_response_s)}" if timing.manual_response_s is not None else ""
    to = ", ".join(r.name for r in others)
    moved = timing.region_failover_s
    return Effect(
        "routing",
        "degraded",
        f"to {to} in {_d(moved)}",
        f"{timing.region_detection.label} ({_d(timing.region_detection.seconds)}){manual}, then "
        f"{timing.region_switch.label} ({_d(timing.region_switch.seconds)}): users reach {to} after {_d(moved)}",
    )


# --- store primary --------------------------------------------------------------------------------


def _store(ctx: _Context, store: StorePlan) -> Disruption:
    key = f"store:{store.name}"
    region = ctx.plan.region(store.primary_region)
    step = ctx.step(ctx.timing.zone_recovery, key)
    instances = store.instances_in(region.name)
    single = instances < 2 or len(store.zones_in(region.name)) < 2
    rto = None if single or step is None else step.seconds
    rpo = 0.0 if store.cache else ctx.zone_rpo.get(key)
    effects: list[Effect] = []
    for agent in ctx.plan.agents:
        akey = f"agent:{agent.name}"
        if store.name in agent.uses or agent.idempotency_store == store.name:
            retries = agent.retries
            effects.append(
                Effect(
                    akey,
                    "degraded",
                    "retries",
                    f"{agent.name}: calls to {store.name} fail until the failover ends; retried up to "
                    f"{retries.max_attempts} times ({retries.backoff}, {format_duration(retries.base_delay_s)}–"
                    f"{format_duration(retries.max_delay_s)})",
                )
            )
        else:
            effects.append(Effect(akey, "ok", "", f"{agent.name}: does not use {store.name}"))
    for other in ctx.plan.stores:
        if other.name == store.name:
            effects.append(
                Effect(
                    key,
                    "down" if single else "degraded",
                    "writer down" if single else f"failover {_d(rto)}",
                    f"{store.name}: one instance, nothing to fail over to; writes stop until it is back"
                    if single
                    else f"{store.name}: {step.label if step else 'failover'} in {region.name} within {_d(rto)}; "
                    + ("cache: rebuilt" if store.cache else f"data at risk {_d(rpo)}"),
                )
            )
        else:
            effects.append(Effect(f"store:{other.name}", "ok", "", f"{other.name}: unaffected"))
    resources = scope.built_from(ctx.resources, f"stores.{store.name}", region=region.name)
    return _disruption(
        ctx,
        f"store:{store.name}",
        "store",
        f"primary of store {store.name} ({store.engine}, {region.name}) lost",
        rto,
        rpo,
        f"plan: zone recovery step of store {store.name}, its zone RPO part",
        effects,
        resources,
        role="fails over",
    )


# --- broker ---------------------------------------------------------------------------------------


def _broker(ctx: _Context, region: RegionPlan) -> Disruption:
    plan, model = ctx.plan, ctx.model
    name = "SQS" if plan.target == "aws" else "the RabbitMQ cluster"
    detected = _broker_detected(ctx, region.name)
    effects: list[Effect] = []
    for agent in plan.agents:
        key = f"agent:{agent.name}"
        touches = [q for q in agent.consumes + agent.produces]
        if not touches or not region.serving:
            effects.append(Effect(key, "ok", "", f"{agent.name}: uses no queue here"))
            continue
        effects.append(
            Effect(
                key,
                "degraded",
                "retries",
                f"{agent.name}: sends to / receives from {', '.join(dict.fromkeys(touches))} fail; sends are retried "
                f"up to {agent.retries.max_attempts} times",
            )
        )
    for queue in plan.queues:
        effects.append(
            Effect(
                f"queue:{queue.name}",
                "down" if region.serving else "ok",
                "stranded" if region.serving else "standby copy",
                f"{queue.name}: messages already accepted in {region.name} are kept and delivered when {name} returns; "
                "new ones are not accepted meanwhile",
            )
        )
    if not region.serving:
        rto: float | None = 0.0
        basis = "no user-facing effect (standby region)"
        route = Effect("routing", "ok", "no change", f"{region.name} serves no users")
    elif detected and model.multi_region:
        rto = model.failover_s
        basis = f"reliability model: readiness covers the queues, so the region fails over ({model.failover_label})"
        route = Effect(
            "routing",
            "degraded",
            f"fails over in {_d(rto)}",
            f"the ingress agent's readiness covers the queues: the region is failed over ({model.failover_label}, "
            f"{_d(rto)})",
        )
    else:
        rto = None
        basis = (
            "reliability model: the queues are in series (readiness does not cover them)"
            if model.multi_region
            else "one region: nothing to fail over to"
        )
        route = Effect(
            "routing",
            "down" if plan.routing is not None else "none",
            "no failover",
            f"nothing moves users away: the region stays 'healthy' while its queues fail, until {name} returns",
        )
    if plan.routing is not None or ctx.multi:
        effects.append(route)
    if plan.target == "aws":
        resources = [
            r
            for r in scope.built_from(ctx.resources, "queues", region=region.name)
            if r.type.startswith("aws:sqs/queue:")
        ]
    else:
        resources = scope.built_from(ctx.resources, "queues", region=region.name)
    return _disruption(
        ctx,
        f"broker:{region.name}",
        "broker",
        f"message broker ({name}) in {region.name} down",
        rto,
        0.0,
        basis,
        effects,
        resources,
        notes=("Not covered by an objective (the objectives name zone, region and application disruptions).",),
    )


def _broker_detected(ctx: _Context, region: str) -> bool:
    """Whether a broker outage makes the failover mechanism move users (the reliability model's view)."""
    if ctx.plan.target == "aws":
        part = next(
            (p for r in ctx.model.regions if r.name == region for p in r.parts if p.name == "SQS"),
            None,
        )
        return part is not None and part.detected
    ingress = ctx.plan.routing.agent if ctx.plan.routing else None
    agent = next((a for a in ctx.plan.agents if a.name == ingress), None)
    covers = set(agent.readiness_covers or ()) if agent is not None else set()
    return bool(covers & {q.name for q in ctx.plan.queues})


# --- bad deploy -----------------------------------------------------------------------------------


def _deploy(ctx: _Context, name: str) -> Disruption:
    plan = ctx.plan
    agent = plan.agent(name)
    rollout = plan.rollout
    rto = ctx.estimates[("rto", "application")]
    rpo = ctx.estimates[("rpo", "application")]
    effects: list[Effect] = []
    how = (
        f"{rollout.strategy} rollout: the new version takes {rollout.steps[0]} % of traffic first, "
        f"bakes {format_duration(rollout.bake_s)}"
        if rollout.strategy in ("canary", "linear") and rollout.steps
        else f"{rollout.strategy} rollout"
    )
    back = "rolled back automatically" if rollout.auto_rollback else "rolled back by an operator"
    for a in plan.agents:
        key = f"agent:{a.name}"
        if a.name == name:
            effects.append(
                Effect(
                    key,
                    "degraded",
                    "bad version",
                    f"{name}: {how}; old replicas keep serving; {back} within {_d(rto.value)}",
                )
            )
        elif name in a.calls:
            effects.append(
                Effect(key, "degraded", "errors", f"{a.name}: its calls to {name} fail while the bad version serves")
            )
        else:
            effects.append(Effect(key, "ok", "", f"{a.name}: unaffected"))
    for store in plan.stores:
        key = f"store:{store.name}"
        if store.name in agent.uses:
            pitr = "point-in-time recovery undoes it" if store.point_in_time_recovery else "no point-in-time recovery"
            effects.append(
                Effect(key, "degraded", "writes by bad version", f"{store.name}: written by the bad version ({pitr})")
            )
        else:
            effects.append(Effect(key, "ok", "", f"{store.name}: not used by {name}"))
    for queue in plan.queues:
        key = f"queue:{queue.name}"
        if name in queue.consumers:
            effects.append(
                Effect(
                    key,
                    "degraded",
                    f"dead letters after {queue.max_receive_count}",
                    f"{queue.name}: messages the bad version fails on are redelivered, then kept in the dead-letter "
                    f"queue after {queue.max_receive_count} receives (kept "
                    f"{format_duration(queue.dead_letter_retention_s)}): redrive them once fixed",
                )
            )
        elif name in queue.producers:
            effects.append(
                Effect(key, "degraded", "fewer messages", f"{queue.name}: the bad version may stop producing")
            )
        else:
            effects.append(Effect(key, "ok", "", f"{queue.name}: unaffected"))
    if plan.routing is not None or ctx.multi:
        effects.append(Effect("routing", "ok", "no change", "every region gets the same version: no failover helps"))
    effects += _dependencies_ok(ctx)
    resources = scope.built_from(ctx.resources, f"agents.{name}")
    return _disruption(
        ctx,
        f"deploy:{name}",
        "deploy",
        f"bad deploy of agent {name}",
        rto.value,
        rpo.value,
        "plan: RTO application / RPO application estimates",
        effects,
        resources,
        role="changed by a deploy",
    )


# --- dependency -----------------------------------------------------------------------------------


def _dependency(ctx: _Context, name: str) -> Disruption:
    plan = ctx.plan
    dep = next(d for d in plan.dependencies if d.name == name)
    effects: list[Effect] = []
    fallback = ", ".join(dep.fallback)
    gw = plan.gateway if dep.switch_s is not None else None
    for a in plan.agents:
        key = f"agent:{a.name}"
        if a.name in dep.callers and gw is not None and dep.switch_s is not None:
            # The model gateway falls back, not the agent: its calls wait, then are answered by the fallback.
            effects.append(
                Effect(
                    key,
                    "degraded",
                    f"falls back to {fallback}",
                    f"{a.name}: calls to {name} go unanswered for up to {format_duration(dep.switch_s)} "
                    f"({dep.switch_label}), then the gateway answers them from {fallback}; after "
                    f"{gw.allowed_fails} failures in a minute it sends them straight there for "
                    f"{format_duration(gw.cooldown_s)} at a time",
                )
            )
        elif a.name in dep.callers:
            breaker = (
                f"its circuit breaker opens at {a.circuit_breaker.failure_rate_percent:g} % failures over "
                f"{format_duration(a.circuit_breaker.window_s)}"
                if a.circuit_breaker
                else "no circuit breaker: every call waits for its retries"
            )
            effects.append(
                Effect(
                    key,
                    "degraded" if dep.fallback else "down",
                    f"falls back to {fallback}" if dep.fallback else "fails",
                    f"{a.name}: calls to {name} fail; {breaker}"
                    + (f"; it uses {fallback} instead" if dep.fallback else "; no fallback"),
                )
            )
        else:
            effects.append(Effect(key, "ok", "", f"{a.name}: does not call {name}"))
    for d in plan.dependencies:
        key = f"dependency:{d.name}"
        if d.name == name:
            effects.append(Effect(key, "down", "down", f"{name}: {dep.availability_percent:g} % ({dep.basis})"))
        elif d.name in dep.fallback:
            effects.append(Effect(key, "ok", "takes over", f"{d.name}: takes {name}'s calls"))
        else:
            effects.append(Effect(key, "ok", "", f"{d.name}: unaffected"))
    if plan.routing is not None or ctx.multi:
        effects.append(
            Effect("routing", "ok", "no change", "every region calls the same provider: failing over does not help")
        )
    return _disruption(
        ctx,
        f"dependency:{name}",
        "dependency",
        f"external dependency {name} down",
        dep.switch_s,
        0.0,
        (
            f"{dep.switch_label}; then it answers from {fallback}"
            if dep.switch_s is not None
            else f"callers fall back to {fallback} (the agents' own fallback: nothing built times it)"
            if dep.fallback
            else "in series: the callers fail for as long as the provider's outage lasts"
        ),
        effects,
        notes=("Not covered by an objective; counted in the availability estimate (in series with every region).",),
    )
