"""The one model of time: every detection, switch and recovery time, from the mechanism built.

The planner asks this module once for the settings the components build (the Route 53 request
interval, the "no healthy host" alarm's period and evaluation periods, the TTL clients cache) and
puts them on the plan's records (`RoutingPlan`, `AlarmPlan.no_healthy_host`); the components read
them from there. `build_timing` then derives every time from those same records plus the figures
table, so the estimates, drills and runbooks count exactly what is deployed.

Mechanisms, by target and ingress:
- AWS, public ingress: a Route 53 HTTPS health check per region (request interval 10 or 30 s ×
  failure threshold). Only `failover.health_check` is read here.
- AWS, private ingress: Route 53's checkers cannot reach an internal load balancer, so the region
  is judged by a CloudWatch alarm (`HealthyHostCount < 1`, Minimum, period × evaluation periods)
  read by a `CLOUDWATCH_METRIC` health check. Route 53 "monitors the data stream for the
  corresponding alarm instead of monitoring the alarm state"
  (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html);
  no end-to-end delay is published, so the metric's arrival delay is an assumption figure
  (`cloudwatch-metric-delay`). The load balancer must first mark the targets unhealthy (its own
  check interval × unhealthy threshold). `failover.health_check` is not used.
- AWS switch: alias records to a load balancer carry the load balancer's fixed 60 s TTL
  (`route53-alias-elb-ttl`); `failover.dns_ttl` changes nothing. Plus Route 53's propagation.
- Kubernetes: k8gb publishes a cluster's targets while the ingress agent has ready endpoints
  (readiness probe period × failure threshold) and learns the other clusters' state on each
  reconcile (`reconcileRequeueSeconds`, `k8gb-reconcile`); clients then hold the old answer for
  the `Gslb`'s `dnsTtlSeconds` (= `failover.dns_ttl`). `failover.health_check` is not used.
"""

from __future__ import annotations

from blueprints.figures import Figures
from blueprints.plan.models import (
    AgentPlan,
    HealthAlarmTiming,
    ProbePlan,
    Step,
    Term,
    TimingPlan,
    TopologyPlan,
)
from blueprints.plan.region_switch import RegionSwitchPlan, SwitchBlock, region_switch_plans
from blueprints.spec.models import HASpec

__all__ = [
    "ALIAS_TTL_S",
    "HEALTHY_HOST_ALARM",
    "PROMOTION",
    "REDIS_SENTINEL_DOWN_AFTER_S",
    "REDIS_SENTINEL_FAILOVER_TIMEOUT_S",
    "ROUTE53_INTERVALS",
    "STANDBY_ACTIVATION_ALARM",
    "Step",
    "TimingPlan",
    "build_timing",
    "client_ttl_s",
    "dns_ttl_ignored",
    "health_check_ignored",
    "healthy_host_alarm",
    "ingress_mechanism",
    "route53_request_interval",
]

ROUTE53_INTERVALS = (10, 30)
"""The request intervals a Route 53 endpoint health check accepts (seconds)."""

ALIAS_TTL_S = 60
"""Alias records to an ELB load balancer have a fixed 60 s TTL (Route 53 FAQ; figure
`route53-alias-elb-ttl`). The components build alias records, so this is the TTL clients cache."""

HEALTHY_HOST_ALARM = HealthAlarmTiming(metric="HealthyHostCount", period_s=60, evaluation_periods=2, datapoints=2)
"""The private-ingress failover alarm: Minimum HealthyHostCount < 1 on 2 of 2 one-minute periods.
60 s is the shortest period of a standard-resolution metric, and Route 53 accepts only
standard-resolution alarms; two periods keep one missed datapoint from failing a region over."""

STANDBY_ACTIVATION_ALARM = HealthAlarmTiming(
    metric="HTTPCode_ELB_503_Count", period_s=60, evaluation_periods=1, datapoints=1
)
"""aws pilot light: the standby scales from zero on the first minute in which its load balancer
answered 503 (no task) or messages waited with no task running; one period, so it acts at once."""

PROMOTION = {
    "aurora-postgresql": "aurora-global-promotion",
    "valkey": "elasticache-global-promotion",
    "postgres": "cnpg-promotion",
}
"""Stores promoted in another region by an explicit action, and the figure for the promotion."""

ZONE_FAILOVER = {
    "aurora-postgresql": ("aurora-zone-failover",),
    "valkey": ("elasticache-zone-failover",),
    "postgres": ("cnpg-failover", "k8s-node-grace"),
    "redis": ("redis-sentinel-election",),
    "cockroachdb": ("crdb-lease-failover",),
}
"""Figures that add up to a store's failover inside a region after one zone is lost (redis adds the
Sentinel down-after time the component builds, from the plan)."""

REDIS_SENTINEL_DOWN_AFTER_S = 5.0
"""Sentinel's down-after-milliseconds as the blueprint builds it (upstream default 30 s, figure
`redis-failover`): 5 s keeps the zone RTO short; a brief network blip can cost a needless failover."""
REDIS_SENTINEL_FAILOVER_TIMEOUT_S = 60.0
"""Sentinel's failover-timeout as built: bounds a failover attempt that got stuck."""


# --- settings the components build (decided here, carried by the plan's records) -----------------


def route53_request_interval(seconds: float) -> int:
    """The Route 53 request interval built for a health-check interval (10 or 30 s)."""
    return ROUTE53_INTERVALS[0] if seconds <= ROUTE53_INTERVALS[0] else ROUTE53_INTERVALS[1]


def ingress_mechanism(spec: HASpec) -> str:
    """What decides that a region is unhealthy, as the components build it."""
    multi = spec.topology.pattern in ("active-passive", "active-active")
    if spec.ingress is None or not multi:
        return "none"
    if spec.target == "kubernetes":
        return "k8gb"
    return "route53-https" if spec.ingress.public else "route53-alarm"


def healthy_host_alarm(spec: HASpec) -> HealthAlarmTiming | None:
    """The "no healthy host" alarm, on AWS ingress agents of a multi-region topology."""
    if spec.target != "aws" or spec.ingress is None:
        return None
    return HEALTHY_HOST_ALARM


SYNTHETIC_METRIC = "SuccessPercent"
"""CloudWatch Synthetics publishes each run's pass (100) or failure (0) as `SuccessPercent`
(namespace CloudWatchSynthetics, dimension CanaryName)."""


def synthetic_alarm(interval_s: int, failure_threshold: int) -> HealthAlarmTiming:
    """The synthetic transaction's alarm: SuccessPercent < 100 (Minimum) on `failure_threshold` of as
    many periods of one interval each, missing data breaching (a canary that cannot run, or a region
    whose metrics stop, reads as failing). One period per run, so each datapoint is one run."""
    return HealthAlarmTiming(
        metric=SYNTHETIC_METRIC,
        period_s=interval_s,
        evaluation_periods=failure_threshold,
        datapoints=failure_threshold,
    )


def synthetic_detection_s(interval_s: float, timeout_s: float, failure_threshold: int, metric_delay_s: float) -> float:
    """Worst case from the start of an outage to the synthetic alarm: `failure_threshold` failed runs
    (one per interval; the first starts at most one interval after the outage), the last one lasting
    up to its timeout, then the metric's arrival delay."""
    return interval_s * failure_threshold + timeout_s + metric_delay_s


def standby_activation_alarm(spec: HASpec) -> HealthAlarmTiming | None:
    """The pilot-light activation alarms' timing (aws active-passive with a pilot-light standby)."""
    pilot = spec.topology.pattern == "active-passive" and spec.topology.standby == "pilot-light"
    return STANDBY_ACTIVATION_ALARM if spec.target == "aws" and pilot else None


def client_ttl_s(spec: HASpec) -> float:
    """The TTL clients cache the ingress answer for, as built."""
    if spec.target == "aws":
        return float(ALIAS_TTL_S)
    return float(max(1, round(spec.topology.failover.dns_ttl.total_seconds())))


def dns_ttl_ignored(spec: HASpec) -> bool:
    """True when the spec sets `failover.dns_ttl` on AWS, where alias records ignore it."""
    return spec.target == "aws" and "dns_ttl" in spec.topology.failover.model_fields_set


def health_check_ignored(spec: HASpec) -> bool:
    """True when the spec sets `failover.health_check` but the built mechanism does not read it."""
    return "health_check" in spec.topology.failover.model_fields_set and ingress_mechanism(spec) in (
        "k8gb",
        "route53-alarm",
    )


# --- terms ----------------------------------------------------------------------------------------


def fig_term(figs: Figures, fid: str, label: str | None = None) -> Term:
    f = figs[fid]
    return Term(label=label or f.what, value=f.value, unit=f.unit, figure=fid, source=f.source, basis=f.basis)


def built_term(label: str, value: float, unit: str = "seconds") -> Term:
    """A setting the components build (from the plan, not a figure)."""
    return Term(label=label, value=value, unit=unit, figure=None, source="plan (as built)", basis="built")  # type: ignore[arg-type]


def spec_term(label: str, value: float | None, unit: str = "seconds") -> Term:
    return Term(label=label, value=value, unit=unit, figure=None, source="spec", basis="spec")  # type: ignore[arg-type]


# --- times ----------------------------------------------------------------------------------------


def _ingress_agent(plan: TopologyPlan) -> AgentPlan | None:
    if plan.routing is None:
        return None
    return next((a for a in plan.agents if a.name == plan.routing.agent), None)


def _lb_check_step(agent: AgentPlan | None) -> tuple[float, list[Term]]:
    hc = agent.lb_health_check if agent else None
    if hc is None:
        return 0.0, []
    seconds = hc.period_s * hc.failure_threshold
    return seconds, [
        built_term(
            f"{agent.name if agent else ''}: load balancer marks targets unhealthy "
            f"(interval {hc.period_s:g}s × unhealthy threshold {hc.failure_threshold})",
            seconds,
        )
    ]


def _probe_seconds(probe: ProbePlan | None) -> float:
    return probe.period_s * probe.failure_threshold if probe else 0.0


def synthetic_step(plan: TopologyPlan, figs: Figures) -> Step | None:
    """The synthetic alarm failing a region over (aws, `synthetic.failover`), or None where it does not."""
    routing = plan.routing
    synthetic = routing.synthetic if routing is not None else None
    if (
        synthetic is None
        or not synthetic.failover
        or routing is None
        or routing.mechanism not in ("route53-https", "route53-alarm")
    ):
        return None
    alarm = synthetic.alarm
    delay = figs.value("cloudwatch-metric-delay")
    seconds = synthetic_detection_s(alarm.period_s, synthetic.timeout_s, alarm.evaluation_periods, delay)
    return Step(
        "synthetic transaction fails, its alarm read by a CLOUDWATCH_METRIC health check",
        seconds,
        "route53-synthetic",
        (
            built_term(
                f"synthetic runs fail: interval × failure threshold ({alarm.period_s}s × {alarm.evaluation_periods})",
                float(alarm.period_s * alarm.evaluation_periods),
            ),
            built_term(
                f"the last failing run lasts up to its timeout ({synthetic.timeout_s}s)", float(synthetic.timeout_s)
            ),
            fig_term(figs, "cloudwatch-metric-delay"),
        ),
    )


def region_detection(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Step:
    """What tells DNS that a region failed: the built mechanism, or the synthetic alarm that the same
    Route 53 health check also reads (a CALCULATED check needing both), whichever fires first."""
    step = _region_detection(spec, plan, figs)
    synthetic = synthetic_step(plan, figs)
    if synthetic is not None and synthetic.seconds < step.seconds:
        return synthetic
    return step


def _region_detection(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Step:
    routing = plan.routing
    multi = plan.pattern in ("active-passive", "active-active")
    if not multi:
        return Step("no region to fail over to", 0.0, "none")
    if routing is None or routing.mechanism == "none":
        return Step(
            "no ingress: nothing routes clients, the standby takes work as producers move",
            0.0,
            "none",
        )
    if routing.mechanism == "route53-https":
        seconds = routing.interval_s * routing.failure_threshold
        return Step(
            "Route 53 HTTPS health check fails",
            seconds,
            "route53-https",
            (
                built_term(
                    f"Route 53 request interval × failure threshold ({routing.interval_s:g}s × "
                    f"{routing.failure_threshold})",
                    seconds,
                ),
            ),
        )
    if routing.mechanism == "route53-alarm":
        alarm = plan.observability.alarms.no_healthy_host or HEALTHY_HOST_ALARM
        lb_s, terms = _lb_check_step(_ingress_agent(plan))
        window = alarm.period_s * alarm.evaluation_periods
        terms.append(
            built_term(
                f"alarm {alarm.metric} < 1: period × evaluation periods "
                f"({alarm.period_s}s × {alarm.evaluation_periods})",
                window,
            )
        )
        terms.append(fig_term(figs, "cloudwatch-metric-delay"))
        seconds = lb_s + window + figs.value("cloudwatch-metric-delay")
        return Step(
            "load balancer check, then the 'no healthy host' alarm read by a CLOUDWATCH_METRIC health check",
            seconds,
            "route53-alarm",
            tuple(terms),
        )
    agent = _ingress_agent(plan)
    readiness = agent.readiness if agent else None
    ready_s = _probe_seconds(readiness)
    terms = []
    if readiness is not None and agent is not None:
        terms.append(
            built_term(
                f"{agent.name}: readiness period × failure threshold ({readiness.period_s:g}s × "
                f"{readiness.failure_threshold}) — endpoints leave the Ingress",
                ready_s,
            )
        )
    terms.append(fig_term(figs, "k8gb-reconcile"))
    return Step(
        "k8gb: ingress endpoints not ready, seen on the next reconcile",
        ready_s + figs.value("k8gb-reconcile"),
        "k8gb",
        tuple(terms),
    )


def region_switch(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Step:
    routing = plan.routing
    if plan.pattern not in ("active-passive", "active-active") or routing is None or routing.mechanism == "none":
        return Step("no DNS switch", 0.0, "none")
    if plan.target == "aws":
        terms = (fig_term(figs, "route53-dns-propagation"), fig_term(figs, "route53-alias-elb-ttl"))
        return Step(
            "Route 53 answers change, then cached alias answers expire (fixed 60 s TTL)",
            figs.value("route53-dns-propagation") + figs.value("route53-alias-elb-ttl"),
            "route53-alias",
            terms,
        )
    return Step(
        "cached k8gb answers expire (Gslb dnsTtlSeconds)",
        routing.ttl_s,
        "k8gb",
        (built_term(f"Gslb dnsTtlSeconds ({routing.ttl_s:g}s, from failover.dns_ttl)", routing.ttl_s),),
    )


def _zone_agent(spec: HASpec, plan: TopologyPlan, agent: AgentPlan, figs: Figures) -> Step:
    source = spec.agent(agent.name)
    stable = source is not None and source.replicas.static_stability
    terms: list[Term] = []
    if plan.target == "aws":
        hc = agent.lb_health_check
        seconds, terms = _lb_check_step(agent)
        mechanism = "alb-target-health" if hc else "none"
        if not stable:
            terms.append(fig_term(figs, "fargate-task-start"))
            healthy = hc.period_s * 2 if hc else 0.0
            if healthy:
                terms.append(built_term("new targets pass 2 load balancer checks (healthy threshold 2)", healthy))
            seconds += figs.value("fargate-task-start") + healthy
    else:
        mechanism = "k8s-node-lifecycle"
        terms.append(fig_term(figs, "k8s-node-grace"))
        seconds = figs.value("k8s-node-grace")
        if not stable:
            terms += [fig_term(figs, "k8s-eviction-toleration"), fig_term(figs, "k8s-pod-start")]
            seconds += figs.value("k8s-eviction-toleration") + figs.value("k8s-pod-start")
    label = f"agent {agent.name}" + ("" if stable else " (replaces lost replicas)")
    return Step(label, seconds, mechanism, tuple(terms), part=f"agent:{agent.name}")


def zone_recovery(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[Step, ...]:
    steps = [_zone_agent(spec, plan, a, figs) for a in plan.agents]
    for store in plan.stores:
        ids = ZONE_FAILOVER.get(store.engine)
        if ids is None:
            steps.append(
                Step(
                    f"store {store.name} (DynamoDB: multi-zone, nothing to fail over)",
                    0.0,
                    "dynamodb",
                    part=f"store:{store.name}",
                )
            )
            continue
        terms = [fig_term(figs, i) for i in ids]
        seconds = sum(figs.value(i) for i in ids)
        if store.engine == "redis":
            down_after = store.sentinel_down_after_s or REDIS_SENTINEL_DOWN_AFTER_S
            terms.insert(0, built_term(f"Sentinel down-after-milliseconds ({down_after:g}s, as built)", down_after))
            seconds += down_after
        steps.append(
            Step(f"store {store.name}", seconds, f"{store.engine}-failover", tuple(terms), part=f"store:{store.name}")
        )
    if plan.target == "kubernetes" and plan.queues:
        steps.append(
            Step(
                "RabbitMQ quorum queue leader election",
                figs.value("rabbitmq-leader-election"),
                "rabbitmq-quorum",
                (fig_term(figs, "rabbitmq-leader-election"),),
                part="broker",
            )
        )
    return tuple(steps)


# --- the ARC Region switch plan (blueprints/plan/region_switch.py) ---------------------------------


def switch_plan(spec: HASpec, plan: TopologyPlan) -> RegionSwitchPlan | None:
    """The Region switch plan a region outage of the primary runs (the first pair's), if built."""
    plans = region_switch_plans(plan, manual=spec.topology.failover.mode == "manual")
    return plans[0] if plans else None


def _block_step(spec: HASpec, plan: TopologyPlan, figs: Figures, block: SwitchBlock, target: str, source: str) -> Step:
    """How long one execution block takes, from what it acts on as built."""
    operator = spec.topology.failover.manual_response.total_seconds()
    if block.purpose == "approve":
        return Step(
            "manual approval of the failover",
            operator,
            "region-switch-approval",
            (spec_term("operator approves (failover.manual_response)", operator),),
        )
    if block.purpose == "scale":
        agent = plan.agent(block.target)
        have, want = agent.placement(target), agent.placement(source)
        if have is not None and want is not None and have.desired >= want.desired:
            return Step(
                f"scale {agent.name} in {target} (already at full capacity)",
                0.0,
                "region-switch-ecs",
                (built_term(f"{target} runs {have.desired} tasks, {source} {want.desired}", 0.0),),
            )
        terms = [fig_term(figs, "fargate-task-start")]
        seconds = figs.value("fargate-task-start")
        if agent.lb_health_check is not None:
            healthy = agent.lb_health_check.period_s * 2
            terms.append(built_term("new targets pass 2 load balancer checks (healthy threshold 2)", healthy))
            seconds += healthy
        return Step(f"scale {agent.name} in {target} to {source}'s tasks", seconds, "region-switch-ecs", tuple(terms))
    if block.purpose == "route":
        ids = ("arc-region-switch-health-check-flip", "route53-dns-propagation", "route53-alias-elb-ttl")
        return Step(
            f"move traffic to {target} (Route 53 health check block: vended checks flip, answers change, "
            "cached answers expire)",
            sum(figs.value(i) for i in ids),
            "region-switch-route53",
            tuple(fig_term(figs, i) for i in ids),
        )
    fid = PROMOTION[block.engine]
    if block.purpose == "promote":
        return Step(
            f"promote store {block.target} (Aurora global database block)",
            figs.value(fid),
            "region-switch-aurora",
            (fig_term(figs, fid),),
        )
    return Step(
        f"promote store {block.target} (no Region switch block: an operator runs the command, then approves)",
        operator + figs.value(fid),
        "region-switch-manual",
        (spec_term("operator runs the command (failover.manual_response)", operator), fig_term(figs, fid)),
    )


def region_switch_steps(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[Step, ...]:
    """The failover workflow of the Region switch plan, one timed step per workflow step (the
    blocks of a step run side by side: the slowest sets its time), after the trigger when automatic."""
    rs = switch_plan(spec, plan)
    if rs is None:
        return ()
    workflow = rs.failover
    # active/passive: the standby is activated; active/active: the primary is taken out, the other serves
    target = workflow.region if workflow.region is not None else rs.regions[1]
    source = next(r for r in rs.regions if r != target)
    steps: list[Step] = []
    if rs.triggers:
        steps.append(
            Step(
                "Region switch trigger starts the plan (SLO burn alarm red)",
                figs.value("arc-region-switch-trigger"),
                "region-switch-trigger",
                (fig_term(figs, "arc-region-switch-trigger"),),
            )
        )
    for group in workflow.steps:
        timed = [_block_step(spec, plan, figs, b, target, source) for b in group]
        slowest = max(timed, key=lambda t: t.seconds)
        label = timed[0].label if len(timed) == 1 else "side by side: " + "; ".join(t.label for t in timed)
        terms = tuple(dict.fromkeys(t for step in timed for t in step.terms))
        steps.append(Step(label, slowest.seconds, slowest.mechanism, terms))
    return tuple(steps)


def _promotion_by_plan(spec: HASpec, plan: TopologyPlan, figs: Figures, store: str) -> Step | None:
    """A store's promotion as the Region switch plan runs it: the trigger (automatic), every step
    before the store's (the compute scales first), then the store's own block. The failover
    approval (manual mode) is the operator response the region RTO already adds, so not again."""
    rs = switch_plan(spec, plan)
    if rs is None:
        return None
    steps = region_switch_steps(spec, plan, figs)
    offset = 1 if rs.triggers else 0
    terms: list[Term] = []
    seconds = 0.0
    if rs.triggers:
        seconds += steps[0].seconds
        terms += steps[0].terms
    for group, step in zip(rs.failover.steps, steps[offset:], strict=True):
        if any(b.purpose == "approve" for b in group):
            continue
        mine = next((b for b in group if b.target == store and b.purpose.startswith("promote")), None)
        if mine is None:
            seconds += step.seconds
            terms += step.terms
            continue
        # the group's time is its slowest block's; the store is served once its own block is done
        own = _block_step(spec, plan, figs, mine, rs.failover.region or rs.regions[1], rs.regions[0])
        seconds += own.seconds
        terms += own.terms
        return Step(
            f"promote store {store} (Region switch plan)",
            seconds,
            f"{mine.engine}-promotion",
            tuple(dict.fromkeys(terms)),
            part=f"store:{store}",
        )
    return None


def store_promotion(spec: HASpec, plan: TopologyPlan, figs: Figures) -> tuple[Step, ...]:
    if plan.pattern not in ("active-passive", "active-active"):
        return ()
    failover = spec.topology.failover
    steps = []
    for store in plan.stores:
        fid = PROMOTION.get(store.engine)
        if fid is None:
            continue
        by_plan = _promotion_by_plan(spec, plan, figs, store.name)
        if by_plan is not None:
            steps.append(by_plan)
            continue
        terms = [fig_term(figs, fid)]
        seconds = figs.value(fid)
        if failover.mode == "automatic":
            # DNS failover does not promote a store: someone (or the runbook's command) does.
            trigger = failover.manual_response.total_seconds()
            terms.append(spec_term("operator response to promote (failover.manual_response)", trigger))
            seconds += trigger
        steps.append(
            Step(
                f"promote store {store.name}",
                seconds,
                f"{store.engine}-promotion",
                tuple(terms),
                part=f"store:{store.name}",
            )
        )
    return tuple(steps)


def standby_start(spec: HASpec, plan: TopologyPlan, figs: Figures) -> Step | None:
    """A pilot-light standby's compute starting from zero once traffic arrives."""
    if plan.standby != "pilot-light":
        return None
    terms: list[Term] = []
    seconds = 0.0
    if plan.target == "aws":
        alarm = plan.observability.alarms.standby_activation or STANDBY_ACTIVATION_ALARM
        window = float(alarm.period_s * alarm.evaluation_periods)
        terms.append(
            built_term(
                f"activation alarm ({alarm.metric} or messages waiting, {alarm.period_s}s × "
                f"{alarm.evaluation_periods})",
                window,
            )
        )
        ids = ["cloudwatch-metric-delay", "fargate-task-start"]
        health = max((a.lb_health_check.period_s * 2 for a in plan.agents if a.lb_health_check), default=0.0)
        seconds += window
    else:
        # No autoscaler runs at zero on Kubernetes (a pilot-light standby has no pods and no
        # HPA/ScaledObject): someone scales it up, as the failover runbook says.
        operator = spec.topology.failover.manual_response.total_seconds()
        terms.append(spec_term("operator scales the standby up (failover.manual_response)", operator))
        agent = _ingress_agent(plan)
        ready = agent.readiness.period_s if agent is not None and agent.readiness is not None else 0.0
        if ready:
            terms.append(built_term("new pods pass their first readiness probe (at most one period)", ready))
        seconds += operator
        ids = ["k8s-pod-start"]
        health = ready
    terms += [fig_term(figs, i) for i in ids]
    if health and plan.target == "aws":
        terms.append(built_term("new targets pass 2 load balancer checks", health))
    return Step(
        "pilot-light scale-out from zero" if plan.target == "aws" else "pilot-light standby scaled up by an operator",
        seconds + sum(figs.value(i) for i in ids) + health,
        "scale-out" if plan.target == "aws" else "manual-scale-up",
        tuple(terms),
    )


def _notes(spec: HASpec, plan: TopologyPlan) -> tuple[str, ...]:
    notes: list[str] = []
    mechanism = plan.routing.mechanism if plan.routing else "none"
    if plan.target == "aws" and plan.routing is not None:
        notes.append(
            "Alias records to a load balancer carry its fixed 60 s TTL; `failover.dns_ttl` changes nothing on AWS."
        )
    if mechanism == "route53-alarm":
        notes.append(
            "Private ingress: the region fails over on the 'no healthy host' CloudWatch alarm, not on "
            "`failover.health_check`; if CloudWatch in the failed region stops evaluating, the health check "
            "keeps its last known status and the region does not fail over by itself."
        )
    synthetic = plan.routing.synthetic if plan.routing else None
    if synthetic is not None and plan.target == "aws" and mechanism in ("route53-https", "route53-alarm"):
        if synthetic.failover:
            notes.append(
                "The synthetic transaction's alarm is part of each region's Route 53 health check (a CALCULATED "
                "check that needs every child healthy): a region whose agent transaction fails is failed over "
                "even while its load balancer answers; the region is detected by whichever fires first."
            )
        else:
            notes.append(
                "The synthetic transaction alarms but does not fail regions over (`synthetic.failover: false`)."
            )
    if synthetic is not None and plan.target == "kubernetes":
        notes.append(
            "The synthetic Probe alerts (PrometheusRule) but does not steer k8gb, which fails over on the ingress "
            "agent's readiness."
        )
    if mechanism == "k8gb":
        notes.append(
            "k8gb decides by the ingress agent's endpoint readiness and its reconcile interval "
            "(`reconcileRequeueSeconds`, installed with k8gb); `failover.health_check` is not used."
        )
    return tuple(notes)


def build_timing(spec: HASpec, plan: TopologyPlan, figs: Figures) -> TimingPlan:
    """Every time of the plan, from what the components build (see the module docstring)."""
    failover = spec.topology.failover
    multi = plan.pattern in ("active-passive", "active-active")
    manual = failover.manual_response.total_seconds() if multi and failover.mode == "manual" else None
    return TimingPlan(
        region_detection=region_detection(spec, plan, figs),
        region_switch=region_switch(spec, plan, figs),
        manual_response_s=manual,
        store_promotion=store_promotion(spec, plan, figs),
        zone_recovery=zone_recovery(spec, plan, figs),
        standby_start=standby_start(spec, plan, figs),
        notes=_notes(spec, plan),
        switch_plan=region_switch_steps(spec, plan, figs),
    )
