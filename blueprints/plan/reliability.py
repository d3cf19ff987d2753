"""The deployed system as a reliability model: one description that `plan`'s closed form
(`estimates.availability`) and `simulate`'s Monte Carlo (`simulate.py`) both read.

Pure data, built from the spec, the plan, the figures and the plan's timing record (`timing.py`):

- per region, the parts on its request path in series (an AWS service, the ingress load balancer,
  the NAT gateways carrying calls out), each with its availability, its mean outage length, and
  whether its failure is DETECTED by the failover mechanism. Only what the ingress agent's readiness
  probe exercises is detected: a part it does not exercise stays in series, never failed over;
- the zones (k-of-N: the region serves while at most `tolerance` of its `count` zones are down) and
  what each zone loss it survives still costs (`zone_recovery`: node grace, pod start, a store's
  failover inside the region);
- global groups in series for everyone: DNS, and each external dependency (with its fallback in
  parallel when calls to it fail over);
- the failover time charged to each detected region failure (detection + switch, operator response
  when manual, pilot-light start and store promotions), never longer than the outage itself;
- the common-cause share of region failures (shared control planes, global services, a bad change
  pushed everywhere) that hit every region at once;
- the provider's published multi-region commitment, which no estimate may exceed;
- per asynchronously replicated store, the lag figures and the replication-lag alarm behind the RPO.

Availabilities are SLA figures: credit thresholds, not measured availability. Every default a part
takes that the figures table does not carry is an assumption, and says so in `assumptions`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

from blueprints.figures import Figures
from blueprints.plan.models import TimingPlan, TopologyPlan
from blueprints.spec.models import HASpec

MULTI_REGION = ("active-passive", "active-active")
QUORUM_REPLICAS = 3

DEFAULT_OUTAGE_S = {"service": 3600.0, "zone": 3600.0, "region": 3600.0, "dependency": 3600.0}
"""Mean outage length per level when the spec states none (`assumptions.outages`): an assumption.
Public post-event summaries of cloud providers report regional events lasting from tens of minutes
to several hours; one hour is a round middle. Shorter outages of the same availability come more
often, so each one's failover cost weighs more: override with what your incident history shows."""

DEFAULT_COMMON_CAUSE = 0.02
"""Share of region failures that strike every region at once, when the spec states none: an
assumption (shared control planes, global services, one bad change pushed everywhere)."""

ALARM_PERIOD_S = 60
ALARM_EVALUATION_PERIODS = 3
"""The AWS replication-lag alarms (components/aws/alarms.py `metric_alarm` defaults): average over
60 s periods, 3 of 3 breaching. A lag above the threshold is reported this long after it starts."""

PROMETHEUS_LAG_FOR_S = 300
"""The Kubernetes replication-lag alert's `for:` (components/kubernetes/observability.py, 5m)."""

PUBLISHED_MULTI_REGION = {"dynamodb": "aws-dynamodb-global"}
_ENGINE_PART = {"aurora-postgresql": "Aurora", "postgres": "PostgreSQL"}
"""Engines whose provider publishes a multi-region commitment (figure id), used as a ceiling."""


@dataclass(frozen=True)
class Part:
    """Something that fails and comes back as a unit: a service in a region, a zone, a DNS, a provider.

    Modelled as an alternating renewal process: up for a while, then down for an outage of mean
    `mean_outage_s`; over time it is up `availability` of the time, so outages begin at
    `rate` = (1 − availability) / mean_outage_s per second.
    """

    name: str
    availability: float
    mean_outage_s: float
    figure: str | None = None
    detected: bool = True
    """Region parts only: whether a failure of this part makes the failover mechanism move traffic."""
    basis: str | None = None
    writer: bool = False
    """The write primary of a single-writer store in active-active (`writes: primary-region`), in its
    primary region: while it is down every region's writes stop, until a secondary is promoted."""

    @property
    def unavailability(self) -> float:
        return 1.0 - self.availability

    @property
    def rate(self) -> float:
        """Outages per second."""
        return self.unavailability / self.mean_outage_s if self.mean_outage_s > 0 else 0.0


@dataclass(frozen=True)
class Zones:
    """A region's zones: it serves while at most `tolerance` of `count` zones are down."""

    count: int
    tolerance: int
    zone: Part
    failover_s: float
    """What each zone loss the region survives costs: until the slowest part serves again."""
    failover_label: str


@dataclass(frozen=True)
class Region:
    name: str
    share: float
    """Share of the traffic it serves while every region is well (1 for the primary of an
    active-passive pair, 1/n for each of n active regions, 0 for a standby)."""
    parts: tuple[Part, ...]
    zones: Zones | None = None

    @property
    def detected(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.detected)

    @property
    def undetected(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if not p.detected)


@dataclass(frozen=True)
class Group:
    """Parts every request needs whatever the region: down when fewer than `need` are up."""

    name: str
    parts: tuple[Part, ...]
    need: int = 1
    kind: Literal["dns", "dependency"] = "dns"
    switch_s: float = 0.0
    """Dependency with fallbacks: how long calls still fail after the first part fails, before the fallback
    answers them (the model gateway's retries of a call that does not answer: (retries + 1) × timeout)."""
    switch_label: str = ""


@dataclass(frozen=True)
class Replication:
    """A store replicated asynchronously across regions, and what bounds the loss when one is lost."""

    store: str
    engine: str
    typical_lag_s: float
    typical_figure: str
    alarm_threshold_s: float | None
    """observability.alarms.replication_lag as built (None: no alarm, nothing tells you the lag)."""
    alarm_detection_s: float
    """How long a lag above the threshold lasts before the alarm fires."""

    @property
    def bound_s(self) -> float | None:
        """The lag you would be told about: above the threshold for the alarm's detection time."""
        if self.alarm_threshold_s is None:
            return None
        return max(self.alarm_threshold_s, self.typical_lag_s) + self.alarm_detection_s


@dataclass(frozen=True)
class ReliabilityModel:
    """The deployed system, as both the closed form and the simulator see it."""

    target: str
    pattern: str
    regions: tuple[Region, ...]
    groups: tuple[Group, ...]
    failover: Literal["automatic", "manual", "none"]
    failover_s: float
    """Detected region failure → clients served again elsewhere (detection, operator when manual,
    the slowest of DNS switch, pilot-light start and store promotions)."""
    failover_label: str
    detection_s: float
    """The detection part of `failover_s`."""
    detection_period_s: float
    """The detection mechanism's check period: a failure starts at a random phase of it, so detection
    takes between `detection_s` − this and `detection_s` (the simulator draws it)."""
    common_cause: float
    region_outage_s: float
    detection_path: Part | None
    """A part the detection itself needs (CloudWatch for a private AWS ingress): a region failure
    that starts while it is down in that region is never detected, so never failed over."""
    cap: tuple[float, str] | None
    """(availability, figure id): the provider's published multi-region commitment, a ceiling."""
    replication: tuple[Replication, ...]
    assumptions: tuple[str, ...]
    writer_region: str | None = None
    """active-active with a single-writer store (`writes: primary-region`): the region every region
    writes to. Its loss (its writer parts, or more of its zones than it tolerates) stops writes
    everywhere for `write_failover_s`, not only its own share of the traffic for `failover_s`."""
    write_failover_s: float = 0.0
    """Writer region lost → writes served again: detection, operator response, promotion of a secondary."""
    write_failover_label: str = ""

    @property
    def multi_region(self) -> bool:
        return self.pattern in MULTI_REGION and len(self.regions) > 1

    @property
    def serving(self) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.share > 0)


# --- small maths shared by the closed form and the tests ------------------------------------------


def expected_min(limit_s: float, mean_s: float) -> float:
    """E[min(limit, L)] for an exponential outage length L of mean `mean_s`: the downtime one outage
    costs when clients are moved after `limit_s` (an outage shorter than that ends first)."""
    if mean_s <= 0:
        return 0.0
    if math.isinf(limit_s):
        return mean_s
    return mean_s * (1.0 - math.exp(-limit_s / mean_s))


def k_of_n(zones: int, tolerance: int, a: float) -> float:
    """Probability that at most `tolerance` of `zones` independent zones are down."""
    return sum(math.comb(zones, k) * (1 - a) ** k * a ** (zones - k) for k in range(tolerance + 1))


def group_unavailability(group: Group) -> float:
    """P(fewer than `need` of the group's independent parts are up)."""
    probs = [1.0]  # probs[k]: P(exactly k parts up) over the parts seen so far
    for p in group.parts:
        nxt = [0.0] * (len(probs) + 1)
        for k, q in enumerate(probs):
            nxt[k] += q * p.unavailability
            nxt[k + 1] += q * p.availability
        probs = nxt
    return sum(probs[: group.need])


def zones_beyond_tolerance(z: Zones) -> tuple[float, float]:
    """(unavailability, outages per second) of a region losing more zones than it tolerates."""
    a = z.zone.availability
    u = 1.0 - k_of_n(z.count, z.tolerance, a)
    if u <= 0 or z.zone.mean_outage_s <= 0:
        return 0.0, 0.0
    # The state "f+1 zones down" is left when any of them returns: its mean length is m/(f+1).
    f1 = z.tolerance + 1
    exactly = math.comb(z.count, f1) * (1 - a) ** f1 * a ** (z.count - f1)
    length = z.zone.mean_outage_s / f1
    return u, exactly / length


def region_detected_unavailability(r: Region) -> float:
    """Unavailability of a region from its detected parts and its zones (the region fails over)."""
    a = math.prod(p.availability for p in r.detected)
    if r.zones is not None:
        a *= k_of_n(r.zones.count, r.zones.tolerance, r.zones.zone.availability)
    return 1.0 - a


# --- building the model ---------------------------------------------------------------------------


def _outage_s(spec: HASpec, level: str, figs: Figures | None = None) -> float:
    """Mean outage length of a level: `assumptions.outages` when the spec states it, else the
    figure `outage-<level>` of the table, else the module's stated default."""
    outages = getattr(spec.assumptions, "outages", None)
    value = None
    if outages is not None:
        value = outages.get(level) if isinstance(outages, dict) else getattr(outages, level, None)
    if value is not None:
        return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
    if figs is not None and f"outage-{level}" in figs.table:
        return figs.value(f"outage-{level}")
    return DEFAULT_OUTAGE_S[level]


def _common_cause(spec: HASpec, figs: Figures | None = None) -> float:
    value = getattr(spec.assumptions, "common_cause", None)
    if value is not None:
        return float(value) / 100.0
    if figs is not None and "common-cause-region" in figs.table:
        return figs.value("common-cause-region") / 100.0
    return DEFAULT_COMMON_CAUSE


def _readiness_covers(spec: HASpec) -> set[str] | None:
    """What the ingress agent's readiness probe exercises (None: the spec does not say)."""
    if spec.ingress is None:
        return None
    agent = spec.agent(spec.ingress.agent)
    readiness = agent.probes.readiness if agent is not None else None
    covers = getattr(readiness, "covers", None) if readiness is not None else None
    return None if covers is None else set(covers)


def _dependencies(spec: HASpec) -> list:
    return list(getattr(spec, "dependencies", None) or [])


def _part(figs: Figures, fid: str, name: str, outage_s: float, detected: bool = True) -> Part:
    f = figs[fid]
    return Part(name, f.value / 100.0, outage_s, fid, detected, f.basis)


def _aws_parts(
    spec: HASpec,
    plan: TopologyPlan,
    figs: Figures,
    covers: set[str] | None,
    notes: list[str],
    writer_engines: frozenset[str] = frozenset(),
) -> tuple[Part, ...]:
    single = plan.pattern == "single-zone"
    m = _outage_s(spec, "service", figs)
    store_names = {s.name: s.engine for s in spec.stores}
    queue_names = {q.name for q in spec.queues}
    dep_names = {d.name for d in _dependencies(spec)}

    def covered(names: set[str]) -> bool:
        # Unknown coverage: assume the worst (nothing beyond the agent itself) and say so below.
        return bool(covers and names & covers)

    parts: list[Part] = []
    if spec.agents:
        fid = "aws-compute-single-az" if single else "aws-compute-region"
        parts.append(_part(figs, fid, "Compute", m))
    if any(a.port is not None for a in spec.agents) or getattr(plan, "gateway", None) is not None:
        fid = "aws-elb-single-az" if single else "aws-elb-multi-az"
        parts.append(_part(figs, fid, "ELB", m))
    if spec.queues:
        parts.append(_part(figs, "aws-sqs", "SQS", m, covered(queue_names)))
    engines: dict[str, set[str]] = {}
    for name, engine in store_names.items():
        engines.setdefault(engine, set()).add(name)
    if "dynamodb" in engines:
        parts.append(_part(figs, "aws-dynamodb", "DynamoDB", m, covered(engines["dynamodb"])))
    if "aurora-postgresql" in engines:
        fid = "aws-aurora-single-az" if single else "aws-aurora-multi-az"
        aurora = _part(figs, fid, "Aurora", m, covered(engines["aurora-postgresql"]))
        parts.append(dataclasses.replace(aurora, writer=True) if "aurora-postgresql" in writer_engines else aurora)
    if "aurora-dsql" in engines:
        fid = "aws-dsql-multi-region" if plan.pattern in MULTI_REGION else "aws-dsql-single-region"
        parts.append(_part(figs, fid, "Aurora DSQL", m, covered(engines["aurora-dsql"])))
    if "valkey" in engines:
        fid = "aws-elasticache-single-az" if single else "aws-elasticache-multi-az"
        parts.append(_part(figs, fid, "ElastiCache", m, covered(engines["valkey"])))
    if spec.stores or spec.queues:
        parts.append(_part(figs, "aws-kms", "KMS", m, covered(set(store_names) | queue_names)))
    if dep_names and spec.network.nat != "none" and "aws-nat-gateway" in figs.table:
        parts.append(_part(figs, "aws-nat-gateway", "NAT gateway", m, covered(dep_names)))
        notes.append(
            "The NAT gateways carry the agents' calls to external dependencies: in series in each region"
            + (" (readiness exercises a dependency, so their failure is detected)." if covered(dep_names) else ".")
        )
    return tuple(parts)


def zone_tolerance(spec: HASpec, plan: TopologyPlan, region: str) -> int:
    """How many zones of a region can fail while every part of the plan keeps serving (0 or 1)."""
    from blueprints.capacity import spread, survivors_after_zone_loss

    zones = len(plan.region(region).zones)
    if zones < 2:
        return 0
    gateway = getattr(plan, "gateway", None)
    workloads = list(plan.agents) + ([gateway.service] if gateway is not None else [])
    for agent in workloads:
        p = agent.placement(region)
        source = spec.agent(agent.name)
        need = source.replicas.min if source else (spec.gateway.replicas.min if gateway is not None else 1)
        if p is not None and p.desired and p.survivors_after_zone_loss < need:
            return 0
    quorum = (plan.target == "kubernetes" and bool(spec.queues)) or any(s.engine == "redis" for s in spec.stores)
    if quorum and survivors_after_zone_loss(spread(QUORUM_REPLICAS, zones)) <= QUORUM_REPLICAS // 2:
        return 0
    return 1


def _zone_figure(plan: TopologyPlan, figs: Figures) -> str:
    return "k8s-zone" if plan.target == "kubernetes" or "aws-zone" not in figs.table else "aws-zone"


def service_restored_s(timing: TimingPlan, promotions: bool = True) -> tuple[float, str]:
    """Seconds from a region failing until clients are served elsewhere, and how it adds up
    (`promotions=False`: reads only, when no store needs promoting for them)."""
    after = [(timing.region_switch.seconds, timing.region_switch.label)]
    if timing.standby_start is not None:
        after.append((timing.standby_start.seconds, timing.standby_start.label))
    if promotions:
        after += [(s.seconds, s.label) for s in timing.store_promotion]
    slowest, label = max(after, key=lambda x: x[0])
    manual = timing.manual_response_s or 0.0
    total = timing.region_detection.seconds + manual + slowest
    text = "detection" + (" + operator response" if manual else "") + f" + {label}"
    return total, text


def build(spec: HASpec, plan: TopologyPlan, figs: Figures, timing: TimingPlan | None = None) -> ReliabilityModel:
    """The reliability model of a planned topology (see the module docstring)."""
    timing = timing or plan.timing
    if timing is None:
        from blueprints.plan.timing import build_timing

        timing = build_timing(spec, plan, figs)
    notes: list[str] = [
        "SLA figures are credit thresholds (below them the provider refunds part of the bill), not "
        "measured availability; the estimate is as good as the figures and the outage lengths assumed.",
    ]
    covers = _readiness_covers(spec)
    multi = plan.pattern in MULTI_REGION and len(plan.regions) > 1
    serving = [r for r in plan.regions if r.serving] or [plan.primary_region]
    if plan.pattern == "active-active":
        shares = {r.name: 1.0 / len(serving) for r in serving}
    else:
        shares = {plan.primary_region.name: 1.0}
    zone_fid = _zone_figure(plan, figs)
    zone_part = _part(figs, zone_fid, "zone", _outage_s(spec, "zone", figs))
    zone_steps = timing.zone_recovery
    zone_cost = max((s.seconds for s in zone_steps), default=0.0)
    zone_label = max(zone_steps, key=lambda s: s.seconds).label if zone_steps else "nothing to recover"
    single_writer = [s for s in plan.stores if s.writes == "primary-region" and len(s.regions) > 1]
    writer_region = single_writer[0].primary_region if multi and single_writer else None
    writer_engines = frozenset(s.engine for s in single_writer)
    regions: list[Region] = []
    for r in plan.regions:
        if plan.target == "aws":
            parts = _aws_parts(
                spec, plan, figs, covers, notes, writer_engines if r.name == writer_region else frozenset()
            )
        else:
            parts = (
                (_part(figs, "k8s-ingress", "Ingress LB", _outage_s(spec, "service", figs)),) if spec.ingress else ()
            )
        zones = None
        if plan.pattern != "single-zone":
            zones = Zones(len(r.zones), zone_tolerance(spec, plan, r.name), zone_part, zone_cost, zone_label)
        regions.append(Region(r.name, shares.get(r.name, 0.0), parts, zones))
    notes = list(dict.fromkeys(notes))
    if plan.target == "aws" and (spec.stores or spec.queues) and multi:
        if covers is None:
            notes.append(
                "The ingress agent's readiness probe does not say what it exercises (`probes.readiness.covers`): "
                "assumed to exercise no store or queue, so their outages are in series, never failed over."
            )
        else:
            missed = sorted({p.name for r in regions for p in r.undetected})
            if missed:
                notes.append(
                    "Readiness does not exercise " + ", ".join(missed) + ": an outage of those stays in series "
                    "(the failover mechanism never sees it)."
                )
    groups: list[Group] = []
    dns_id = "aws-route53" if plan.target == "aws" else "k8s-global-dns"
    if multi or (plan.target == "aws" and spec.ingress is not None):
        groups.append(Group("DNS", (_part(figs, dns_id, "DNS", _outage_s(spec, "service", figs)),)))
    deps = _dependencies(spec)
    # A dependency only named as another's fallback is reached through that one's group; one with its
    # own callers is called directly too, so it is also in series on its own.
    fallbacks = {name for d in deps for name in d.fallback}
    for d in deps:
        if d.name in fallbacks and not d.callers:
            continue
        groups.append(_dependency_group(d, spec, figs, plan))
    if deps:
        notes.append(
            "External dependencies are in series for every request (each with its fallbacks in parallel), "
            "whichever agents call them: a failed call anywhere is counted as the system failing."
        )
    if getattr(plan, "gateway", None) is not None:
        notes.append(
            "The model gateway is in series in every region: its replicas are spread over the zones like an "
            "agent's (counted in the zones a region may lose), on the region's compute"
            + (" and behind an internal load balancer" if plan.target == "aws" else "")
            + "; its own software has no availability figure and is not given one."
        )
        if any(g.switch_s > 0 for g in groups):
            notes.append(
                "A model provider's fallback answers only after the gateway's attempts on the failed provider: "
                "calls in the first (retries + 1) × timeout of each outage are counted as failed (a provider that "
                "does not answer; errors returned at once fall back sooner). After each cooldown the gateway "
                "tries the provider again, which a long outage repeats: not counted; keep `gateway.cooldown` "
                "well above the attempts' time."
            )
    else:
        notes.append(
            "No external dependencies declared (`dependencies`): the model provider and other APIs the agents "
            "call are not counted; a 99.9 % provider in series caps the whole system near 99.9 %."
        )
    mode: Literal["automatic", "manual", "none"] = (
        "none" if not multi else ("automatic" if spec.topology.failover.mode == "automatic" else "manual")
    )
    failover_s, failover_label = service_restored_s(timing) if multi else (math.inf, "no other region")
    write_failover_s, write_failover_label = 0.0, ""
    if writer_region is not None:
        # Reads move with DNS; only the writer region's loss waits for a promotion (of the stores below).
        write_failover_s, write_failover_label = failover_s, failover_label
        failover_s, failover_label = service_restored_s(timing, promotions=False)
        names = ", ".join(f"'{s.name}'" for s in single_writer)
        notes.append(
            f"Single writer: store {names} takes writes in {writer_region} only (`writes: primary-region`). "
            f"Losing {writer_region} (its {', '.join(sorted({_ENGINE_PART[e] for e in writer_engines}) or ['zones'])}"
            f" or the region) stops writes in every region for {write_failover_label} "
            f"({write_failover_s:.0f} s), counted against all traffic (every request is assumed to write); "
            f"losing another region costs its share for {failover_label} ({failover_s:.0f} s)."
        )
        if plan.target != "aws":
            notes.append(
                f"On kubernetes nothing in the model takes {writer_region}'s PostgreSQL or its whole cluster down "
                "but more of its zones than it tolerates: no published figure exists for a self-managed database "
                "or a cluster. So the availability counts that stop only through zone losses, and `simulate` rarely "
                f"or never draws it; the region RTO (the loss of {writer_region}: detection + promotion) is the "
                "plan's closed form, not a simulated figure."
            )
    detection_path = None
    if multi and timing.region_detection.mechanism == "route53-alarm" and "aws-cloudwatch" in figs.table:
        detection_path = _part(figs, "aws-cloudwatch", "CloudWatch (detection path)", _outage_s(spec, "service", figs))
        notes.append(
            "Private ingress: a region fails over on a CloudWatch alarm; a region failure that starts while "
            "CloudWatch in that region is down is never detected (assumed independent of the region's other "
            "services, which is optimistic for a region-wide event)."
        )
    common = _common_cause(spec, figs) if multi else 0.0
    if multi:
        notes.append(
            f"A share of {common * 100:g} % of region failures strikes every region at once (common cause: shared "
            "control planes, global services, one bad change pushed everywhere); "
            + (
                "stated in the spec."
                if getattr(spec.assumptions, "common_cause", None) is not None
                else "an assumption; state yours under `assumptions`."
            )
        )
    cap = None
    if multi:
        engines = {s.engine for s in plan.stores if len(s.regions) > 1}
        for engine, fid in PUBLISHED_MULTI_REGION.items():
            if engine in engines and fid in figs.table:
                value = figs.value(fid) / 100.0
                if cap is None or value < cap[0]:
                    cap = (value, fid)
    return ReliabilityModel(
        target=plan.target,
        pattern=plan.pattern,
        regions=tuple(regions),
        groups=tuple(groups),
        failover=mode,
        failover_s=failover_s,
        failover_label=failover_label,
        detection_s=timing.region_detection.seconds,
        detection_period_s=_detection_period(plan, timing) if multi else 0.0,
        common_cause=common,
        region_outage_s=_outage_s(spec, "region", figs),
        detection_path=detection_path,
        cap=cap,
        replication=replication(spec, plan, figs),
        assumptions=tuple(notes),
        writer_region=writer_region,
        write_failover_s=write_failover_s,
        write_failover_label=write_failover_label,
    )


def _detection_period(plan: TopologyPlan, timing: TimingPlan) -> float:
    """The check period behind the region detection, as built."""
    routing = plan.routing
    mechanism = timing.region_detection.mechanism
    if routing is None or mechanism == "none":
        return 0.0
    if mechanism == "route53-https":
        return routing.interval_s
    if mechanism == "route53-alarm":
        alarm = plan.observability.alarms.no_healthy_host
        return float(alarm.period_s) if alarm is not None else 60.0
    return float(routing.reconcile_s or 0.0)


def _dependency_group(d, spec: HASpec, figs: Figures, plan: TopologyPlan) -> Group:
    """A dependency and its fallbacks (spec `dependencies[].fallback`, by name): the call fails only
    when it and every fallback are down. Availability: the spec's figure, else `dependency-<kind>`."""
    m = _outage_s(spec, "dependency", figs)

    def part(dep) -> Part:
        if dep.availability is not None:
            return Part(dep.name, dep.availability.percent / 100.0, m, None, True, dep.availability.basis)
        fid = f"dependency-{dep.kind}"
        return Part(dep.name, figs.value(fid) / 100.0, m, fid, True, figs[fid].basis)

    alternatives = [part(d)] + [part(fb) for name in d.fallback if (fb := spec.dependency(name)) is not None]
    # The gateway answers a call from the fallback only once its attempts on the failed provider are spent
    # (the plan's switch time, blueprints/plan/gateway.py `fallback_switch`): calls in that window are counted
    # as failed. None for an agent's own fallback, which nothing built times.
    planned = next(x for x in plan.dependencies if x.name == d.name)
    switch_s = planned.switch_s if planned.switch_s is not None and len(alternatives) > 1 else 0.0
    return Group(d.name, tuple(alternatives), 1, "dependency", switch_s, planned.switch_label if switch_s else "")


REPLICA_LAG = {
    "dynamodb": "dynamodb-global-lag",
    "aurora-postgresql": "aurora-global-lag",
    "valkey": "elasticache-global-lag",
    "postgres": "cnpg-replica-cluster-lag",
}


def replication(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[Replication, ...]:
    """Each asynchronously replicated durable store of a multi-region plan."""
    if plan.pattern not in MULTI_REGION:
        return ()
    threshold = plan.observability.alarms.replication_lag_s
    detection = float(
        PROMETHEUS_LAG_FOR_S if plan.target == "kubernetes" else ALARM_PERIOD_S * ALARM_EVALUATION_PERIODS
    )
    out = []
    for s in plan.stores:
        if s.cache or s.replication == "sync" or s.engine not in REPLICA_LAG or len(s.regions) < 2:
            continue
        fid = REPLICA_LAG[s.engine]
        out.append(Replication(s.name, s.engine, figs.value(fid), fid, threshold, detection))
    return tuple(out)
