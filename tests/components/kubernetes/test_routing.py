"""AgentIngress and GlobalRouting: TLS ingress per region, k8gb failover or round robin across regions."""

from __future__ import annotations

from components.kubernetes.global_routing import strategy
from tests.components.kubernetes.support import case


def objs(name: str, kind: str) -> list:
    return [m for m in case(name).objects if m.object["kind"] == kind]


def test_the_ingress_agent_gets_a_tls_ingress_in_every_region():
    (ingress,) = [m.object for m in objs("example:research-agent", "Ingress")]
    spec = ingress["spec"]
    # `public: false`: the internal class, never the default (internet-facing) one.
    assert spec["ingressClassName"] == "nginx-internal"
    assert spec["tls"] == [{"hosts": ["research.lab.example"], "secretName": "research-agent-tls"}]
    (rule,) = spec["rules"]
    assert rule["host"] == "research.lab.example"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "research-agent-planner", "port": {"name": "http"}}
    assert ingress["metadata"]["annotations"]["agentha.dev/exposure"] == "private"
    assert {m.region for m in objs("variant:active-active", "Ingress")} == {"europe-west4", "us-central1"}


def test_single_region_needs_no_global_routing():
    assert objs("example:research-agent", "Gslb") == []


def test_active_passive_fails_over_to_the_standby_and_active_active_round_robins():
    failover = objs("variant:active-passive-warm", "Gslb")
    assert {m.region for m in failover} == {"europe-west4", "us-central1"}
    for m in failover:
        spec = m.object["spec"]
        assert spec["strategy"] == {"type": "failover", "primaryGeoTag": "europe-west4", "dnsTtlSeconds": 60}
        assert spec["resourceRef"] == {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "name": "v-active-passive-warm-planner",
        }
    for m in objs("variant:active-active", "Gslb"):
        assert m.object["spec"]["strategy"] == {"type": "roundRobin", "dnsTtlSeconds": 60}
    plan = case("variant:active-active").plan
    assert strategy(plan.routing, "x")["type"] == "roundRobin"


def test_public_picks_the_public_class_and_private_the_internal_one():
    import dataclasses

    from components.kubernetes.ingress import AgentIngressArgs
    from components.kubernetes.meta import RegionScope

    routing = case("example:research-agent").plan.routing
    scope = RegionScope(system="s", region="r", namespace="s", provider=None)  # type: ignore[arg-type]
    private = AgentIngressArgs(
        scope=scope,
        routing=routing,
        service="svc",
        tls_secret_name="t",
        ingress_class_name="nginx",
        private_ingress_class_name="corp-internal",
    )
    assert routing.public is False and private.class_name == "corp-internal"
    public = dataclasses.replace(private, routing=dataclasses.replace(routing, public=True))
    assert public.class_name == "nginx"
