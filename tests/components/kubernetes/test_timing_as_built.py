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
