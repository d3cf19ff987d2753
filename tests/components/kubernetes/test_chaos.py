"""ChaosDrills: the spec's drills as Chaos Mesh Schedules in the primary region."""

from __future__ import annotations

from components.kubernetes.chaos import cron
from tests.components.kubernetes.support import case


def schedules(name: str) -> dict[str, tuple[str, dict]]:
    return {
        m.object["metadata"]["name"].rsplit("drill-", 1)[1]: (m.region, m.object["spec"])
        for m in case(name).objects
        if m.object["kind"] == "Schedule"
    }


def test_each_drill_is_a_schedule_an_hour_apart_in_the_primary_region():
    drills = schedules("example:research-agent")  # monthly: zone-outage, agent-crash, store-failover
    assert {d: s["schedule"] for d, (_, s) in drills.items()} == {
        "zone-outage": "0 10 8 * *",
        "agent-crash": "0 11 8 * *",
        "store-failover": "0 12 8 * *",
    }
    assert all(spec["concurrencyPolicy"] == "Forbid" for _, spec in drills.values())
    zone = drills["zone-outage"][1]
    assert zone["type"] == "PodChaos" and zone["podChaos"]["action"] == "pod-failure"
    assert zone["podChaos"]["selector"]["nodeSelectors"] == {"topology.kubernetes.io/zone": "europe-west4-a"}
    crash = drills["agent-crash"][1]["podChaos"]
    assert crash["selector"]["labelSelectors"] == {"app.kubernetes.io/instance": "research-agent-worker"}
    store = drills["store-failover"][1]["podChaos"]
    assert store["selector"]["labelSelectors"]["cnpg.io/instanceRole"] == "primary"


def test_region_outage_is_not_scheduled_where_the_standby_database_is_a_read_only_replica():
    # Failing the primary's ingress would move users to the standby, whose CloudNativePG cluster takes no
    # writes until promoted: the drill is the switchover in FAILOVER.md instead.
    drills = schedules("variant:active-passive-warm")
    assert "region-outage" not in drills
    assert {r for r, _ in drills.values()} == {"europe-west4"}
    assert set(drills) == {"zone-outage", "agent-crash", "store-failover"}


def test_region_outage_takes_the_primary_ingress_agent_down_where_no_store_is_left_read_only():
    import yaml

    from tests.components.kubernetes.support import Case, load_spec, spec_file, synth_path, variant

    spec = variant("active-passive-warm")
    spec["metadata"]["name"] = "v-stateless"
    spec["stores"] = []
    for agent in spec["agents"]:
        agent["uses"] = []
        agent.pop("idempotency", None)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    c = Case("stateless", load_spec(path), synth_path(path))
    found = {
        m.object["metadata"]["name"].rsplit("drill-", 1)[1]: (m.region, m.object["spec"])
        for m in c.objects
        if m.object["kind"] == "Schedule"
    }
    region, spec_ = found["region-outage"]
    assert region == "europe-west4"
    assert spec_["podChaos"]["selector"]["labelSelectors"] == {"app.kubernetes.io/instance": "v-stateless-planner"}


def test_network_drills():
    drills = schedules("variant:active-active")
    queue = drills["queue-outage"][1]["networkChaos"]
    assert queue["action"] == "partition"
    assert queue["target"]["selector"]["labelSelectors"] == {"app.kubernetes.io/name": "v-active-active-rabbitmq"}
    latency = drills["network-latency"][1]["networkChaos"]
    assert latency["delay"]["latency"] == "200ms"


def test_manual_schedules_create_nothing():
    assert cron("manual", 0) is None
    assert cron("weekly", 3) == "0 13 * * 2"
    assert schedules("generated") == {}  # the generated spec has no drills


def test_store_failover_kills_the_primary_of_redis_too():
    from components.kubernetes.chaos import ChaosDrills, ChaosDrillsArgs

    plan = case("example:research-agent").plan
    drill = next(d for d in plan.chaos.drills if d.name == "store-failover")
    args = ChaosDrillsArgs(scope=None, drills=(drill,), schedule="monthly", zone="z", redis_replication="sys-cache")  # type: ignore[arg-type]
    kind, body = ChaosDrills._experiment(drill, args, ["ns"], {})  # type: ignore[misc]
    assert kind == "PodChaos" and body["mode"] == "one"
    assert body["selector"]["labelSelectors"] == {"app": "sys-cache", "redis-role": "master"}
