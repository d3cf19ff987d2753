"""Monte Carlo of the reliability model (`reliability.py`): the check on `plan`'s closed form.

Every part of the model (a service in a region, a zone, DNS, an external dependency, the detection
path, the common cause) fails and recovers as an alternating renewal process: up for an exponential
time, down for an outage whose length follows the chosen distribution with the model's mean
(exponential, or heavy-tailed: lognormal σ = 1.5 or Pareto α = 1.5). Each part's outages over the
whole horizon are drawn at once as numpy arrays; the system's downtime is then interval algebra
(unions and k-of-N coverage of sorted interval arrays), not a step through time.

Per region failure that the failover mechanism detects, clients are moved after the failover time
(detection at a random phase of the check period, then switch / operator / promotion), or when the
outage ends, whichever comes first. A region failure that starts while the detection path is down
is never failed over. Replication degrades before a share of region failures: writes are still
acknowledged while replication stalls, so the data lost is the typical lag plus that degradation.

Deterministic for a seed: one `numpy.random.Generator` (PCG64) seeded once, drawn in a fixed order.
The horizon is split into `BATCHES` independent batches; the 95 % confidence interval of the
availability is the batch means' (Student t). numpy is imported here only: `plan` never loads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from blueprints.errors import Location, SpecError
from blueprints.plan.reliability import Part, Region, ReliabilityModel

if TYPE_CHECKING:
    import numpy as np

HOUR = 3600.0
MONTH_S = 30 * 24 * HOUR
BATCHES = 40
T_975 = 2.0227  # Student t, 39 degrees of freedom, two-sided 95 %
MAX_HOURS = 1e9
"""The longest horizon accepted: 10^9 simulated hours (5-10 s for the examples on a 2-core machine;
memory stays bounded: batches run one after another and each keeps at most `SAMPLES_PER_BATCH`
per-disruption times)."""
SAMPLES_PER_BATCH = 25_000
"""Per-disruption times (RTO, RPO, stranded delays) kept per batch for the percentiles; beyond it an
evenly strided subsample (no random draw, so results for a seed do not depend on it). Counts stay exact."""
MAX_EVENTS_PER_BATCH = 20_000_000
"""A part whose outages would need more draws than this in one batch (an availability figure far
too low for its mean outage) is refused rather than exhausting memory."""

Outages = Literal["exponential", "lognormal", "pareto"]
LOGNORMAL_SIGMA = 1.5
PARETO_ALPHA = 1.5

DEGRADED_SHARE = 0.5
"""Share of region failures preceded by a degradation (replication stalls, writes still acknowledged):
an assumption of the simulator, stated in its output."""
DEGRADATION_MEAN_S = 120.0
"""Mean length of that degradation (exponential): an assumption of the simulator, stated in its output."""


@dataclass(frozen=True)
class Options:
    """How to run the simulation. `instant_failover` and `independent` switch to the closed form's
    own simplest assumptions (used to check the closed form against the simulator)."""

    hours: float = 1e6
    seed: int = 1
    outages: Outages = "exponential"
    instant_failover: bool = False
    independent: bool = False
    jitter: bool = True


@dataclass(frozen=True)
class Distribution:
    """Per-disruption times (seconds) over every simulated disruption of one kind."""

    count: int
    p50: float | None
    p99: float | None
    mean: float | None


@dataclass(frozen=True)
class Check:
    name: str
    objective: float | None
    closed_form: float | None
    simulated: float | None
    met: bool | None
    how: str


@dataclass(frozen=True)
class Stranded:
    """A queue's messages left in a region that failed over: delayed until it returns, lost when it
    stays out longer than the queue keeps them."""

    queue: str
    retention_s: float
    delay: Distribution
    lost_share: float | None


@dataclass(frozen=True)
class Result:
    """What `simulate` reports: availability with its 95 % CI, downtime, RTO/RPO per disruption."""

    hours: float
    seed: int
    outages: str
    availability: float
    ci_low: float
    ci_high: float
    closed_form: float | None
    downtime_month_s: float
    rto: dict[str, Distribution]
    rpo: dict[str, Distribution]
    checks: tuple[Check, ...]
    assumptions: tuple[str, ...] = field(default=())
    rpo_above_bound: float | None = None
    queues: tuple[Stranded, ...] = ()

    @property
    def objectives_met(self) -> bool:
        return all(c.met is not False for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        import dataclasses

        data = dataclasses.asdict(self)
        data["objectives_met"] = self.objectives_met
        return data


WRITER_REGION = "write primary's region"
"""The RTO row of the write primary's region's losses (active-active with a single-writer store)."""


def check_options(hours: float, seed: int) -> None:
    """Bad simulation options raise the domain error (the CLI turns it into exit 2)."""
    where = Location("<command line>")
    if not math.isfinite(hours) or hours <= 0:
        raise SpecError.one(
            "simulate-hours",
            "--hours",
            f"--hours must be a positive number of simulated hours, not {hours:g}",
            "pass e.g. --hours 1e6 (the default) or --hours 1e8",
            where,
            value=hours,
            allowed=f"0 < hours ≤ {MAX_HOURS:.0e}",
        )
    if hours > MAX_HOURS:
        raise SpecError.one(
            "simulate-hours",
            "--hours",
            f"--hours {hours:.3g} is beyond the {MAX_HOURS:.0e} simulated hours this command accepts",
            f"pass at most --hours {MAX_HOURS:.0e}; 1e8 already narrows the 95 % interval to about ±0.001 points",
            where,
            value=hours,
            allowed=f"0 < hours ≤ {MAX_HOURS:.0e}",
        )
    if seed < 0 or seed >= 2**63:
        raise SpecError.one(
            "simulate-seed",
            "--seed",
            f"--seed must be a non-negative integer below 2^63, not {seed}",
            "pass e.g. --seed 1",
            where,
            value=seed,
            allowed="0 ≤ seed < 2^63",
        )


# --- interval algebra on sorted numpy arrays -------------------------------------------------------


def _empty() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    return np.empty(0), np.empty(0)


def _coverage(sets: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Times covered by at least `k` of the interval sets (each set's intervals may overlap)."""
    import numpy as np

    sets = [s for s in sets if len(s[0])]
    if len(sets) < k or k < 1:
        return _empty()
    n_start = sum(len(s[0]) for s in sets)
    starts = np.concatenate([s[0] for s in sets])
    ends = np.concatenate([s[1] for s in sets])
    times = np.concatenate([starts, ends])
    delta = np.concatenate([np.ones(n_start, dtype=np.int64), -np.ones(n_start, dtype=np.int64)])
    order = np.lexsort((delta, times))  # at a tie an end (-1) comes before a start: no zero-length joins
    times, delta = times[order], delta[order]
    count = np.cumsum(delta)
    before = count - delta
    enter = (count >= k) & (before < k)
    leave = (count < k) & (before >= k)
    s, e = times[enter], times[leave]
    keep = e > s
    return s[keep], e[keep]


def _union(*sets: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return _coverage(list(sets), 1)


def _intersect(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    a, b = _union(a), _union(b)
    if not len(a[0]) or not len(b[0]):
        return _empty()
    return _coverage([a, b], 2)


def _measure(s: tuple[np.ndarray, np.ndarray]) -> float:
    return float((s[1] - s[0]).sum())


def _contains(sets: tuple[np.ndarray, np.ndarray], points: np.ndarray) -> np.ndarray:
    """Whether each point lies inside one of the (merged, sorted) intervals."""
    import numpy as np

    s, e = _union(sets)
    if not len(s):
        return np.zeros(len(points), dtype=bool)
    i = np.searchsorted(s, points, side="right") - 1
    inside = i >= 0
    inside[inside] = points[inside] < e[i[inside]]
    return inside


# --- drawing outages -------------------------------------------------------------------------------


def _lengths(rng: np.random.Generator, mean: float, n: int, kind: Outages) -> np.ndarray:
    import numpy as np

    if kind == "lognormal":
        mu = math.log(mean) - LOGNORMAL_SIGMA**2 / 2
        return rng.lognormal(mu, LOGNORMAL_SIGMA, n)
    if kind == "pareto":
        scale = mean * (PARETO_ALPHA - 1) / PARETO_ALPHA
        return (rng.pareto(PARETO_ALPHA, n) + 1.0) * scale
    return rng.exponential(mean, n) if n else np.empty(0)


def _outages(
    rng: np.random.Generator, part: Part, horizon: float, kind: Outages, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """A part's outages over [0, horizon): an alternating renewal process with its availability."""
    import numpy as np

    u = part.unavailability * scale
    m = part.mean_outage_s
    if u <= 0 or m <= 0:
        return _empty()
    if u >= 1:
        return np.array([0.0]), np.array([horizon])
    up_mean = m * (1 - u) / u
    expected = horizon / (up_mean + m)
    n = int(expected + 8 * math.sqrt(expected) + 16)
    if n > MAX_EVENTS_PER_BATCH:
        raise SpecError.one(
            "simulate-size",
            "assumptions",
            f"{part.name}: {expected:.3g} outages in one batch is more than the simulator draws at once "
            f"(availability {part.availability * 100:g} % with {m:g} s mean outages)",
            "simulate fewer --hours, or check the availability figure and the outage length of this part",
            Location("<command line>"),
        )
    starts = np.cumsum(rng.exponential(up_mean, n))
    downs = _lengths(rng, m, n, kind)
    starts[1:] += np.cumsum(downs[:-1])
    ends = starts + downs
    keep = starts < horizon
    return starts[keep], np.minimum(ends[keep], horizon)


def _heads(sets: tuple[np.ndarray, np.ndarray], limits: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The first `limits` seconds of each interval (all of it when shorter)."""
    import numpy as np

    s, e = sets
    return s, np.minimum(e, s + limits)


# --- the simulation --------------------------------------------------------------------------------


@dataclass
class _Tally:
    down: list[float] = field(default_factory=list)
    rto_zone: list[np.ndarray] = field(default_factory=list)
    rto_region: list[np.ndarray] = field(default_factory=list)
    rto_everywhere: list[np.ndarray] = field(default_factory=list)
    rto_writer: list[np.ndarray] = field(default_factory=list)
    """Losses of the write primary's region (single writer): writes stop everywhere until the promotion."""
    rpo_region: list[np.ndarray] = field(default_factory=list)
    stranded: list[np.ndarray] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, chunks: list[np.ndarray]) -> None:
        kept: list[np.ndarray] = getattr(self, name)
        for chunk in chunks:
            self.counts[name] = self.counts.get(name, 0) + len(chunk)
            stride = -(-len(chunk) // SAMPLES_PER_BATCH) if len(chunk) > SAMPLES_PER_BATCH else 1
            kept.append(chunk[::stride])


def _batch(model: ReliabilityModel, opts: Options, rng: np.random.Generator, horizon: float, tally: _Tally) -> None:
    import numpy as np

    kind = opts.outages
    multi = model.multi_region
    beta = 0.0 if (opts.independent or not multi) else model.common_cause
    # Global groups: down while fewer than `need` parts are up.
    global_down: list[tuple[np.ndarray, np.ndarray]] = []
    for g in model.groups:
        outs = [_outages(rng, p, horizon, kind) for p in g.parts]
        global_down.append(_coverage(outs, len(g.parts) - g.need + 1))
        if g.switch_s > 0 and len(g.parts) > 1:
            # Calls still fail for the first `switch_s` of each outage of the first part (the gateway's
            # retries before its fallback answers).
            global_down.append(_heads(outs[0], g.switch_s))
    glob = _union(*global_down) if global_down else _empty()
    cc = _empty()
    if beta > 0:
        region_u = sum(r.share * _region_u(r) for r in model.serving)
        cc_part = Part("common cause", 1 - beta * region_u, model.region_outage_s)
        cc = _outages(rng, cc_part, horizon, kind)
    det: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    zone_rto: list[np.ndarray] = []
    writer_sets: list[tuple[np.ndarray, np.ndarray]] = []
    for r in model.regions:
        writer = multi and r.name == model.writer_region
        # The write primary's parts stop writes everywhere (below), detected by readiness or not.
        writer_sets += [_outages(rng, p, horizon, kind, 1 - beta) for p in r.parts if writer and p.writer]
        det_sets = [_outages(rng, p, horizon, kind, 1 - beta) for p in r.detected if not (writer and p.writer)]
        undet = [_outages(rng, p, horizon, kind) for p in r.undetected if not (writer and p.writer)]
        zone_cost = _empty()
        if r.zones is not None:
            zs = [_outages(rng, r.zones.zone, horizon, kind) for _ in range(r.zones.count)]
            beyond = _coverage(zs, r.zones.tolerance + 1)
            if beta > 0:  # the common-cause share of these is drawn with the common cause: keep 1 − β
                beyond = _thin(rng, beyond, 1 - beta)
            det_sets.append(beyond)
            if writer:
                writer_sets.append(beyond)
            if r.zones.tolerance > 0 and r.zones.failover_s > 0:
                all_losses = (np.concatenate([z[0] for z in zs]), np.concatenate([z[1] for z in zs]))
                heads = _heads(all_losses, r.zones.failover_s)
                zone_cost = heads
                if r.share > 0:
                    zone_rto.append(heads[1] - heads[0])
        if not multi:
            det_sets += undet
            undet = []
        det[r.name] = _union(*det_sets) if det_sets else _empty()
        series[r.name] = _union(*undet, zone_cost) if (undet or len(zone_cost[0])) else _empty()
    region_rto: list[np.ndarray] = []
    writes_stopped = _empty()
    if writer_sets:
        ws, we = _union(*writer_sets)
        fw = np.full(len(ws), 0.0 if opts.instant_failover else model.write_failover_s)
        if model.detection_path is not None and not opts.instant_failover:
            fw[_contains(_outages(rng, model.detection_path, horizon, kind), ws)] = np.inf
        writes_stopped = (ws, np.minimum(we, ws + fw))
        # Tallied apart from the routing failovers: they are rarer and far longer, and a p99 over the mixture
        # would hide them (a region loss's RTO includes writes back).
        tally.add("rto_writer", [writes_stopped[1] - writes_stopped[0]])
    total = 0.0
    rpo: list[np.ndarray] = []
    stranded: list[np.ndarray] = []
    for r in model.serving:
        if not multi:
            total += r.share * _measure(_union(glob, det[r.name], series[r.name]))
            continue
        s, e = det[r.name]
        n = len(s)
        f = np.full(n, 0.0 if opts.instant_failover else model.failover_s)
        if opts.jitter and not opts.instant_failover and model.detection_period_s > 0:
            f -= rng.uniform(0.0, min(model.detection_period_s, model.detection_s), n)
        if model.detection_path is not None and not opts.instant_failover:
            blind_sets = _outages(rng, model.detection_path, horizon, kind)
            blind = _contains(blind_sets, s)
            f[blind] = np.inf
        windows = (s, np.minimum(e, s + f))
        others = [det[o.name] for o in model.regions if o.name != r.name]
        nowhere = _coverage([det[r.name], *others], len(others) + 1) if others else det[r.name]
        total += r.share * _measure(_union(glob, series[r.name], windows, nowhere, cc, writes_stopped))
        region_rto.append(windows[1] - windows[0])
        moved = (e - s) > f
        stranded.append((e - s)[moved])  # messages left in the failed region wait until it returns
        if model.replication and moved.any():
            typical = max(x.typical_lag_s for x in model.replication)
            k = int(moved.sum())
            degraded = rng.random(k) < DEGRADED_SHARE
            rpo.append(typical + np.where(degraded, rng.exponential(DEGRADATION_MEAN_S, k), 0.0))
    if multi:
        everywhere = _union(cc, _coverage(list(det.values()), len(det)))
        if len(everywhere[0]):
            tally.add("rto_everywhere", [everywhere[1] - everywhere[0]])
    tally.down.append(total)
    tally.add("rto_zone", zone_rto)
    tally.add("rto_region", region_rto)
    tally.add("rpo_region", rpo)
    tally.add("stranded", stranded)


def _thin(rng: np.random.Generator, sets: tuple[np.ndarray, np.ndarray], keep: float) -> tuple[np.ndarray, np.ndarray]:
    mask = rng.random(len(sets[0])) < keep
    return sets[0][mask], sets[1][mask]


def _region_u(r: Region) -> float:
    from blueprints.plan.reliability import region_detected_unavailability

    return region_detected_unavailability(r)


def _distribution(chunks: list[np.ndarray], count: int | None = None) -> Distribution:
    import numpy as np

    values = np.concatenate(chunks) if chunks else np.empty(0)
    if not len(values):
        return Distribution(0, None, None, None)
    p50, p99 = np.percentile(values, [50, 99])
    return Distribution(count if count is not None else len(values), float(p50), float(p99), float(values.mean()))


def run(model: ReliabilityModel, opts: Options) -> tuple[float, float, float, _Tally]:
    """(availability, CI low, CI high, raw tallies) of a model; the core the tests call directly."""
    import numpy as np

    check_options(opts.hours, opts.seed)
    rng = np.random.default_rng(opts.seed)
    horizon = opts.hours * HOUR / BATCHES
    tally = _Tally()
    for _ in range(BATCHES):
        _batch(model, opts, rng, horizon, tally)
    share_down = np.array(tally.down) / horizon
    a = 1.0 - share_down
    mean = float(a.mean())
    half = T_975 * float(a.std(ddof=1)) / math.sqrt(BATCHES)
    return mean, mean - half, min(1.0, mean + half), tally


def simulate(spec: Any, plan: Any, figs: Any, opts: Options) -> Result:
    """Simulate a planned topology; `plan` carries the closed-form estimates to compare with."""
    from blueprints.plan.reliability import build

    check_options(opts.hours, opts.seed)
    model = build(spec, plan, figs)
    if opts.instant_failover:
        model = replace(model, failover_s=0.0, detection_path=None)
    a, low, high, tally = run(model, opts)
    by_key = {(e.kind, e.disruption): e for e in plan.estimates}
    closed = by_key.get(("availability", None))
    rto = {
        "zone": _distribution(tally.rto_zone, tally.counts.get("rto_zone")),
        "region": _distribution(tally.rto_region, tally.counts.get("rto_region")),
    }
    writer = WRITER_REGION if model.multi_region and model.writer_region is not None else None
    if writer is not None:
        rto[writer] = _distribution(tally.rto_writer, tally.counts.get("rto_writer"))
    if model.multi_region:
        # Every region down at once (common cause, or independent failures overlapping): nothing to fail
        # over to, service returns with the first region. Shown, but not held against the region RTO,
        # which is about losing one region.
        rto["every region"] = _distribution(tally.rto_everywhere, tally.counts.get("rto_everywhere"))
    rpo = {"region": _distribution(tally.rpo_region, tally.counts.get("rpo_region"))}
    checks: list[Check] = []
    objective = spec.objectives.availability
    checks.append(
        Check(
            "availability",
            objective,
            closed.value if closed else None,
            a * 100,
            a * 100 >= objective if objective is not None else None,
            "simulated mean against the objective"
            + (
                "; the objective lies inside the 95 % CI: more --hours would settle it"
                if objective is not None and low * 100 <= objective <= high * 100
                else ""
            ),
        )
    )
    for kind, disruption, dist in (
        ("rto", "zone", rto["zone"]),
        ("rto", "region", rto["region"]),
        *((("rto", writer, rto[writer]),) if writer is not None else ()),
        ("rpo", "region", rpo["region"]),
    ):
        # The write primary's region is held to the region objective and the plan's region RTO, which is
        # its loss (detection + promotion).
        est = by_key.get((kind, "region" if disruption == writer else disruption))
        if est is None:
            continue
        simulated = dist.p99
        met = None
        if est.objective is not None and simulated is not None:
            met = simulated <= est.objective
        elif est.objective is not None:
            met = est.met  # nothing of that kind happened in the simulation: the closed form decides
        checks.append(
            Check(f"{kind.upper()} {disruption}", est.objective, est.value, simulated, met, "p99 per disruption")
        )
    bound = max((r.bound_s for r in model.replication if r.bound_s is not None), default=None)
    above = None
    if bound is not None and tally.rpo_region:
        import numpy as np

        values = np.concatenate(tally.rpo_region)
        above = float((values > bound).mean())
    queues = _stranded(plan, tally)
    notes = [
        f"{opts.hours:.3g} simulated hours in {BATCHES} independent batches; 95 % CI from the batch means.",
        f"Outage lengths: {opts.outages}"
        + (
            f" (σ = {LOGNORMAL_SIGMA})"
            if opts.outages == "lognormal"
            else f" (α = {PARETO_ALPHA})"
            if opts.outages == "pareto"
            else ""
        )
        + ", each part with the model's mean outage length; up times exponential.",
        "Clients count as down until the failover time has passed (the last cached DNS answer expired), "
        "as the closed form does; detection starts at a random phase of the check period.",
        "RTO per disruption: until clients are served again (failover time, or the outage's end if sooner).",
    ]
    if model.replication:
        notes.append(
            f"RPO per region failover: typical lag, plus for {DEGRADED_SHARE * 100:g} % of failures a degradation "
            f"before the failure (exponential, mean {DEGRADATION_MEAN_S:g} s) during which writes are acknowledged "
            "and not replicated; both are assumptions of the simulator."
        )
    if writer is not None:
        n = rto[writer].count
        notes.append(
            f"RTO region is shown twice: failovers that move clients (region), and losses of {model.writer_region}, "
            "the write primary's region, after which writes stop in every region until the promotion "
            f"({writer}: {n:,} in the simulated hours"
            + ("; none happened, so the plan's closed form decides that row" if n == 0 else "")
            + "). Both are held to the region objective."
        )
    if opts.instant_failover or opts.independent:
        notes.append("Run under the closed form's simplest assumptions (instant failover / independent regions).")
    notes.append("The application RTO/RPO (a bad deploy) is not a failure process: the plan's closed form stands.")
    return Result(
        hours=opts.hours,
        seed=opts.seed,
        outages=opts.outages,
        availability=a * 100,
        ci_low=low * 100,
        ci_high=high * 100,
        closed_form=closed.value if closed else None,
        downtime_month_s=(1 - a) * MONTH_S,
        rto=rto,
        rpo=rpo,
        checks=tuple(checks),
        assumptions=tuple(notes) + model.assumptions,
        rpo_above_bound=above,
        queues=queues,
    )


def _stranded(plan: Any, tally: _Tally) -> tuple[Stranded, ...]:
    import numpy as np

    if not tally.stranded:
        return ()
    lengths = np.concatenate(tally.stranded)
    delay = _distribution(tally.stranded, tally.counts.get("stranded"))
    out = []
    for q in plan.queues:
        lost = float((lengths > q.retention_s).mean()) if len(lengths) else None
        out.append(Stranded(q.name, q.retention_s, delay, lost))
    return tuple(out)
