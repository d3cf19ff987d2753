"""timing.py: every detection and switch time comes from the mechanism the components build."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.plan.models import TopologyPlan
from blueprints.plan.planner import plan
from blueprints.plan.timing import ALIAS_TTL_S, HEALTHY_HOST_ALARM, route53_request_interval
from blueprints.spec.loader import load_spec, load_text
from tests.blueprints.spec.rules.helpers import aws, dump, kubernetes

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def planned(spec: dict) -> TopologyPlan:
    return plan(load_text(dump(spec), "spec.yaml").spec)


def finding_codes(p: TopologyPlan) -> set[str]:
    return {f.code for f in p.findings}


def k8s_two_regions() -> dict:
    spec = kubernetes()
    spec["topology"]["pattern"] = "active-passive"
    spec["ingress"] = {"agent": "planner", "domain": "research.lab.example", "hosted_zone": "lab.example"}
    primary = spec["topology"]["regions"][0]
    spec["topology"]["regions"] = [
        primary,
        {"name": "us-central1", "role": "standby", "zones": ["us-central1-a", "us-central1-b", "us-central1-c"]},
    ]
    return spec


def test_route53_accepts_10_or_30_seconds_only() -> None:
    assert [route53_request_interval(s) for s in (1, 10, 11, 30, 300)] == [10, 10, 30, 30, 30]


def test_private_aws_ingress_detects_on_the_alarm_not_the_spec_health_check() -> None:
    spec = aws()
    spec["topology"]["failover"]["health_check"] = {"path": "/readyz", "interval": "30s", "failure_threshold": 10}
    p = planned(spec)
    assert p.timing is not None and p.routing is not None
    det = p.timing.region_detection
    alarm = p.observability.alarms.no_healthy_host
    assert alarm == HEALTHY_HOST_ALARM
    ingress = p.agent(p.routing.agent).lb_health_check
    assert ingress is not None
    # load balancer marks the targets unhealthy + alarm window + metric arrival; the spec's 30s × 10 is not used
    assert det.mechanism == "route53-alarm"
    assert det.seconds == ingress.period_s * ingress.failure_threshold + 60 * 2 + 60
    assert "health-check-ignored" in finding_codes(p)
    assert not any("failover.health_check" in t.label for t in det.terms)


def test_public_aws_ingress_detects_on_the_route53_check() -> None:
    spec = aws()
    spec["ingress"]["public"] = True
    spec["topology"]["failover"]["health_check"] = {"path": "/readyz", "interval": "30s", "failure_threshold": 2}
    p = planned(spec)
    assert p.timing is not None and p.routing is not None
    assert (p.routing.interval_s, p.routing.failure_threshold) == (30, 2)
    assert p.timing.region_detection.mechanism == "route53-https"
    assert p.timing.region_detection.seconds == 60
    assert "health-check-ignored" not in finding_codes(p)


@pytest.mark.parametrize("ttl", ["5s", "60s", "10m"])
def test_aws_switch_is_propagation_plus_the_fixed_alias_ttl_whatever_dns_ttl_says(ttl: str) -> None:
    spec = aws()
    spec["topology"]["failover"]["dns_ttl"] = ttl
    p = planned(spec)
    assert p.timing is not None and p.routing is not None
    assert p.routing.ttl_s == ALIAS_TTL_S
    assert p.timing.region_switch.seconds == 60 + ALIAS_TTL_S
    finding = next(f for f in p.findings if f.code == "dns-ttl-ignored")
    assert finding.path == "topology.failover.dns_ttl"
    assert finding.severity == ("info" if ttl == "60s" else "warning")


def test_no_dns_ttl_finding_when_the_spec_leaves_it_alone() -> None:
    spec = aws()
    spec["topology"]["failover"].pop("dns_ttl", None)
    assert "dns-ttl-ignored" not in finding_codes(planned(spec))


def test_kubernetes_detects_by_readiness_and_k8gb_reconcile_and_switches_on_its_ttl() -> None:
    spec = k8s_two_regions()
    spec["topology"]["failover"] = {"dns_ttl": "20s", "health_check": {"interval": "30s", "failure_threshold": 9}}
    p = planned(spec)
    assert p.timing is not None and p.routing is not None
    assert p.routing.mechanism == "k8gb" and p.routing.reconcile_s == 30 and p.routing.ttl_s == 20
    readiness = p.agent(p.routing.agent).readiness
    assert readiness is not None
    det = p.timing.region_detection
    assert det.seconds == readiness.period_s * readiness.failure_threshold + 30
    assert {t.figure for t in det.terms} >= {"k8gb-reconcile"}
    assert not any("health check" in t.label.lower() for t in det.terms)  # failover.health_check is unused
    assert p.timing.region_switch.seconds == 20
    assert "health-check-ignored" in finding_codes(p)
    assert "dns-ttl-ignored" not in finding_codes(p)  # k8gb builds dnsTtlSeconds from it


def test_k8gb_reconcile_override_reaches_the_plan() -> None:
    spec = k8s_two_regions()
    spec["assumptions"] = {"timings": {"k8gb-reconcile": "5s"}}
    p = planned(spec)
    assert p.routing is not None and p.routing.reconcile_s == 5
    assert p.timing is not None and any(t.value == 5 for t in p.timing.region_detection.terms)


def test_manual_failover_adds_the_operator_before_the_switch() -> None:
    spec = aws()
    spec["topology"]["failover"]["mode"] = "manual"
    p = planned(spec)
    assert p.timing is not None
    assert p.timing.manual_response_s == 900
    assert p.timing.region_failover_s == p.timing.region_detection.seconds + 900 + p.timing.region_switch.seconds


def test_single_region_has_no_region_failover() -> None:
    spec = aws()
    spec["topology"] = {"pattern": "multi-zone", "regions": [spec["topology"]["regions"][0]]}
    del spec["objectives"]["disruptions"]["region"]
    spec["chaos"]["drills"] = ["zone-outage"]
    p = planned(spec)
    assert p.timing is not None and p.timing.region_detection.mechanism == "none"
    assert p.timing.manual_response_s is None


def test_redis_zone_failover_is_the_built_down_after_plus_the_sentinel_election() -> None:
    p = planned(kubernetes())
    assert p.timing is not None
    cache = p.store("cache")
    assert cache.sentinel_down_after_s == 5 and cache.sentinel_failover_timeout_s == 60
    redis = [s for s in p.timing.zone_recovery if s.mechanism == "redis-failover"]
    assert redis and {t.figure for t in redis[0].terms} == {None, "redis-sentinel-election"}
    assert redis[0].seconds == 5 + 10  # not the upstream 30 s default the component does not build


def order_routing_as_first_written():
    """order-routing as the audit found it: a 5m region RTO, and a 10s × 3 probe and a 30s DNS TTL that
    nothing builds for a private ingress (the example now says why it sets neither and asks 6m)."""
    text = (EXAMPLES / "order-routing" / "spec.yaml").read_text(encoding="utf-8")
    text = text.replace("region:      {rto: 6m,  rpo: 5m}", "region:      {rto: 5m,  rpo: 5s}")
    text = text.replace(
        "  failover:\n    mode: automatic\n",
        "  failover:\n    mode: automatic\n    health_check: {path: /readyz, interval: 10s, failure_threshold: 3}\n"
        "    dns_ttl: 30s\n",
    )
    assert "rto: 5m,  rpo: 5s" in text and "dns_ttl: 30s" in text
    return load_text(text, "order-routing.yaml", "prod")


def test_order_routing_prod_region_rto_reflects_the_alarm_and_the_alias_ttl() -> None:
    # Done-when of issue 10: detection is the HealthyHostCount alarm (not the spec's 10s × 3 probe),
    # the switch is Route 53 propagation + the 60s alias TTL (not dns_ttl: 30s), judged against 5m.
    loaded = order_routing_as_first_written()
    p = plan(loaded.spec, "prod")
    rto = next(e for e in p.estimates if (e.kind, e.disruption) == ("rto", "region"))
    assert p.timing is not None
    assert p.timing.region_detection.mechanism == "route53-alarm"
    assert rto.value == p.timing.region_failover_s == 15 + 120 + 60 + 60 + 60
    assert rto.objective == 300 and rto.met is False
    assert {"dns-ttl-ignored", "health-check-ignored"} <= finding_codes(p)


def test_drills_say_what_the_built_mechanisms_should_show_and_when() -> None:
    loaded = load_spec(EXAMPLES / "order-routing" / "spec.yaml", "prod")
    p = plan(loaded.spec, "prod")
    region = next(d for d in p.chaos.drills if d.name == "region-outage")
    assert region.runbook[-1].startswith(
        "Expect (plan's timing): load balancer check, then the 'no healthy host' alarm"
    )
    assert "within 3m15s" in region.runbook[-1] and "within 2m" in region.runbook[-1]
    zone = next(d for d in p.chaos.drills if d.name == "zone-outage")
    assert zone.runbook[-1] == "Expect (plan's timing): every part serves again within 15s (slowest: agent router)."


def test_a_kubernetes_pilot_light_waits_for_an_operator_no_autoscaler_runs_at_zero() -> None:
    spec = k8s_two_regions()
    spec["topology"]["standby"] = "pilot-light"
    p = planned(spec)
    assert p.timing is not None and p.timing.standby_start is not None
    start = p.timing.standby_start
    assert start.mechanism == "manual-scale-up"
    assert "autoscaling-reaction" not in {t.figure for t in start.terms}
    readiness = p.agent("planner").readiness
    assert readiness is not None
    assert start.seconds == 900 + 30 + readiness.period_s  # operator + pod start + first readiness probe
    # the standby really runs nothing that could scale itself
    assert all(pl.desired == 0 and pl.max > 0 for a in p.agents for pl in a.placements if pl.region == "us-central1")


def test_the_json_plan_carries_the_timing_record() -> None:
    import json

    p = planned(aws())
    data = json.loads(json.dumps(p.to_json()))
    timing = data["timing"]
    assert timing["region_detection"]["mechanism"] == "route53-alarm"
    assert timing["region_failover_s"] == 315
    assert {t["figure"] for t in timing["region_switch"]["terms"]} == {
        "route53-dns-propagation",
        "route53-alias-elb-ttl",
    }


# --- the synthetic transaction (ingress.synthetic) ------------------------------------------------


def test_synthetic_alarm_fails_a_private_region_over_first_when_it_is_faster() -> None:
    spec = aws()
    spec["ingress"]["synthetic"] = {"path": "/v1/chat", "interval": "1m", "timeout": "15s", "failure_threshold": 1}
    p = planned(spec)
    assert p.timing is not None and p.routing is not None and p.routing.synthetic is not None
    syn = p.routing.synthetic
    assert (syn.alarm.metric, syn.alarm.period_s, syn.alarm.evaluation_periods) == ("SuccessPercent", 60, 1)
    assert syn.regions == ("us-east-1", "us-west-2")  # warm standby has replicas: it is probed too
    det = p.timing.region_detection
    # 1 run × 60 s + a 15 s timeout + the metric delay (60 s) = 135 s, under the healthy-host alarm's 210 s
    assert det.mechanism == "route53-synthetic"
    assert det.seconds == 60 * 1 + 15 + 60
    assert any("CALCULATED" in n for n in p.timing.notes)


def test_a_slower_synthetic_leaves_detection_to_the_faster_mechanism() -> None:
    spec = aws()
    spec["ingress"]["public"] = True
    spec["ingress"]["synthetic"] = {"path": "/v1/chat", "interval": "5m", "timeout": "30s"}
    p = planned(spec)
    assert p.timing is not None
    assert p.timing.region_detection.mechanism == "route53-https"


def test_a_synthetic_without_failover_does_not_change_detection() -> None:
    spec = aws()
    spec["ingress"]["synthetic"] = {"path": "/v1/chat", "failure_threshold": 1, "timeout": "15s", "failover": False}
    p = planned(spec)
    assert p.timing is not None
    assert p.timing.region_detection.mechanism == "route53-alarm"
    assert any("does not fail regions over" in n for n in p.timing.notes)


def test_a_pilot_light_standby_gets_no_synthetic_it_would_wake_it_every_run() -> None:
    spec = aws()
    spec["topology"]["standby"] = "pilot-light"
    spec["ingress"]["synthetic"] = {"path": "/v1/chat"}
    p = planned(spec)
    assert p.routing is not None and p.routing.synthetic is not None
    assert p.routing.synthetic.regions == ("us-east-1",)
