"""FailoverRouting: how users reach the ingress agent — Route 53 records and health checks.

- `single`: one alias record to the region's load balancer.
- `failover` (active-passive): PRIMARY and SECONDARY alias records with Route 53 health checks;
  Route 53 answers with the secondary while the primary's health check fails.
- `latency` (active-active): one latency record per region, each with its health check, so an
  unhealthy region drops out of the answers.

Health checks: a public ingress is probed over HTTPS on each region's load balancer (the spec's
path, interval and failure threshold; Route 53 checks do not validate the certificate). Route 53's
checkers live on the internet and cannot reach an internal load balancer, so a private ingress is
judged by CloudWatch instead: a `CLOUDWATCH_METRIC` check per target group on the "no healthy
host" alarm, combined by a `CALCULATED` check when blue/green keeps two groups. With a synthetic
transaction that fails over (`ingress.synthetic.failover`), its alarm is one more
`CLOUDWATCH_METRIC` child and a `CALCULATED` check needs it healthy too (public and private).

With an ARC Region switch plan that moves traffic (`switch_checks`), the health check Region switch
vends for a region is one more child that must be healthy, so a plan run moves traffic while the
endpoint checks keep failing the region over by themselves (`blueprints/plan/region_switch.py` says
which records are gated, and why only the PRIMARY one for active/passive). Route 53 does not nest
calculated checks here, so one calculated check takes every leaf: healthy when every required leaf
(endpoint or alarm check, synthetic, Region switch) is, and, with blue/green's two target groups, at
least one group; with two groups one threshold over all leaves also passes with both groups healthy
and one required leaf unhealthy, which happens only while a deploy runs both groups.

A private ingress zone is associated with the VPCs the topology creates, so the name also resolves
inside them. A pilot-light secondary has no task until traffic arrives, so its record carries no health check
and does not evaluate target health: when the primary fails, Route 53 sends traffic there, and the
arriving requests scale it out. Alias records take their TTL from the load balancer (60 s, fixed);
`failover.dns_ttl` changes nothing here (the plan warns when a spec sets it, and counts the 60 s).
Every timing setting built here is read from the plan (`RoutingPlan`, decided by
`blueprints/plan/timing.py`), so the region RTO counts what is deployed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_aws import cloudwatch, route53

from blueprints.plan import naming
from blueprints.plan.models import RoutingPlan
from blueprints.plan.timing import route53_request_interval
from components.aws.tags import TagContext

TOKEN = "agentha:aws:FailoverRouting"


@dataclass(frozen=True)
class RegionalEndpoint:
    """One region's entry point: its load balancer and the alarms that say it has no healthy host."""

    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    healthy_alarms: Sequence[cloudwatch.MetricAlarm] = ()
    pilot_light: bool = False
    synthetic_alarm: cloudwatch.MetricAlarm | None = None
    """The region's synthetic transaction alarm, when the spec fails regions over on it."""


@dataclass(frozen=True)
class FailoverRoutingArgs:
    routing: RoutingPlan
    tags: TagContext
    endpoints: Mapping[str, RegionalEndpoint]
    private_zone_vpcs: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """region -> VPC the topology created there; a private ingress zone is associated with each, so
    the name resolves inside them too (existing VPCs are left to their owners)."""
    switch_checks: Mapping[str, Sequence[pulumi.Input[str]]] = field(default_factory=dict)
    """region -> the Route 53 health checks ARC Region switch plans vend for it (each must be healthy)."""
    zone_id: pulumi.Input[str] | None = None
    """The hosted zone's id when the caller looked it up already (the Region switch plan needs it too)."""


def request_interval(seconds: float) -> int:
    """Route 53 probes every 10 s or 30 s; the plan already carries the built value (the one the
    region RTO counts, from blueprints/plan/timing.py), this only keeps a hand-made plan safe."""
    return route53_request_interval(seconds)


class FailoverRouting(pulumi.ComponentResource):
    """Route 53 health checks and records for the ingress domain."""

    fqdn: str
    health_check_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: FailoverRoutingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        r = args.routing
        system = args.tags.system
        zone_id = args.zone_id
        if zone_id is None:
            zone_id = route53.get_zone_output(
                name=r.hosted_zone, private_zone=not r.public, opts=pulumi.InvokeOptions(parent=self)
            ).zone_id
        self.fqdn = r.domain
        self.health_check_ids = {}
        for record in r.records:
            endpoint = args.endpoints[record.region]
            check_id: pulumi.Output[str] | None = None
            if r.mode != "single" and not endpoint.pilot_light:
                check_id = self._health_check(record.region, endpoint)
                self.health_check_ids[record.region] = check_id
            route53.Record(
                naming.resource(system, "ingress", "record", record.region),
                route53.RecordArgs(
                    zone_id=zone_id,
                    name=r.domain,
                    type="A",
                    aliases=[
                        route53.RecordAliasArgs(
                            name=endpoint.dns_name,
                            zone_id=endpoint.zone_id,
                            evaluate_target_health=not endpoint.pilot_light,
                        )
                    ],
                    set_identifier=record.set_identifier if r.mode != "single" else None,
                    failover_routing_policies=[route53.RecordFailoverRoutingPolicyArgs(type=record.failover_role)]
                    if r.mode == "failover" and record.failover_role
                    else None,
                    latency_routing_policies=[route53.RecordLatencyRoutingPolicyArgs(region=record.region)]
                    if r.mode == "latency"
                    else None,
                    health_check_id=check_id,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        if not r.public:
            for region, vpc_id in args.private_zone_vpcs.items():
                route53.ZoneAssociation(
                    naming.resource(system, "ingress", "zone-association", region),
                    route53.ZoneAssociationArgs(zone_id=zone_id, vpc_id=vpc_id, vpc_region=region),
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs({"fqdn": self.fqdn, "health_check_ids": self.health_check_ids})

    def _health_check(self, region: str, endpoint: RegionalEndpoint) -> pulumi.Output[str]:
        args = self._args
        r = args.routing
        system = args.tags.system
        tags = args.tags.tags("routing", "health-check", region=region, spec_path="topology.failover.health_check")
        child = pulumi.ResourceOptions(parent=self)
        synthetic = None
        if endpoint.synthetic_alarm is not None:
            synthetic = route53.HealthCheck(
                naming.resource(system, "ingress", "synthetic-check", region),
                route53.HealthCheckArgs(
                    type="CLOUDWATCH_METRIC",
                    cloudwatch_alarm_name=endpoint.synthetic_alarm.name,
                    cloudwatch_alarm_region=region,
                    # Before the first run the alarm has no data: keep the last (initially healthy) status.
                    insufficient_data_health_status="LastKnownStatus",
                    tags=args.tags.tags(
                        "routing", "health-check", region=region, spec_path="ingress.synthetic.failover"
                    ),
                ),
                opts=child,
            )
        if r.public:
            check = route53.HealthCheck(
                naming.resource(system, "ingress", "health-check", region),
                route53.HealthCheckArgs(
                    type="HTTPS",
                    fqdn=endpoint.dns_name,
                    port=443,
                    resource_path=r.health_path,
                    request_interval=request_interval(r.interval_s),
                    failure_threshold=r.failure_threshold,
                    enable_sni=True,
                    tags=tags,
                ),
                opts=child,
            )
            return self._combine(region, [check], [], synthetic, tags)
        children = [
            route53.HealthCheck(
                naming.resource(system, "ingress", f"alarm-check-{i + 1}", region),
                route53.HealthCheckArgs(
                    type="CLOUDWATCH_METRIC",
                    cloudwatch_alarm_name=alarm.name,
                    cloudwatch_alarm_region=region,
                    insufficient_data_health_status="LastKnownStatus",
                    tags=tags,
                ),
                opts=child,
            )
            for i, alarm in enumerate(endpoint.healthy_alarms)
        ]
        if not children:
            raise ValueError(f"region {region}: a private ingress needs a 'no healthy host' alarm to check")
        if len(children) == 1:
            return self._combine(region, children, [], synthetic, tags)
        # blue/green: healthy while either target group has a healthy host
        return self._combine(region, [], children, synthetic, tags)

    def _combine(
        self,
        region: str,
        required: Sequence[route53.HealthCheck],
        any_of: Sequence[route53.HealthCheck],
        synthetic: route53.HealthCheck | None,
        tags: Mapping[str, str],
    ) -> pulumi.Output[str]:
        """One check for the record: every required leaf healthy and, when given, one of `any_of`.
        Route 53 cannot nest calculated checks, so one threshold over every leaf: the required ones
        plus one (both groups healthy with one required leaf unhealthy passes too: a deploy's window)."""
        vended = list(self._args.switch_checks.get(region, ()))
        ids: list[pulumi.Input[str]] = [c.id for c in required]
        if synthetic is not None:
            ids.append(synthetic.id)
        ids += vended
        threshold = len(ids) + (1 if any_of else 0)
        ids += [c.id for c in any_of]
        if len(ids) == 1:
            return pulumi.Output.from_input(ids[0])
        role = "health-check" if not vended and synthetic is None else "combined-check"
        return self._calculated(region, role, ids, threshold, tags).id

    def _calculated(
        self,
        region: str,
        role: str,
        children: Sequence[pulumi.Input[str]],
        threshold: int,
        tags: Mapping[str, str],
    ) -> route53.HealthCheck:
        return route53.HealthCheck(
            naming.resource(self._args.tags.system, "ingress", role, region),
            route53.HealthCheckArgs(
                type="CALCULATED",
                child_healthchecks=list(children),
                child_health_threshold=threshold,
                tags=dict(tags),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
