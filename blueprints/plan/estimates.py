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

from blueprints.capacity import synchronous_durability
from blueprints.figures import Figures
from blueprints.plan.models import Disruption, Estimate, Step, StorePlan, Term, TimingPlan, TopologyPlan
from blueprints.plan.reliability import ReliabilityModel
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
# The closed form of the reliability model (`reliability.py`); `simulate.py` runs the same model as
# a Monte Carlo. Each contribution is an unavailability; the estimate is Π(1 − U_i), capped at the
# provider's published multi-region commitment.


def zone_tolerance(spec: HASpec, plan: TopologyPlan, region: str) -> int:
    """How many zones of a region can fail while every part of the plan keeps serving (0 or 1)."""
    from blueprints.plan.reliability import zone_tolerance as tolerance

    return tolerance(spec, plan, region)


def _k_of_n(zones: int, tolerance: int, a: float) -> float:
    """Probability that at most `tolerance` of `zones` independent zones are down."""
    from blueprints.plan.reliability import k_of_n

    return k_of_n(zones, tolerance, a)


def closed_form(model: ReliabilityModel) -> list[tuple[str, float]]:
    """The unavailability contributions of a reliability model, (label, U), largest first.

    - a global group (DNS, an external dependency and its fallback): P(fewer than `need` up);
    - a region part the failover mechanism does not detect: its unavailability × the region's share;
    - each zone loss a region survives: rate × E[min(zone failover, outage)];
    - single region: every detected part in series, and losing more zones than it tolerates;
    - several regions: each detected region failure (independent share 1 − β) costs
      E[min(F, L)] (F: until clients are served elsewhere; an outage shorter than F ends first),
      or its whole length when it starts while the detection path is down; the common-cause share β
      of region failures takes every region at once (nothing to fail over to); and every region can
      also be down at once independently.
    """
    from blueprints.plan.reliability import (
        expected_min,
        group_unavailability,
        region_detected_unavailability,
        zones_beyond_tolerance,
    )

    out: dict[str, float] = {}

    def add(label: str, u: float) -> None:
        if u > 0:
            out[label] = out.get(label, 0.0) + u

    for g in model.groups:
        label = g.name if len(g.parts) == 1 else f"{g.name} (with its fallback)"
        add(f"{label}: {g.kind}, in series", group_unavailability(g))
        if g.switch_s > 0 and len(g.parts) > 1:
            first, rest = g.parts[0], g.parts[1:]
            add(
                f"{g.name}: switching to its fallback takes {format_duration(g.switch_s)} ({g.switch_label})",
                first.rate * expected_min(g.switch_s, first.mean_outage_s) * math.prod(p.availability for p in rest),
            )
    for r in model.serving:
        for p in r.undetected if model.multi_region else ():
            if p.writer and r.name == model.writer_region:
                continue  # counted below with the writes it stops everywhere
            add(f"{p.name}: not exercised by readiness, in series (never failed over)", r.share * p.unavailability)
        z = r.zones
        if z is not None and z.failover_s > 0 and z.tolerance > 0:
            per_loss = expected_min(z.failover_s, z.zone.mean_outage_s)
            add(
                f"zone losses the region survives: each costs {format_duration(z.failover_s)} ({z.failover_label})",
                r.share * z.count * z.zone.rate * per_loss,
            )
    if not model.multi_region:
        for r in model.serving:
            for p in r.parts:
                add(f"{p.name}: in series (no other region)", r.share * p.unavailability)
            if r.zones is not None:
                u, _ = zones_beyond_tolerance(r.zones)
                add(f"more than {r.zones.tolerance} of {r.zones.count} zones down", r.share * u)
        return sorted(out.items(), key=lambda kv: -kv[1])
    beta = model.common_cause
    f = model.failover_s
    blind = model.detection_path.unavailability if model.detection_path is not None else 0.0

    def per_failure(mean_s: float) -> float:
        # Detected: min(F, L); undetected because the detection path was down then: all of L.
        quick = expected_min(f, mean_s)
        return quick + blind * (mean_s - quick)

    what = f"clients moved after {format_duration(f)}"
    fw = model.write_failover_s

    def per_write_failure(mean_s: float) -> float:
        quick = expected_min(fw, mean_s)
        return quick + blind * (mean_s - quick)

    stops = f"writes stop in every region until promotion, {format_duration(fw)}"
    for r in model.serving:
        writer = r.name == model.writer_region
        for p in r.detected:
            if writer and p.writer:
                continue
            add(f"{p.name} outages: failover ({what})", r.share * (1 - beta) * p.rate * per_failure(p.mean_outage_s))
        if writer:
            # The write primary: every region's writes need it, detected by readiness or not.
            for p in r.parts:
                if p.writer:
                    add(
                        f"{p.name} in {r.name} (write primary) outages: {stops}",
                        (1 - beta) * p.rate * per_write_failure(p.mean_outage_s),
                    )
        if r.zones is not None:
            u, rate = zones_beyond_tolerance(r.zones)
            if u > 0:
                mean = u / rate
                if writer:
                    add(
                        f"more than {r.zones.tolerance} of {r.zones.count} zones down in {r.name} (write primary): "
                        f"{stops}",
                        (1 - beta) * rate * per_write_failure(mean),
                    )
                else:
                    add(
                        f"more than {r.zones.tolerance} of {r.zones.count} zones down: failover ({what})",
                        r.share * (1 - beta) * rate * per_failure(mean),
                    )
    region_u = sum(r.share * region_detected_unavailability(r) for r in model.serving)
    add(f"common cause: {beta * 100:g} % of region failures strike every region at once", beta * region_u)
    add(
        "every region down at once (independent failures)",
        math.prod((1 - beta) * region_detected_unavailability(r) for r in model.regions),
    )
    return sorted(out.items(), key=lambda kv: -kv[1])


def closed_form_value(model: ReliabilityModel) -> tuple[float, list[tuple[str, float]], bool]:
    """(availability as a fraction, contributions, whether the ceiling applied)."""
    parts = closed_form(model)
    value = math.prod(1 - u for _, u in parts)
    capped = model.cap is not None and value > model.cap[0]
    return (model.cap[0] if capped and model.cap else value), parts, capped


def availability(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Estimate:
    from blueprints.plan.reliability import build

    model = build(spec, plan, figs, _timing(spec, plan, figs))
    value, parts, capped = closed_form_value(model)
    terms: list[Term] = []
    seen: set[str] = set()
    for part in [p for r in model.regions for p in r.parts] + [p for g in model.groups for p in g.parts]:
        key = part.figure or part.name
        if key in seen:
            continue
        seen.add(key)
        if part.figure:
            tag = "" if part.detected else " — not exercised by readiness: in series"
            terms.append(_fig(figs, part.figure, f"{part.name}: {figs[part.figure].what}{tag}"))
        else:
            terms.append(_spec_term(f"{part.name}: availability (dependencies)", part.availability * 100, "percent"))
    for g in model.groups:
        if g.switch_s > 0:
            terms.append(
                Term(
                    f"{g.name}: time until its fallback answers ({g.switch_label})",
                    g.switch_s,
                    "seconds",
                    source="plan (as built)",
                    basis="built",
                )
            )
    zones = next((r.zones for r in model.regions if r.zones is not None), None)
    if zones is not None and zones.zone.figure:
        terms.append(_fig(figs, zones.zone.figure))
        for r in model.regions:
            if r.zones is not None:
                terms.append(Term(f"{r.name}: zones that may fail", r.zones.tolerance, "count"))
        terms.append(
            Term(
                f"zone failover, each zone loss ({zones.failover_label})",
                zones.failover_s,
                "seconds",
                source="plan (as built)",
                basis="built",
            )
        )
    if model.detection_path is not None and model.detection_path.figure:
        terms.append(_fig(figs, model.detection_path.figure))
    has_deps = any(g.kind == "dependency" for g in model.groups)
    levels = ["service", "zone"] + (["region"] if model.multi_region else []) + (["dependency"] if has_deps else [])
    stated = getattr(spec.assumptions, "outages", None)
    for level in levels:
        mean = getattr(stated, level, None) if stated is not None else None
        if mean is not None:
            terms.append(_spec_term(f"mean outage length, {level} (assumptions.outages.{level})", mean.total_seconds()))
        elif f"outage-{level}" in figs.table:
            terms.append(_fig(figs, f"outage-{level}"))
    if model.multi_region:
        terms.append(
            Term(
                f"failover: {model.failover_label}",
                model.failover_s,
                "seconds",
                source="plan (as built)",
                basis="built",
            )
        )
        if getattr(spec.assumptions, "common_cause", None) is not None:
            terms.append(
                _spec_term(
                    "common-cause share of region failures (assumptions.common_cause)",
                    model.common_cause * 100,
                    "percent",
                )
            )
        elif "common-cause-region" in figs.table:
            terms.append(_fig(figs, "common-cause-region"))
    if model.cap is not None:
        terms.append(_fig(figs, model.cap[1]))
    for r in model.regions:
        a_region = math.prod(p.availability for p in r.parts)
        terms.append(Term(f"A_region {r.name} (its parts in series)", round(a_region * 100, 6), "percent"))
    total_u = sum(u for _, u in parts)
    for label, u in parts:
        terms.append(Term(f"U: {label}", u * 100, "percent"))
    formula = (
        "A = Π(1 − U_i): "
        + (
            "global groups, undetected parts and survived zone losses in series; each detected region failure "
            "costs E[min(F, L)] (F = time until clients are served elsewhere, L = outage length); common cause "
            "β·U_region; every region down at once"
            if model.multi_region
            else "global groups, every part of the region and survived zone losses in series; more zones down "
            "than tolerated"
        )
        + (f"; capped at {model.cap[0] * 100:g} %" if model.cap else "")
    )
    assumptions = list(model.assumptions)
    assumptions.append(
        "Outages are independent (but for the common-cause share) and exponentially long with the stated mean; "
        "`simulate` also runs heavy-tailed lengths, failure detection at a random phase and replication lag."
    )
    if total_u > 0:
        ranked = ", ".join(f"{label.split(':')[0]} {u / total_u * 100:.0f} %" for label, u in parts[:4])
        assumptions.append(f"What dominates the unavailability: {ranked}.")
    if capped and model.cap is not None:
        assumptions.append(
            f"Capped at the provider's published multi-region commitment: {figs[model.cap[1]].what} "
            f"({model.cap[1]}, {model.cap[0] * 100:g} %). No estimate claims "
            "more nines than the provider commits to."
        )
    assumptions.extend(_assumed(terms))
    return Estimate(
        kind="availability",
        disruption=None,
        value=round(value * 100, 6),
        objective=spec.objectives.availability,
        formula=formula,
        terms=tuple(terms),
        assumptions=tuple(dict.fromkeys(assumptions)),
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
        if timing.switch_plan:
            assumptions.append(
                f"{step.mechanism.removesuffix('-promotion')} is promoted by the ARC Region switch plan the stack "
                "builds (its failover workflow: trigger or approval, scale-out, then the store), not by DNS failover."
            )
        elif spec.topology.failover.mode == "automatic":
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
    single_writer = [s.name for s in plan.stores if s.writes == "primary-region" and len(s.regions) > 1]
    if single_writer and timing.store_promotion:
        reads = detect.seconds + manual + max(s.seconds for s in parallel if s not in timing.store_promotion)
        assumptions.append(
            f"Single writer ({', '.join(single_writer)}, `writes: primary-region`): this is the loss of the primary "
            f"region {plan.primary_region.name}, whose writes wait for the promotion. Reads, and the loss of any "
            f"other region, are served elsewhere after {format_duration(reads)}."
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


RpoPart = tuple[str, str, float | None]
"""(component key `store:<name>` / `queue:<name>`, label, loss bound in seconds or None: unbounded)."""


def rpo_zone(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    parts, terms, assumptions = rpo_zone_parts(spec, plan, figs)
    return _rpo("zone", [(label, v) for _, label, v in parts], terms, assumptions, objective)


def rpo_zone_parts(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[list[RpoPart], list[Term], list[str]]:
    """Each store's and queue's loss bound when one zone is lost (the parts `rpo_zone` takes the max of)."""
    parts: list[RpoPart] = []
    terms: list[Term] = []
    assumptions: list[str] = []
    single = plan.pattern == "single-zone"
    for store in _durable(plan, assumptions):
        key = f"store:{store.name}"
        if single:
            parts.append((key, f"store {store.name}", None if store.engine in ("valkey", "redis") else 0.0))
            continue
        if store.engine in ("dynamodb", "aurora-postgresql", "aurora-dsql"):
            parts.append((key, f"store {store.name} (synchronous multi-zone storage)", 0.0))
        elif store.engine == "cockroachdb":
            parts.append((key, f"store {store.name} (raft: a write commits on a majority of replicas)", 0.0))
        elif store.engine == "postgres" and store.synchronous_in_region:
            parts.append((key, f"store {store.name} (synchronous standby)", 0.0))
            preferred = [
                r
                for r in store.regions
                if synchronous_durability(store.instances_in(r), len(store.zones_in(r))) == "preferred"
            ]
            if preferred:
                assumptions.append(
                    f"Store {store.name}: in {', '.join(preferred)} fewer than 3 instances over 3 zones, so "
                    "durability is `preferred`: nothing is lost with one zone, but while the standby's zone is "
                    "down commits are not copied, and losing the primary's zone then would lose them."
                )
        else:
            fid = {"valkey": "elasticache-replica-lag", "redis": "redis-replica-lag", "postgres": "cnpg-replica-lag"}[
                store.engine
            ]
            terms.append(_fig(figs, fid))
            parts.append((key, f"store {store.name} (asynchronous replica)", figs.value(fid)))
    for queue in plan.queues:
        parts.append((f"queue:{queue.name}", f"queue {queue.name} ({QUEUE_ZONE_DURABILITY[plan.target]})", 0.0))
    if single:
        assumptions.append(
            "single-zone: stores and queues on AWS keep their data across zones of the region "
            "(DynamoDB, Aurora storage, SQS); in-memory caches in the zone are lost."
        )
    return parts, terms, assumptions


def rpo_region(spec: HASpec, plan: TopologyPlan, figs: Figures, objective: float | None) -> Estimate:
    """The region RPO as a bound you can defend: the replication lag you would be told about.

    A typical lag ("typically under a second") is not a bound: a region that degrades before it fails
    stalls replication while it still acknowledges writes. What the deployed system does bound is the
    lag its replication-lag alarm reports: above the threshold for the alarm's evaluation time. Beyond
    that someone has been paged, and only stopping writes or failing over early keeps the loss there.
    """
    parts, terms, assumptions = rpo_region_parts(spec, plan, figs)
    return _rpo("region", [(label, v) for _, label, v in parts], terms, assumptions, objective)


def rpo_region_parts(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[list[RpoPart], list[Term], list[str]]:
    """Each store's and queue's loss bound when the primary region is lost (the parts `rpo_region`
    takes the max of; see its docstring)."""
    from blueprints.plan.reliability import replication

    parts: list[RpoPart] = []
    terms: list[Term] = []
    assumptions: list[str] = []
    multi = plan.pattern in ("active-passive", "active-active")
    replicated = {r.store: r for r in replication(spec, plan, figs)}
    alarm_terms_added = False
    for store in _durable(plan, assumptions):
        if not multi:
            parts.append((f"store:{store.name}", f"store {store.name} (no copy outside the region)", None))
            continue
        if store.engine == "dynamodb" and store.replication == "sync":
            parts.append((f"store:{store.name}", f"store {store.name} (multi-region strong consistency)", 0.0))
            continue
        if store.engine == "aurora-dsql" and len(store.regions) > 1:
            parts.append(
                (
                    f"store:{store.name}",
                    f"store {store.name} (Aurora DSQL multi-Region: synchronous, strongly consistent)",
                    0.0,
                )
            )
            assumptions.append(
                f"Store {store.name}: Aurora DSQL commits a transaction only once the peered region or the witness "
                f"({store.witness_region}) holds it, so a lost region loses no acknowledged write."
            )
            continue
        if store.engine == "cockroachdb" and len(store.regions) >= 3:
            parts.append(
                (
                    f"store:{store.name}",
                    f"store {store.name} (CockroachDB over {len(store.regions)} regions: raft, synchronous)",
                    0.0,
                )
            )
            assumptions.append(
                f"Store {store.name}: CockroachDB acknowledges a write once a majority of its range's 3 replicas, "
                "in 3 different regions, holds it, so a lost region loses no acknowledged write; 3 regions are the "
                "minimum for this (with 2, one region holds the majority)."
            )
            continue
        rep = replicated.get(store.name)
        if rep is None:
            parts.append(
                (f"store:{store.name}", f"store {store.name} ({store.engine}: not replicated across regions)", None)
            )
            continue
        terms.append(
            _fig(figs, rep.typical_figure, f"{store.name}: {figs[rep.typical_figure].what} — typical, not a bound")
        )
        bound = rep.bound_s
        if bound is None:
            parts.append(
                (
                    f"store:{store.name}",
                    f"store {store.name} (asynchronous; no replication-lag alarm bounds what you are told)",
                    None,
                )
            )
            assumptions.append(
                "observability.alarms.replication_lag is off: nothing reports the cross-region lag, so no loss "
                "bound can be defended. Set it (e.g. 30s) to get one."
            )
            continue
        if not alarm_terms_added:
            alarm_terms_added = True
            terms.append(
                _spec_term(
                    "replication-lag alarm threshold (observability.alarms.replication_lag)", rep.alarm_threshold_s
                )
            )
            how = (
                "Prometheus rule `for: 5m`"
                if plan.target == "kubernetes"
                else "CloudWatch: average over 60 s periods, 3 of 3 breaching"
            )
            terms.append(
                Term(
                    f"the lag stays above the threshold this long before the alarm fires ({how})",
                    rep.alarm_detection_s,
                    "seconds",
                    source="plan (as built)",
                    basis="built",
                )
            )
        parts.append(
            (
                f"store:{store.name}",
                f"store {store.name} (asynchronous: alarm threshold {format_duration(rep.alarm_threshold_s or 0)} "
                f"+ alarm detection {format_duration(rep.alarm_detection_s)})",
                bound,
            )
        )
    if replicated:
        typical = max(r.typical_lag_s for r in replicated.values())
        assumptions.append(
            f"A bound, not the typical lag ({format_duration(typical)}): a region degrading before it fails stalls "
            "replication while it still acknowledges writes. The bound is the lag the replication-lag alarm lets "
            "build up before it pages; past it, only stopping writes or failing over early keeps the loss there."
        )
        assumptions.append(
            "The lag alarm reads a metric the replicating region publishes; when that region stops publishing "
            "during a total outage, missing data is not breaching, so the alarm stays silent then."
        )
    if plan.queues:
        for queue in plan.queues:
            if multi:
                parts.append((f"queue:{queue.name}", f"queue {queue.name} (stranded messages delayed, not lost)", 0.0))
                assumptions.append(
                    f"queue {queue.name}: messages already in the lost region wait there for the whole outage "
                    f"(delayed), kept {format_duration(queue.retention_s)}; lost if the region is lost for good "
                    f"or stays out longer than that. New messages go to the new region."
                )
            else:
                parts.append((f"queue:{queue.name}", f"queue {queue.name} (no copy outside the region)", None))
    return parts, terms, assumptions


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
