"""FailoverRouting: Route 53 records and health checks for the ingress domain."""

from __future__ import annotations

from components.aws.failover_routing import request_interval
from tests.components.aws.helpers import dependencies, graph, synth_case


def records(case: str) -> dict[str, dict]:
    g = graph(case)
    return {r.name: r.inputs for r in g.of_type("aws:route53/record:Record") if "-ingress-record-" in r.name}


def test_active_passive_public_ingress_fails_over_on_https_health_checks() -> None:
    s = synth_case("support-agent")
    routing = s.plan.routing
    assert routing is not None
    recs = records("support-agent")
    primary = recs["support-agent-ingress-record-us-east-1"]
    secondary = recs["support-agent-ingress-record-us-west-2"]
    assert primary["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]
    assert secondary["failoverRoutingPolicies"] == [{"type": "SECONDARY"}]
    for rec in (primary, secondary):
        assert rec["name"] == "support.acme.example" and rec["type"] == "A" and rec["healthCheckId"]
        assert rec["aliases"][0]["evaluateTargetHealth"] is True
    # one HTTPS check per region (with the synthetic's check under a CALCULATED one: test_synthetic_canary)
    checks = [c for c in s.graph.of_type("aws:route53/healthCheck:HealthCheck") if c.inputs["type"] == "HTTPS"]
    assert len(checks) == 2
    for check in checks:
        i = check.inputs
        assert (i["type"], i["port"], i["resourcePath"]) == ("HTTPS", 443, routing.health_path)
        assert i["requestInterval"] == routing.interval_s and i["failureThreshold"] == routing.failure_threshold
        assert i["fqdn"].endswith(".elb.amazonaws.com")  # each region's own load balancer


def test_private_active_active_ingress_uses_latency_records_and_cloudwatch_health() -> None:
    s = synth_case("order-routing")
    recs = records("order-routing")
    assert {tuple(r["latencyRoutingPolicies"][0].values()) for r in recs.values()} == {
        ("eu-west-1",),
        ("eu-central-1",),
    }
    checks = s.graph.of_type("aws:route53/healthCheck:HealthCheck")
    metric = [c for c in checks if c.inputs["type"] == "CLOUDWATCH_METRIC"]
    calculated = [c for c in checks if c.inputs["type"] == "CALCULATED"]
    assert len(metric) == 4 and len(calculated) == 2  # blue and green target groups, per region
    for check in metric:
        assert check.inputs["insufficientDataHealthStatus"] == "LastKnownStatus"
        assert check.inputs["cloudwatchAlarmName"].startswith("order-routing-router-no-healthy-hosts-")
        assert check.inputs["cloudwatchAlarmRegion"] in check.inputs["cloudwatchAlarmName"]
    for check in calculated:
        # either target group, and the Region switch plan's vended check (test_region_switch_plan)
        children = check.inputs["childHealthchecks"]
        assert check.inputs["childHealthThreshold"] == 2 and len(children) == 3
        assert sum(c.startswith("rs-") for c in children) == 1
    alarms = {r.inputs["name"]: r for r in s.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    blue = alarms["order-routing-router-no-healthy-hosts-blue-eu-west-1"]
    assert blue.inputs["statistic"] == "Minimum" and "metricQueries" not in blue.inputs  # Route 53 needs a plain metric
    assert blue.inputs["alarmActions"] == []  # read by Route 53, not paged
    # The CALCULATED check is healthy while either group is: a group without data (the idle color,
    # or a region whose metrics stopped) must read as "no healthy host", or the region never fails over.
    for region in ("eu-west-1", "eu-central-1"):
        for color in ("blue", "green"):
            assert alarms[f"order-routing-router-no-healthy-hosts-{color}-{region}"].inputs["treatMissingData"] == (
                "breaching"
            )


def test_pilot_light_secondary_takes_traffic_without_a_health_check() -> None:
    recs = records("support-agent@staging")
    secondary = recs["support-agent-ingress-record-us-west-2"]
    assert "healthCheckId" not in secondary and secondary["aliases"][0]["evaluateTargetHealth"] is False
    assert "healthCheckId" in recs["support-agent-ingress-record-us-east-1"]


def test_one_region_gets_a_plain_alias_record() -> None:
    (rec,) = records("support-agent@dev").values()
    assert "setIdentifier" not in rec and "healthCheckId" not in rec
    assert not graph("support-agent@dev").of_type("aws:route53/healthCheck:HealthCheck")


def test_request_interval_is_one_route53_allows() -> None:
    assert request_interval(10) == 10 and request_interval(30) == 30 and request_interval(5) == 10


def test_a_private_ingress_zone_is_associated_with_the_new_vpcs() -> None:
    g = graph("order-routing")
    associations = g.of_type("aws:route53/zoneAssociation:ZoneAssociation")
    assert sorted(a.inputs["vpcRegion"] for a in associations) == ["eu-central-1", "eu-west-1"]
    vpcs = {v.urn for v in g.of_type("aws:ec2/vpc:Vpc")}
    assert all(set(dependencies(a, "vpcId")) <= vpcs for a in associations)
    assert not graph("support-agent").of_type("aws:route53/zoneAssociation:ZoneAssociation")  # public zone
