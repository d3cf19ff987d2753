"""GatewayAlarms: the model providers' SLIs in one region, as CloudWatch alarms on the gateway's metrics.

The same SLIs, thresholds and windows as the Kubernetes PrometheusRules (components/kubernetes/gateway_rules.py),
read from the metrics the gateway task's collector publishes (blueprints/plan/collector.py: LiteLLM's
Prometheus counters as per-scrape increments, namespace AgentHA/ModelGateway, dimension `system` = the stack's
scope), over 5-minute periods like the rules' `rate(...[5m])`:

- provider error rate: failed calls / calls of the provider's model group, above the spec's error-rate alarm;
- throttling: calls refused with 429 / calls, above 1 % for ten minutes;
- fallback rate: calls asked of the provider answered by a fallback / calls, above 5 % for ten minutes;
- fallback failing: any call that failed on its fallbacks too, five minutes;
- latency: the provider's *mean* latency above 80 % of the dependency's timeout for ten minutes (the EMF
  export of a Prometheus histogram carries count and sum, not buckets: no p99 on this target);
- tokens per minute above 80 % of the region's part of the provider's quota, ten minutes.

- metrics silent: no gateway task of the region scraped LiteLLM's /metrics and delivered it (the collector's
  `up`, maximum over the tasks below 1, or no datapoint at all) for ten minutes. The alarms above treat missing
  data as not breaching, so without this one a stopped collector, an EMF delivery that fails or a LiteLLM
  without its Prometheus callback would leave every provider alarm OK and blind. Missing data breaches here,
  except where no gateway task is meant to run (a pilot-light standby, `agentha:startAgents` false): there it
  does not, and the alarm only sees scrapes that fail once tasks run.

Every alarm notifies the region's alert topic. None joins the region-health composite (and so none steers DNS
failover or a Region switch): the provider is outside the region. A provider outage that the fallback absorbs
costs no request, and one it does not absorb fails the same provider from every region, so failing over would
move traffic without helping; the agents' own 5xx and latency alarms, which are in the composite, already see
what users see. Missing data is not breaching for the SLIs (no traffic, no datapoint), which is why the
metrics-silent alarm exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch

from blueprints.plan import collector
from blueprints.plan.gateway import (
    FALLBACK_RATIO,
    GATEWAY,
    LATENCY_SHARE,
    METRICS_SILENT,
    QUOTA_SHARE,
    SPEC_PATH,
    THROTTLE_RATIO,
)
from components.aws.alarms import AlarmTarget, expression_alarm, metric_alarm, metric_query
from components.aws.tags import TagContext

TOKEN = "agentha:aws:GatewayAlarms"
PERIOD_S = 300
"""The window of every SLI (the Kubernetes rules' `rate(...[5m])`)."""
SILENT_PERIODS = 2
"""Periods without a successful scrape before the metrics-silent alarm (ten minutes, the Kubernetes rules'
`for: 10m` on ModelGatewayMetricsMissing)."""


@dataclass(frozen=True)
class ProviderSli:
    name: str
    """The dependency's name: the gateway's model group, the model agents ask for."""
    timeout_s: float
    tokens_per_minute: float | None = None
    """The region's part of the provider's quota (its TPM over the regions that share it)."""


@dataclass(frozen=True)
class GatewayAlarmsArgs:
    region: str
    tags: TagContext
    topic_arn: pulumi.Input[str]
    providers: tuple[ProviderSli, ...]
    error_ratio: float
    """Provider error rate that alarms (the spec's error-rate alarm, as a ratio)."""
    metrics_expected: bool = True
    """Gateway tasks run in this region (not a pilot-light standby, not `startAgents` false): silence is an
    outage of the metrics pipeline, and the metrics-silent alarm treats missing data as breaching."""


def _ratio(
    numerator: str, dims: dict[str, str], denominator_dims: dict[str, str], metric: str, label: str
) -> list[cloudwatch.MetricAlarmMetricQueryArgs]:
    """`part / calls` over the period, 0 without calls (metric math)."""
    return [
        metric_query("part", collector.NAMESPACE, metric, dims, stat="Sum", period=PERIOD_S),
        metric_query("calls", collector.NAMESPACE, collector.REQUESTS, denominator_dims, stat="Sum", period=PERIOD_S),
        cloudwatch.MetricAlarmMetricQueryArgs(
            id=numerator, expression="IF(FILL(calls, 0) > 0, FILL(part, 0) / calls, 0)", label=label, return_data=True
        ),
    ]


class GatewayAlarms(pulumi.ComponentResource):
    """The model providers' SLI alarms of one region (they notify; they are not region health)."""

    alarms: list[cloudwatch.MetricAlarm]
    metrics_silent: cloudwatch.MetricAlarm
    """Fires when the metrics every other alarm reads stop arriving (see the module's docstring)."""

    def __init__(self, name: str, args: GatewayAlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        to = AlarmTarget(region=args.region, tags=args.tags, scope=args.tags.scope, topic_arn=args.topic_arn)
        system = {collector.SYSTEM_LABEL: args.tags.scope}
        self.alarms = []
        for p in args.providers:
            group = {**system, "model_group": p.name}
            wanted = {**system, "requested_model": p.name}
            where = f"{p.name} ({args.region})"
            common = {"part": GATEWAY, "spec_path": SPEC_PATH, "parent": self}
            self.alarms.append(
                expression_alarm(
                    to,
                    sli=f"{p.name}-error-rate",
                    description=f"{where}: more than {args.error_ratio * 100:g}% of the gateway's calls to the "
                    "provider fail",
                    queries=_ratio("errors", group, group, collector.FAILURES, "failed calls / calls"),
                    threshold=args.error_ratio,
                    comparison="GreaterThanThreshold",
                    evaluation_periods=1,
                    **common,
                )
            )
            self.alarms.append(
                expression_alarm(
                    to,
                    sli=f"{p.name}-throttled",
                    description=f"{where}: the provider refuses more than {THROTTLE_RATIO * 100:g}% of calls with "
                    "429 (rate limited): its quota, or this region's part of it, is too small for the load",
                    queries=_ratio(
                        "throttled",
                        {**group, "exception_status": "429"},
                        group,
                        collector.FAILURES,
                        "calls refused with 429 / calls",
                    ),
                    threshold=THROTTLE_RATIO,
                    comparison="GreaterThanThreshold",
                    evaluation_periods=2,
                    **common,
                )
            )
            self.alarms.append(
                expression_alarm(
                    to,
                    sli=f"{p.name}-falling-back",
                    description=f"{where}: more than {FALLBACK_RATIO * 100:g}% of the calls asked of the provider "
                    "are answered by its fallback: the provider is failing",
                    queries=_ratio("fallbacks", wanted, group, collector.FALLBACKS, "answered by a fallback / calls"),
                    threshold=FALLBACK_RATIO,
                    comparison="GreaterThanThreshold",
                    evaluation_periods=2,
                    **common,
                )
            )
            self.alarms.append(
                metric_alarm(
                    to,
                    sli=f"{p.name}-fallback-failing",
                    description=f"{where}: calls asked of the provider fail on its fallbacks too",
                    namespace=collector.NAMESPACE,
                    metric=collector.FAILED_FALLBACKS,
                    dimensions=wanted,
                    statistic="Sum",
                    threshold=0,
                    comparison="GreaterThanThreshold",
                    period=PERIOD_S,
                    evaluation_periods=1,
                    **common,
                )
            )
            self.alarms.append(
                metric_alarm(
                    to,
                    sli=f"{p.name}-slow",
                    description=f"{where}: the provider's mean latency is above {LATENCY_SHARE * 100:g}% of its "
                    f"{p.timeout_s:g} s timeout: calls are about to time out",
                    namespace=collector.NAMESPACE,
                    metric=collector.LATENCY,
                    dimensions=group,
                    statistic="Average",
                    threshold=LATENCY_SHARE * p.timeout_s,
                    comparison="GreaterThanThreshold",
                    period=PERIOD_S,
                    evaluation_periods=2,
                    **common,
                )
            )
            if p.tokens_per_minute:
                self.alarms.append(
                    expression_alarm(
                        to,
                        sli=f"{p.name}-near-quota",
                        description=f"{where}: tokens per minute asked of the provider pass "
                        f"{QUOTA_SHARE * 100:g}% of this region's part of its quota ({p.tokens_per_minute:g})",
                        queries=[
                            metric_query(
                                "tokens", collector.NAMESPACE, collector.TOKENS, wanted, stat="Sum", period=PERIOD_S
                            ),
                            cloudwatch.MetricAlarmMetricQueryArgs(
                                id="tpm",
                                expression=f"FILL(tokens, 0) / {PERIOD_S // 60}",
                                label="tokens per minute",
                                return_data=True,
                            ),
                        ],
                        threshold=QUOTA_SHARE * p.tokens_per_minute,
                        comparison="GreaterThanThreshold",
                        evaluation_periods=2,
                        **common,
                    )
                )
        self.metrics_silent = metric_alarm(
            to,
            part=GATEWAY,
            sli=METRICS_SILENT,
            spec_path=SPEC_PATH,
            description=f"model gateway ({args.region}): no task delivered LiteLLM's metrics for "
            f"{SILENT_PERIODS * PERIOD_S // 60} minutes (collector stopped, EMF not delivered, or /metrics not "
            "answering): the provider alarms of this region cannot see",
            namespace=collector.NAMESPACE,
            metric=collector.UP,
            dimensions=system,
            statistic="Maximum",
            threshold=1,
            comparison="LessThanThreshold",
            period=PERIOD_S,
            evaluation_periods=SILENT_PERIODS,
            missing="breaching" if args.metrics_expected else "notBreaching",
            parent=self,
        )
        self.alarms.append(self.metrics_silent)
        self.register_outputs({"alarms": [a.arn for a in self.alarms], "metrics_silent": self.metrics_silent.arn})
