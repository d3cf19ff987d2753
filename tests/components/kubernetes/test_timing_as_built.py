"""The timing the plan counts is the timing the Kubernetes components build (k8gb's Gslb)."""

from __future__ import annotations

from tests.components.kubernetes.support import case


def test_gslb_ttl_is_the_switch_the_region_rto_counts() -> None:
    for name in ("variant:active-passive-warm", "variant:active-active"):
        c = case(name)
        plan = c.plan
        assert plan.timing is not None and plan.routing is not None
        assert plan.timing.region_detection.mechanism == "k8gb"
        gslbs = [m.object for m in c.objects if m.object["kind"] == "Gslb"]
        assert gslbs
        for gslb in gslbs:
            assert gslb["spec"]["strategy"]["dnsTtlSeconds"] == plan.timing.region_switch.seconds == plan.routing.ttl_s


def test_k8gb_detection_reads_the_ingress_agents_readiness_not_failover_health_check() -> None:
    c = case("variant:active-passive-warm")
    plan = c.plan
    assert plan.timing is not None and plan.routing is not None
    readiness = plan.agent(plan.routing.agent).readiness
    assert readiness is not None
    (workload,) = [
        m.object
        for m in c.objects
        if m.object["kind"] in ("Deployment", "Rollout")
        and m.object["metadata"]["name"].endswith(plan.routing.agent)
        and m.region == plan.primary_region.name
    ]
    (container,) = [k for k in workload["spec"]["template"]["spec"]["containers"] if k.get("readinessProbe")]
    probe = container["readinessProbe"]
    built = probe["periodSeconds"] * probe["failureThreshold"]
    assert plan.timing.region_detection.seconds == built + plan.routing.reconcile_s


def test_sentinel_down_after_is_the_one_the_zone_rto_counts() -> None:
    c = case("example:research-agent")
    plan = c.plan
    (cache,) = [s for s in plan.stores if s.engine == "redis"]
    (sentinel,) = [m.object for m in c.objects if m.object["kind"] == "RedisSentinel"]
    config = sentinel["spec"]["redisSentinelConfig"]
    assert config["downAfterMilliseconds"] == str(round(cache.sentinel_down_after_s * 1000))
    assert config["failoverTimeout"] == str(round(cache.sentinel_failover_timeout_s * 1000))
    assert plan.timing is not None
    step = next(s for s in plan.timing.zone_recovery if s.label == f"store {cache.name}")
    assert any(t.value == cache.sentinel_down_after_s for t in step.terms)


def test_a_pilot_light_standby_has_no_autoscaler_so_the_plan_counts_an_operator() -> None:
    c = case("variant:active-passive-pilot-light")
    plan = c.plan
    standby = next(r.name for r in plan.regions if r.role == "standby")
    scalers = [
        m for m in c.objects if m.region == standby and m.object["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
    ]
    assert scalers == []
    assert plan.timing is not None and plan.timing.standby_start is not None
    assert plan.timing.standby_start.mechanism == "manual-scale-up"
