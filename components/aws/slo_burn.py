"""SloBurn: one region's availability error-budget burn alarm — the chaos drills' abort condition.

"Customers are hurt beyond what a drill's hypothesis allows" is measured on the availability SLI,
not on the symptoms a drill causes on purpose. A zone-outage drill makes targets unhealthy, drops
running tasks below the planned minimum and may leave a dead letter: a stop condition built on
those alarms (as the region's composite "region health" alarm is) stops the drill it is meant to
watch, or keeps it from starting at all. So the drills stop on this alarm only.

The SLI is the ingress load balancer's 5xx ratio (alarms.ERROR_RATIO_EXPRESSION, which counts the
load balancer's own 503s, so a total outage reads 100 %). The SLO is the spec's availability
objective over 30 days; its error budget is `100 - objective` percent of requests. Alarms follow the
multi-window burn-rate rule of the Google SRE Workbook (chapter 5, "Alerting on SLOs"), as the
Kubernetes blueprint's PrometheusRule does: ALARM when the budget burns BURN_RATE (14.4) times too
fast over both LONG_WINDOW_S (1 h) and SHORT_WINDOW_S (5 min), i.e. 2 % of a 30-day budget spent in
an hour and still being spent. A zone outage that the plan recovers from within its RTO spends far
less; a drill that keeps hurting customers trips it within minutes (at 100 % errors the 1-hour ratio
crosses 14.4 × budget after 14.4 × budget × 3600 s, under a minute for a 99.9 % objective).

Per region with an ALB ingress: a short-window and a long-window metric math alarm and a composite
`ALARM(short) AND ALARM(long)` (the abort alarm), OR the synthetic transaction's alarm where the
spec names one (synthetic_canary.py: it sees the total outage in which no request reaches the load
balancer, and the 5xx ratio has no data). A region without a load balancer ingress (queue
workers only) falls back to its oldest-message-age alarms: work waiting longer than the spec
allows is the customer-facing symptom there. Missing data is not breaching: no request and no 503
means nobody was refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch

from blueprints.plan import naming
from components.aws.alarms import AlarmTarget, alarm_name, error_ratio_queries, expression_alarm
from components.aws.tags import TagContext

TOKEN = "agentha:aws:SloBurn"

BURN_RATE = 14.4
"""Budget burn factor that pages (SRE Workbook: 2 % of a 30-day budget in one hour)."""
LONG_WINDOW_S = 3600
SHORT_WINDOW_S = 300
ABORT_SLI = "slo-burn"


def burn_threshold_percent(objective_percent: float, burn_rate: float = BURN_RATE) -> float:
    """The 5xx ratio (percent of requests) at which the error budget burns `burn_rate` times too
    fast: burn_rate × (100 − objective), at most 100 %."""
    budget = max(0.0, 100.0 - objective_percent)
    return round(min(100.0, burn_rate * budget), 6)


def burn_rule(pairs: Sequence[tuple[str, str]], fallback: Sequence[str] = (), synthetic: str | None = None) -> str:
    """Composite rule: any (short AND long) pair in ALARM, or (without pairs) any fallback alarm; or
    the synthetic transaction's alarm (it fails when no request reaches the load balancer at all)."""
    terms = [f'(ALARM("{short}") AND ALARM("{long}"))' for short, long in pairs]
    if not terms:
        terms = [f'ALARM("{name}")' for name in fallback]
    if synthetic:
        terms.append(f'ALARM("{synthetic}")')
    return " OR ".join(terms)


@dataclass(frozen=True)
class BurnSource:
    """An ALB ingress whose 5xx ratio is the region's availability SLI."""

    agent: str
    load_balancer_arn_suffix: pulumi.Input[str]


@dataclass(frozen=True)
class SloBurnArgs:
    region: str
    tags: TagContext
    topic_arn: pulumi.Input[str]
    objective_percent: float
    """The spec's availability objective (plan.observability.availability_objective)."""
    sources: Sequence[BurnSource] = ()
    fallback_alarm_names: Sequence[pulumi.Input[str]] = ()
    """Used only without a source: the region's oldest-message-age alarms."""
    synthetic_alarm_name: pulumi.Input[str] | None = None
    """The region's synthetic transaction alarm (ingress.synthetic): OR'ed into the abort alarm, since its
    failing runs are customers' failing requests, including the total outage the 5xx ratio cannot see."""


class SloBurn(pulumi.ComponentResource):
    """Error-budget burn alarms of one region and the composite the chaos drills abort on."""

    alarm_name: pulumi.Output[str] | None
    """The composite abort alarm (None when the region has neither an ALB ingress nor a queue alarm)."""
    alarm_arn: pulumi.Output[str] | None
    alarms: list[cloudwatch.MetricAlarm]
    """The window alarms (graphed on the region's dashboard)."""
    abort_condition: str
    """What the abort alarm means, in words (the drills' descriptions quote it)."""

    def __init__(self, name: str, args: SloBurnArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        region = args.region
        system = args.tags.system
        target = AlarmTarget(region=region, tags=args.tags, scope=args.tags.scope, topic_arn=args.topic_arn)
        threshold = burn_threshold_percent(args.objective_percent)
        self.alarms = []
        pairs: list[pulumi.Output[list[str]]] = []
        for source in args.sources:
            dims = {"LoadBalancer": source.load_balancer_arn_suffix}
            windows: list[cloudwatch.MetricAlarm] = []
            for label, period in (("5m", SHORT_WINDOW_S), ("1h", LONG_WINDOW_S)):
                windows.append(
                    expression_alarm(
                        target,
                        part=source.agent,
                        sli=f"{ABORT_SLI}-{label}",
                        spec_path="objectives.availability",
                        description=f"{source.agent} ({region}): over the last {label} more than {threshold:g}% of "
                        f"requests answered 5xx — the {args.objective_percent:g}% availability error budget burns "
                        f"{BURN_RATE:g}x too fast",
                        queries=error_ratio_queries("AWS/ApplicationELB", dims, period=period),
                        threshold=threshold,
                        comparison="GreaterThanThreshold",
                        evaluation_periods=1,
                        missing="notBreaching",
                        parent=self,
                    )
                )
            self.alarms += windows
            pairs.append(pulumi.Output.all(windows[0].name, windows[1].name))
        self.alarm_name = None
        self.alarm_arn = None
        self.abort_condition = (
            f"the {args.objective_percent:g}% availability budget burns {BURN_RATE:g}x too fast over 5 min and 1 h "
            f"(5xx above {threshold:g}%)"
            if args.sources
            else f"work waits in a queue of {region} longer than the spec allows"
        )
        if args.synthetic_alarm_name is not None:
            # FIS descriptions hold 512 characters: the same condition, shorter, with the synthetic
            self.abort_condition = (
                f"the {args.objective_percent:g}% budget burns {BURN_RATE:g}x too fast over 5m and 1h "
                f"(5xx > {threshold:g}%) or the synthetic fails"
                if args.sources
                else "the synthetic transaction fails"
            )
        if pairs or args.fallback_alarm_names or args.synthetic_alarm_name is not None:
            fallback = list(args.fallback_alarm_names) if not pairs else []
            rule = pulumi.Output.all(
                pulumi.Output.all(*pairs),
                pulumi.Output.all(*fallback),
                pulumi.Output.from_input(args.synthetic_alarm_name),
            ).apply(lambda v: burn_rule([(p[0], p[1]) for p in v[0]], v[1], v[2]))
            what = (
                f"the {args.objective_percent:g}% availability error budget burns {BURN_RATE:g}x too fast over "
                "both 5 minutes and 1 hour"
                if pairs
                else "work waits in a queue longer than the spec allows"
                if fallback
                else "the synthetic transaction fails"
            )
            if args.synthetic_alarm_name is not None and (pairs or fallback):
                what += ", or the synthetic transaction fails"
            composite = cloudwatch.CompositeAlarm(
                naming.resource(system, ABORT_SLI, "composite", region),
                cloudwatch.CompositeAlarmArgs(
                    alarm_name=alarm_name(args.tags.scope, "availability", ABORT_SLI, region),
                    alarm_description=f"{system} ({region}): customers are hurt: {what}. Chaos drills abort on "
                    "this alarm (and only on it).",
                    alarm_rule=rule,
                    actions_enabled=True,
                    alarm_actions=[args.topic_arn],
                    ok_actions=[args.topic_arn],
                    region=region,
                    tags=args.tags.tags("observability", f"alarm-{ABORT_SLI}", region=region, spec_path="objectives"),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.alarm_name = composite.alarm_name
            self.alarm_arn = composite.arn
        self.register_outputs({"alarm_name": self.alarm_name, "alarm_arn": self.alarm_arn})
