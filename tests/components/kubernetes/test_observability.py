"""Observability: scrape targets, SLI alerts from the spec, multi-window burn-rate alerts, dashboard."""

from __future__ import annotations

import json

import yaml

from components.kubernetes.observability import BURN_RATES, WINDOWS
from tests.components.kubernetes.support import case, spec_file, synth_path, variant

EXAMPLE = "example:research-agent"


def objs(c, kind: str, region: str | None = None) -> list[dict]:
    return [m.object for m in c.objects if m.object["kind"] == kind and (region is None or m.region == region)]


def rules(c, region: str | None = None) -> dict[str, list[dict]]:
    (rule,) = objs(c, "PrometheusRule", region)
    return {g["name"]: g["rules"] for g in rule["spec"]["groups"]}


def test_burn_rate_alerts_follow_the_sre_workbook_on_the_availability_objective():
    groups = rules(case(EXAMPLE))
    recorded = {r["record"] for r in groups["research-agent-slo-recording"]}
    assert recorded == {f"agentha:slo_errors:ratio_rate{w}" for w in WINDOWS}
    burn = groups["research-agent-slo-burn"]
    assert [(a["labels"]["severity"], a["labels"]["long_window"]) for a in burn] == [
        ("page", "1h"),
        ("page", "6h"),
        ("ticket", "1d"),
        ("ticket", "3d"),
    ]
    fast = burn[0]["expr"]
    assert "ratio_rate1h" in fast and "ratio_rate5m" in fast and "(14.4 * 0.001)" in fast  # 99.9% objective
    assert [b[1] for b in BURN_RATES] == [14.4, 6.0, 3.0, 1.0]
    # The SLO counts the ingress agent's requests: what users see.
    assert 'service=~"research-agent-planner"' in groups["research-agent-slo-recording"][0]["expr"]


def test_every_spec_alarm_becomes_an_alert():
    alerts = {
        (r["alert"], r["labels"].get("agent") or r["labels"].get("queue") or r["labels"].get("store"))
        for r in rules(case(EXAMPLE))["research-agent-sli"]
    }
    assert {
        ("AgentErrorRateHigh", "planner"),
        ("AgentLatencyP99High", "planner"),
        ("AgentPodsNotReady", "planner"),
        ("AgentPodsNotReady", "worker"),
        ("AgentBelowPlannedReplicas", "planner"),
        ("AgentBelowPlannedReplicas", "worker"),
        ("QueueOldestMessageAgeHigh", "research-tasks"),
        ("QueueDeadLetters", "research-tasks"),
        ("StoreReplicationLagHigh", "findings"),
        ("StoreWalArchiveFailing", "findings"),
        ("StoreWalArchiveStalled", "findings"),
    } == alerts
    by_name = {r["alert"] + str(r["labels"].get("agent")): r for r in rules(case(EXAMPLE))["research-agent-sli"]}
    assert by_name["AgentErrorRateHighplanner"]["expr"].endswith("> 0.02")
    assert by_name["AgentLatencyP99Highplanner"]["expr"].endswith("> 10")
    assert by_name["AgentBelowPlannedReplicasworker"]["expr"].endswith("< 5")
    age = next(r for r in rules(case(EXAMPLE))["research-agent-sli"] if r["alert"] == "QueueOldestMessageAgeHigh")
    assert "> 1800" in age["expr"] and "messages_delivered_ack_total" in age["expr"]


def test_alarms_set_to_null_are_left_out():
    spec = variant("multi-zone")
    spec["metadata"]["name"] = "quiet"
    spec["observability"]["alarms"] = {
        "error_rate_percent": None,
        "latency_p99": None,
        "oldest_message_age": None,
        "dead_letters": None,
        "replication_lag": None,
        "unhealthy_hosts": False,
        "running_below_min": False,
    }
    synthesis = synth_path(spec_file(yaml.safe_dump(spec, sort_keys=False)))
    (rule,) = [r.inputs for r in synthesis.graph if r.custom and r.inputs.get("kind") == "PrometheusRule"]
    # the SLO signals stay: burn rates, and the synthetic transaction the example names (not an SLI alarm)
    assert [g["name"] for g in rule["spec"]["groups"]] == ["quiet-slo-recording", "quiet-slo-burn", "quiet-synthetic"]


def test_standby_regions_alert_on_their_own_planned_counts():
    c = case("variant:active-passive-pilot-light")
    standby = rules(c, "us-central1")
    below = [r for r in standby["v-active-passive-pilot-light-sli"] if r["alert"] == "AgentBelowPlannedReplicas"]
    assert below == []  # nothing is planned to run there until failover
    assert all(r["labels"]["region"] == "us-central1" for r in standby["v-active-passive-pilot-light-sli"])


def test_scrape_targets():
    c = case(EXAMPLE)
    monitors = {o["metadata"]["name"]: o["spec"] for o in objs(c, "ServiceMonitor")}
    agents = monitors["research-agent-agents"]
    assert agents["endpoints"][0]["port"] == "http" and agents["endpoints"][0]["path"] == "/metrics"
    assert agents["podTargetLabels"] == ["rollouts-pod-template-hash"]
    broker = monitors["research-agent-rabbitmq-metrics"]
    assert broker["endpoints"][1]["params"]["vhost"] == ["research-agent"]
    pods = {o["metadata"]["name"]: o["spec"]["selector"]["matchLabels"] for o in objs(c, "PodMonitor")}
    assert pods == {
        "research-agent-findings-metrics": {"cnpg.io/cluster": "research-agent-findings"},
        "research-agent-source-cache-metrics": {"app": "research-agent-source-cache"},
    }


def test_broker_metrics_are_scraped_over_tls_where_its_service_offers_them():
    # With `tls` set, the RabbitMQ Cluster Operator's Service has `prometheus-tls` (15691) and no
    # `prometheus` port, so a plain scrape finds no target and every queue alert stays silent.
    c = case(EXAMPLE)
    (monitor,) = [o for o in objs(c, "ServiceMonitor") if o["metadata"]["name"] == "research-agent-rabbitmq-metrics"]
    required = {s["name"] for s in c.graph.exports["kubernetes"]["requiredSecrets"]["europe-west4"]}
    for endpoint in monitor["spec"]["endpoints"]:
        assert endpoint["port"] == "prometheus-tls" and endpoint["scheme"] == "https"
        tls = endpoint["tlsConfig"]
        assert tls["ca"]["secret"] == {"name": "research-agent-rabbitmq-tls", "key": "ca.crt"}
        assert tls["ca"]["secret"]["name"] in required
        assert tls["serverName"] == "research-agent-rabbitmq.research-agent.svc"  # the certificate's DNS name
        assert "insecureSkipVerify" not in tls
    (policy,) = [o for o in objs(c, "NetworkPolicy") if o["metadata"]["name"] == "research-agent-rabbitmq"]
    monitoring = [
        r
        for r in policy["spec"]["ingress"]
        if r["from"][0].get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
    ]
    assert [p["port"] for r in monitoring for p in r["ports"]] == [15691]


def test_dashboard_is_a_grafana_config_map_with_a_stable_uid():
    (dashboard,) = [o for o in objs(case(EXAMPLE), "ConfigMap") if o["metadata"]["name"] == "research-agent-dashboard"]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    data = json.loads(dashboard["data"]["research-agent.json"])
    titles = [p["title"] for p in data["panels"]]
    assert titles[0] == "Availability (SLI, 30m)"
    assert "research-tasks: dead letters" in titles
    assert len({p["id"] for p in data["panels"]}) == len(titles)
    again = json.loads(
        next(o for o in objs(case("example:research-agent:dev"), "ConfigMap") if "dashboard" in o["metadata"]["name"])[
            "data"
        ]["research-agent.json"]
    )
    assert again["uid"] == data["uid"]


def test_alerts_name_the_spec_store_even_where_the_cluster_name_is_hashed():
    """`store` is the spec's name (what the rules and people look for); the hashed object name is apart."""
    from components.kubernetes.meta import OPERATOR_NAME_LIMIT
    from components.kubernetes.state_store import postgres_cluster_name

    spec = variant("active-passive-warm")
    system = "customer-support-orchestration-platform"
    spec["metadata"]["name"] = system
    c = case_of(spec)
    for region in ("europe-west4", "us-central1"):
        cluster = postgres_cluster_name(system, "findings", region, True)
        assert len(f"{system}-findings-{region}") > OPERATOR_NAME_LIMIT and cluster != f"{system}-findings-{region}"
        (lag,) = [r for r in rules(c, region)[f"{system}-sli"] if r["alert"] == "StoreReplicationLagHigh"]
        assert lag["labels"]["store"] == "findings"
        assert lag["labels"]["cnpg_cluster"] == cluster
        assert f'pod=~"{cluster}-[0-9]+"' in lag["expr"]  # still watches the cluster's own pods
        # Every part label is a spec name, never an object name.
        for alert in rules(c, region)[f"{system}-sli"]:
            named = {k: alert["labels"][k] for k in ("agent", "queue", "store") if k in alert["labels"]}
            assert set(named.values()) <= {"planner", "worker", "research-tasks", "findings"}, alert


def case_of(spec: dict):
    from tests.components.kubernetes.support import Case, load_spec

    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    return Case(spec["metadata"]["name"], load_spec(path), synth_path(path))


def _selectors(expr: str) -> list:
    import pytest

    parser = pytest.importorskip("promql_parser")
    found: list = []
    parser.walk(parser.parse(expr), lambda n: found.append(n) if isinstance(n, parser.VectorSelector) else None)
    return found


def test_replication_lag_is_measured_on_streaming_standbys_only_so_a_replica_cluster_does_not_page():
    """A replica cluster's designated primary restores WAL from the object store: no WAL receiver, so
    CloudNativePG's `pg_replication` query reports the time since the primary's last transaction as its
    lag (at least archive_timeout, unbounded while idle). The alert keeps only instances whose WAL
    receiver is up; the cross-region path is watched through archiving."""
    import pytest

    parser = pytest.importorskip("promql_parser")
    c = case("variant:active-passive-warm")
    for region, primary in (("europe-west4", True), ("us-central1", False)):
        sli = {r["alert"]: r for r in rules(c, region)["v-active-passive-warm-sli"] if r["alert"].startswith("Store")}
        lag = sli["StoreReplicationLagHigh"]
        # The lag series is intersected with (is_wal_receiver_up == 1), matched per pod.
        tree = parser.parse(lag["expr"])
        joined: list = []

        def visit(node, joined=joined):
            if isinstance(node, parser.BinaryExpr) and str(node.op) in ("and", "TokenType.LAND", "LAND"):
                joined.append(node)

        parser.walk(tree, visit)
        assert joined, lag["expr"]
        right = [s.name for s in _selectors(str(joined[0].rhs))]
        assert right == ["cnpg_pg_replication_is_wal_receiver_up"], lag["expr"]
        assert "== 1" in lag["expr"] and "on(namespace, pod)" in lag["expr"]
        # What the standby region cannot measure from lag is covered by the archive alerts; they page
        # where the primary writes and open a ticket where a replica cluster archives what it restored.
        failing, stalled = sli["StoreWalArchiveFailing"], sli["StoreWalArchiveStalled"]
        assert failing["expr"].endswith("> 1") and failing["for"] == "1m"  # CloudNativePG's LastFailedArchiveTime
        assert 'value="ready"' in stalled["expr"] and "seconds_since_last_archival" in stalled["expr"]
        assert "> 600" in stalled["expr"]  # twice CloudNativePG's default archive_timeout (5min)
        severity = "page" if primary else "ticket"
        assert failing["labels"]["severity"] == stalled["labels"]["severity"] == severity


def test_the_synthetic_transaction_is_probed_through_this_clusters_ingress_and_pages():
    c = case(EXAMPLE)
    plan = c.plan
    syn = plan.routing.synthetic
    assert syn is not None
    for region in syn.regions:
        (probe,) = objs(c, "Probe", region)
        spec = probe["spec"]
        assert spec["prober"] == {"url": "blackbox-exporter.monitoring.svc:9115", "scheme": "http", "path": "/probe"}
        assert spec["targets"]["staticConfig"]["static"] == [
            f"https://ingress-nginx-controller.ingress-nginx.svc{syn.path}"
        ]
        assert spec["interval"] == f"{syn.interval_s}s" and spec["scrapeTimeout"] == f"{syn.timeout_s}s"
        # the module the Probe names, rendered for blackbox-exporter's config: what the run must see
        (config,) = [m for m in objs(c, "ConfigMap", region) if m["metadata"]["name"].endswith("-blackbox-module")]
        module = yaml.safe_load(config["data"]["blackbox-module.yaml"])["modules"][spec["module"]]
        assert module["prober"] == "http" and module["timeout"] == f"{syn.timeout_s}s"
        http = module["http"]
        assert http["method"] == syn.method and http["valid_status_codes"] == [syn.expect_status]
        assert http["headers"]["Host"] == plan.routing.domain == http["tls_config"]["server_name"]
        assert http.get("body") == syn.body
        # the alert: failing runs, or no result at all (absent series read as failing)
        (alert,) = rules(c, region)[f"{plan.system}-synthetic"]
        assert alert["alert"] == "SyntheticTransactionFailing" and alert["labels"]["severity"] == "page"
        assert f'probe_success{{job="{spec["jobName"]}"}}' in alert["expr"] and "or vector(0)" in alert["expr"]
        assert alert["for"] == f"{syn.interval_s * (syn.failure_threshold - 1)}s"
