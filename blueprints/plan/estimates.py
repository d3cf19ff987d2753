"""Availability, RTO and RPO the planned topology can deliver, before anything is deployed.

Every estimate carries its formula, each input (with the figure id, source and whether it is
published or assumed) and the assumptions behind it, so a reader can check the arithmetic.

Model, in short:
- Availability: the services on a region's request path in series (each distinct service counted
  once per region, from its published SLA); regions in parallel when failover is automatic; DNS in
  series on top. On Kubernetes a region survives while at most `f` of its N zones are down, where `f`
  is the zone loss every part of the plan tolerates (k-of-N with a per-zone figure).
- RTO: detection, then the recovery steps that run side by side (the slowest one counts). Every
  detection, switch and recovery time comes from `timing.py` (the mechanisms the components build).
- RPO: the worst data-loss window over every store and queue for that disruption.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from blueprints.capacity import spread, survivors_after_zone_loss
from blueprints.figures import Figures
from blueprints.plan.models import AgentPlan, Disruption, Estimate, Step, StorePlan, Term, TimingPlan, TopologyPlan
from blueprints.spec.models import HASpec
from blueprints.units import format_duration

QUORUM_REPLICAS = 3
QUEUE_ZONE_DURABILITY = {"aws": "SQS: stored in several zones", "kubernetes": "quorum queue: majority-acknowledged"}


def estimate(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[Estimate, ...]:
    """All estimates of a plan: availability, then RTO and RPO per disruption."""
    out = [availability(spec, plan, figs)]
    for disruption, rto_fn, rpo_fn in (
        ("zone", rto_zone, rpo_zone),
        ("region", rto_region, rpo_region),
        ("application", rto_application, rpo_application),
    ):
        objective = getattr(spec.objectives.disruptions, disruption)
        out.append(rto_fn(spec, plan, figs, objective.rto.total_seconds() if objective else None))
        out.append(rpo_fn(spec, plan, figs, objective.rpo.total_seconds() if objective else None))
    return tuple(out)


def _fig(figs: Figures, fid: str, label: str | None = None) -> Term:
    f = figs[fid]
    return Term(label=label or f.what, value=f.value, unit=f.unit, figure=fid, source=f.source, basis=f.basis)


def _spec_term(label: str, value: float | None, unit: str = "seconds") -> Term:
    return Term(label=label, value=value, unit=unit, figure=None, source="spec", basis="spec")  # type: ignore[arg-type]


def _assumed(terms: Iterable[Term]) -> list[str]:
    return [
        f"'{t.figure}' ({t.label}) is an assumption, not a published figure; override it under "
        "`assumptions` once you have a better one"
        for t in terms
        if t.basis == "assumption" and t.figure
    ]


# --- availability --------------------------------------------------------------------------------


def _aws_region_services(spec: HASpec, single_zone: bool) -> list[tuple[str, str]]:
    """(figure id, short label) of each distinct service on a region's request path."""
    services: list[tuple[str, str]] = []
    if spec.agents:
        services.append(("aws-compute-single-az" if single_zone else "aws-compute-region", "Compute"))
    if any(a.port is not None for a in spec.agents):
        services.append(("aws-elb-single-az" if single_zone else "aws-elb-multi-az", "ELB"))
    if spec.queues:
        services.append(("aws-sqs", "SQS"))
    engines = {s.engine for s in spec.stores}
    if "dynamodb" in engines:
        services.append(("aws-dynamodb", "DynamoDB"))
    if "aurora-postgresql" in engines:
        services.append(("aws-aurora-single-az" if single_zone else "aws-aurora-multi-az", "Aurora"))
    if "valkey" in engines:
        services.append(("aws-elasticache-single-az" if single_zone else "aws-elasticache-multi-az", "ElastiCache"))
    if spec.stores or spec.queues:
        services.append(("aws-kms", "KMS"))
    return services


def zone_tolerance(spec: HASpec, plan: TopologyPlan, region: str) -> int:
    """How many zones of a region can fail while every part of the plan keeps serving (0 or 1)."""
    zones = len(plan.region(region).zones)
    if zones < 2:
        return 0
    for agent in plan.agents:
        p = agent.placement(region)
        if p is not None and p.desired and p.survivors_after_zone_loss < _agent_min(spec, agent):
            return 0
    quorum = bool(spec.queues) or any(s.engine == "redis" for s in spec.stores)
    if quorum and survivors_after_zone_loss(spread(QUORUM_REPLICAS, zones)) <= QUORUM_REPLICAS // 2:
        return 0
    return 1


def _agent_min(spec: HASpec, agent: AgentPlan) -> int:
    source = spec.agent(agent.name)
    return source.replicas.min if source else 1


def _k_of_n(zones: int, tolerance: int, a: float) -> float:
    """Probability that at most `tolerance` of `zones` independent zones are down."""
    return sum(math.comb(zones, k) * (1 - a) ** k * a ** (zones - k) for k in range(tolerance + 1))


def availability(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Estimate:
    terms: list[Term] = []
    assumptions = [
        "A 30-day window; services fail independently, so availabilities multiply in series.",
        "Each distinct service is counted once per region (agents share the region's compute SLA).",
        "Secrets Manager, CloudWatch and image pulls are off the request path once tasks run.",
    ]
    region_values: dict[str, float] = {}
    single_zone = plan.pattern == "single-zone"
    if plan.target == "aws":
        services = _aws_region_services(spec, single_zone)
        for fid, label in services:
            terms.append(_fig(figs, fid, f"{label}: {figs[fid].what}"))
        per_region = math.prod(figs.value(fid) / 100 for fid, _ in services) if services else 1.0
        region_formula = " × ".join(label for _, label in services) or "1"
        for r in plan.regions:
            region_values[r.name] = per_region
    else:
        a_zone = figs.value("k8s-zone") / 100
        terms.append(_fig(figs, "k8s-zone"))
        parts = []
        ingress = figs.value("k8s-ingress") / 100 if spec.ingress else 1.0
        if spec.ingress:
            terms.append(_fig(figs, "k8s-ingress"))
            parts.append("Ingress LB")
        for r in plan.regions:
            tol = zone_tolerance(spec, plan, r.name)
            region_values[r.name] = ingress * _k_of_n(len(r.zones), tol, a_zone)
            terms.append(Term(f"{r.name}: zones that may fail", tol, "count"))
        parts.append("P(≤ f of N zones down)")
        region_formula = " × ".join(parts)
        assumptions.append(
            "Zones fail as units and independently; f is the zone loss that every agent, "
            "store and quorum tolerates (static stability, majority kept)."
        )
    multi = plan.pattern in ("active-passive", "active-active")
    dns_id = "aws-route53" if plan.target == "aws" else "k8s-global-dns"
    dns = 1.0
    if multi or (plan.target == "aws" and spec.ingress is not None):
        dns = figs.value(dns_id) / 100
        terms.append(_fig(figs, dns_id, f"DNS: {figs[dns_id].what}"))
    automatic = spec.topology.failover.mode == "automatic"
    primary = plan.primary_region.name
    for name, value in region_values.items():
        terms.append(Term(f"A_region {name}", round(value * 100, 6), "percent"))
    if multi and automatic:
        unavailable = math.prod(1 - v for v in region_values.values())
        value = dns * (1 - unavailable)
        formula = f"A = DNS × (1 − Π(1 − A_region)); A_region = {region_formula}"
        assumptions.append(
            "Regions fail independently and failover is automatic; the time a failover takes "
            "is counted in the region RTO, not here."
        )
    elif multi:
        value = dns * region_values[primary]
        formula = f"A = DNS × A_primary; A_region = {region_formula}"
        assumptions.append(
            "Failover is manual, so the standby adds nothing until someone acts; its time is in the region RTO."
        )
    else:
        value = dns * region_values[primary]
        formula = f"A = {'DNS × ' if dns < 1 or spec.ingress else ''}A_region; A_region = {region_formula}"
    assumptions.extend(_assumed(terms))
    return Estimate(
        kind="availability",
        disruption=None,
        value=round(value * 100, 6),
        objective=spec.objectives.availability,
        formula=formula,
        terms=tuple(terms),
        assumptions=tuple(assumptions),
    )


# --- RTO -----------------------------------------------------------------------------------------


def _timing(spec: HASpec, plan: TopologyPlan, figs: Figures) -> TimingPlan:
    """The plan's timing record (built by the planner); computed here for a plan made without it."""
    from blueprints.plan.timing import build_timing

    return plan.timing if plan.timing is not None else build_timing(spec, plan, figs)


def rto_zone(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    if plan.pattern == "single-zone":
        return Estimate(
            kind="rto",
            disruption="zone",
            value=None,
            objective=objective,
            formula="unbounded: a single-zone topology has no other zone to serve from",
            terms=(),
            assumptions=("Service returns only when the zone does.",),
        )
    steps = _timing(spec, plan, figs).zone_recovery
    assumptions = ["Recovery steps run side by side after the zone is lost; the slowest one sets the RTO."]
    for agent in plan.agents:
        if agent.consumes:
            visibility = max(plan.queue(q).visibility_timeout_s for q in agent.consumes)
            assumptions.append(
                f"Messages '{agent.name}' was handling in the lost zone reappear after the "
                f"visibility timeout ({format_duration(visibility)}): delayed, not lost."
            )
    slowest = max(steps, key=lambda s: s.seconds) if steps else Step("nothing to recover", 0.0, "none")
    all_terms = [t for s in steps for t in s.terms]
    formula = "RTO_zone = max(" + ", ".join(f"{s.label} {format_duration(s.seconds)}" for s in steps) + ")"
    assumptions.append(f"Slowest step: {slowest.label}.")
    assumptions.extend(_assumed(all_terms))
    return Estimate(
        kind="rto",
        disruption="zone",
        value=slowest.seconds,
        objective=objective,
        formula=formula,
        terms=tuple(all_terms),
        assumptions=tuple(dict.fromkeys(assumptions)),
    )


def rto_region(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    if plan.pattern not in ("active-passive", "active-active"):
        return Estimate(
            kind="rto",
            disruption="region",
            value=None,
            objective=objective,
            formula="unbounded: a single-region topology has no region to fail over to",
            terms=(),
            assumptions=("Service returns only when the region does; backups stay in the region.",),
        )
    timing = _timing(spec, plan, figs)
    detect = timing.region_detection
    terms: list[Term] = list(detect.terms)
    assumptions: list[str] = [f"Detection: {detect.label} ({detect.mechanism}, as built)."]
    manual = timing.manual_response_s or 0.0
    if timing.manual_response_s is not None:
        terms.append(_spec_term("operator response (failover.manual_response)", manual))
    parallel: list[Step] = [timing.region_switch]
    if timing.standby_start is not None:
        parallel.append(timing.standby_start)
        assumptions.append("Pilot light: compute starts from zero when failover is detected.")
    elif plan.standby == "warm":
        assumptions.append("Warm standby serves the agents' `min` at once and scales to full capacity behind it.")
    for step in timing.store_promotion:
        parallel.append(step)
        if spec.topology.failover.mode == "automatic":
            assumptions.append(
                f"{step.mechanism.removesuffix('-promotion')} is promoted in another region by an explicit "
                "action (the runbook's command), not by DNS failover: counted as failover.manual_response."
            )
    for step in parallel:
        terms.extend(t for t in step.terms if t not in terms)
    slowest = max(parallel, key=lambda s: s.seconds)
    value = detect.seconds + manual + slowest.seconds
    formula = (
        f"RTO_region = detection {format_duration(detect.seconds)}"
        + (f" + operator response {format_duration(manual)}" if timing.manual_response_s is not None else "")
        + " + max("
        + ", ".join(f"{s.label} {format_duration(s.seconds)}" for s in parallel)
        + ")"
    )
    assumptions.extend(timing.notes)
    assumptions.append(f"Slowest step after detection: {slowest.label}.")
    assumptions.extend(_assumed(terms))
    return Estimate(
        kind="rto",
        disruption="region",
        value=value,
        objective=objective,
        formula=formula,
        terms=tuple(terms),
        assumptions=tuple(dict.fromkeys(assumptions)),
    )


def rto_application(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    rollout = plan.rollout
    terms: list[Term] = []
    assumptions = [
        "A crash-looping version never takes traffic: old replicas keep serving until new ones are "
        "healthy (minimum healthy 100% / maxUnavailable 0)."
    ]
    progressive = rollout.strategy in ("canary", "blue-green", "linear")
    detect_id = "argo-analysis" if plan.target == "kubernetes" and progressive else "alarm-detection"
    terms.append(_fig(figs, detect_id))
    value = figs.value(detect_id)
    if progressive:
        terms.append(_fig(figs, "traffic-shift-back"))
        value += figs.value("traffic-shift-back")
        assumptions.append(
            f"A {rollout.strategy} rollout keeps the previous version running until the bake time "
            "ends, so rolling back is a traffic shift."
        )
    else:
        start_id = "fargate-task-start" if plan.target == "aws" else "k8s-pod-start"
        terms.append(_fig(figs, start_id))
        value += figs.value(start_id)
        assumptions.append("A rolling rollback starts the previous version's replicas again.")
    automatic = rollout.auto_rollback and not (plan.target == "kubernetes" and not progressive)
    if not automatic:
        manual = spec.topology.failover.manual_response.total_seconds()
        terms.append(_spec_term("operator response (no automatic rollback)", manual))
        value += manual
        if plan.target == "kubernetes" and not progressive:
            assumptions.append(
                "A Kubernetes Deployment does not roll back by itself; someone runs `kubectl rollout undo`."
            )
    formula = (
        "RTO_application = detection + "
        + ("" if automatic else "operator response + ")
        + ("traffic shift back" if progressive else "restart previous version")
    )
    assumptions.extend(_assumed(terms))
    return Estimate(
        kind="rto",
        disruption="application",
        value=value,
        objective=objective,
        formula=formula,
        terms=tuple(terms),
        assumptions=tuple(assumptions),
    )


# --- RPO -----------------------------------------------------------------------------------------


def rpo_zone(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    parts: list[tuple[str, float | None]] = []
    terms: list[Term] = []
    assumptions: list[str] = []
    single = plan.pattern == "single-zone"
    for store in _durable(plan, assumptions):
        if single:
            parts.append((f"store {store.name}", None if store.engine in ("valkey", "redis") else 0.0))
            continue
        if store.engine in ("dynamodb", "aurora-postgresql"):
            parts.append((f"store {store.name} (synchronous multi-zone storage)", 0.0))
        elif store.engine == "postgres" and store.synchronous_in_region:
            parts.append((f"store {store.name} (synchronous standby)", 0.0))
        else:
            fid = {"valkey": "elasticache-replica-lag", "redis": "redis-replica-lag", "postgres": "cnpg-replica-lag"}[
                store.engine
            ]
            terms.append(_fig(figs, fid))
            parts.append((f"store {store.name} (asynchronous replica)", figs.value(fid)))
    for queue in plan.queues:
        parts.append(
            (
                f"queue {queue.name} ({QUEUE_ZONE_DURABILITY[plan.target]})",
                0.0,
            )
        )
    if single:
        assumptions.append(
            "single-zone: stores and queues on AWS keep their data across zones of the region "
            "(DynamoDB, Aurora storage, SQS); in-memory caches in the zone are lost."
        )
    return _rpo("zone", parts, terms, assumptions, objective)


def rpo_region(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    parts: list[tuple[str, float | None]] = []
    terms: list[Term] = []
    assumptions: list[str] = []
    multi = plan.pattern in ("active-passive", "active-active")
    for store in _durable(plan, assumptions):
        if not multi:
            parts.append((f"store {store.name} (no copy outside the region)", None))
            continue
        if store.engine == "dynamodb" and store.replication == "sync":
            parts.append((f"store {store.name} (multi-region strong consistency)", 0.0))
            continue
        fid = {
            "dynamodb": "dynamodb-global-lag",
            "aurora-postgresql": "aurora-global-lag",
            "valkey": "elasticache-global-lag",
            "postgres": "cnpg-replica-cluster-lag",
        }.get(store.engine)
        if fid is None:
            parts.append((f"store {store.name} (redis: not replicated across regions)", None))
            continue
        terms.append(_fig(figs, fid))
        parts.append((f"store {store.name} (asynchronous cross-region)", figs.value(fid)))
    if plan.queues:
        if multi:
            assumptions.append(
                "Messages already in the lost region's queues wait there until it returns (kept "
                "for the queue's retention): delayed, not lost. New messages go to the new region."
            )
        for queue in plan.queues:
            parts.append((f"queue {queue.name}", 0.0 if multi else None))
    return _rpo("region", parts, terms, assumptions, objective)


def rpo_application(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    assumptions = [
        "State lives outside the agents; a rolled-back version loses no acknowledged write.",
        "Messages the bad version failed on are redelivered (at-least-once) or kept in the dead-letter queue.",
    ]
    no_pitr = [s.name for s in plan.stores if not s.point_in_time_recovery and s.engine != "valkey"]
    if no_pitr:
        assumptions.append(
            "Logical corruption by a bad version cannot be undone for stores without point-in-time "
            f"recovery: {', '.join(no_pitr)}."
        )
    else:
        assumptions.append("Logical corruption is undone with point-in-time recovery (outside this estimate).")
    parts: list[tuple[str, float | None]] = [(f"store {s.name}", 0.0) for s in plan.stores]
    parts += [(f"queue {q.name} (dead-letter queue)", 0.0) for q in plan.queues]
    return _rpo("application", parts, [], assumptions, objective)


def _durable(plan: TopologyPlan, assumptions: list[str]) -> list[StorePlan]:
    """Stores whose loss counts toward RPO; caches are noted and left out."""
    caches = [s.name for s in plan.stores if s.cache]
    if caches:
        assumptions.append(f"Caches ({', '.join(caches)}) are rebuilt, not recovered: left out of RPO.")
    return [s for s in plan.stores if not s.cache]


def _rpo(
    disruption: Disruption,
    parts: list[tuple[str, float | None]],
    terms: list[Term],
    assumptions: list[str],
    objective: float | None,
) -> Estimate:
    if not parts:
        return Estimate(
            kind="rpo",
            disruption=disruption,
            value=0.0,
            objective=objective,  # type: ignore[arg-type]
            formula="RPO = 0: no stores or queues hold state",
            terms=(),
            assumptions=tuple(assumptions),
        )
    unbounded = [name for name, v in parts if v is None]
    value = None if unbounded else max(v for _, v in parts if v is not None)
    shown = ", ".join(f"{name} {'unbounded' if v is None else format_duration(v)}" for name, v in parts)
    formula = f"RPO_{disruption} = max({shown})"
    if unbounded:
        assumptions.append("Unbounded: " + ", ".join(unbounded) + ".")
    assumptions.extend(_assumed(terms))
    return Estimate(
        kind="rpo",
        disruption=disruption,
        value=value,
        objective=objective,  # type: ignore[arg-type]
        formula=formula,
        terms=tuple(terms),
        assumptions=tuple(dict.fromkeys(assumptions)),
    )
