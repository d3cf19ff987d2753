"""AgentWorkload: replicas, rollout strategy, autoscaling, budget, identity, wiring, network policy."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from blueprints.capacity import spread, survivors_after_zone_loss
from blueprints.plan.models import Placement
from components.kubernetes.agent_workload import (
    disruption_floor,
    grace_period,
    heartbeat_command,
    heartbeat_max_age,
    priority_value,
)
from tests.components.kubernetes.support import case

EXAMPLE = "example:research-agent"


def objs(name: str, kind: str, region: str | None = None) -> list[dict]:
    return [m.object for m in case(name).objects if m.object["kind"] == kind and (region is None or m.region == region)]


def one(name: str, kind: str, suffix: str, region: str | None = None) -> dict:
    found = [o for o in objs(name, kind, region) if o["metadata"]["name"].endswith(suffix)]
    assert len(found) == 1, (kind, suffix, [o["metadata"]["name"] for o in objs(name, kind, region)])
    return found[0]


def resource(name: str, kind: str, suffix: str):
    return next(
        r
        for r in case(name).graph
        if r.custom and r.inputs.get("kind") == kind and r.inputs["metadata"]["name"].endswith(suffix)
    )


def placement(desired: int, zones: int) -> Placement:
    per_zone = tuple(spread(desired, zones))
    return Placement(
        region="r",
        zones=tuple(f"z{i}" for i in range(zones)),
        per_zone=per_zone,
        desired=desired,
        min=desired,
        max=desired * 2,
        survivors_after_zone_loss=survivors_after_zone_loss(list(per_zone)),
    )


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=6))
def test_the_budget_floor_allows_an_eviction_and_holds_a_zone_loss(desired, zones):
    p = placement(desired, zones)
    floor = disruption_floor(p)
    assert floor >= 0
    if desired == 0:
        assert floor == 0
    else:
        assert desired - floor >= 1
    if zones > 1 and desired > 1:
        assert floor >= min(p.survivors_after_zone_loss, desired - 1) >= 1


def test_budget_floor_examples():
    assert disruption_floor(placement(5, 3)) == 3  # 2+2+1: a zone's loss leaves 3
    assert disruption_floor(placement(3, 3)) == 2
    assert disruption_floor(placement(3, 1)) == 2  # one zone: all but one
    assert disruption_floor(placement(0, 3)) == 0  # pilot light: blocks nothing
    assert disruption_floor(placement(1, 1)) == 0


def test_canary_becomes_a_rollout_with_weighted_steps_and_background_analysis():
    rollout = one(EXAMPLE, "Rollout", "planner")
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["maxUnavailable"] == 0
    assert canary["steps"] == [
        {"setWeight": 20},
        {"pause": {"duration": "600s"}},
        {"setWeight": 50},
        {"pause": {"duration": "600s"}},
    ]
    analysis = canary["analysis"]
    assert analysis["templates"] == [{"templateName": "research-agent-planner-slo"}]
    assert analysis["args"] == [{"name": "canary-hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]
    assert "dryRun" not in analysis  # auto_rollback: true
    assert rollout["spec"]["progressDeadlineAbort"] is True
    assert objs(EXAMPLE, "Deployment") == []


def test_the_analysis_measures_the_slo_metrics_of_the_new_pods():
    template = one(EXAMPLE, "AnalysisTemplate", "planner-slo")
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    assert set(metrics) == {"error-rate", "latency-p99"}
    error = metrics["error-rate"]
    assert error["successCondition"] == "result[0] <= 0.02"  # alarms.error_rate_percent: 2
    query = error["provider"]["prometheus"]["query"]
    assert 'rollouts_pod_template_hash="{{args.canary-hash}}"' in query
    assert error["provider"]["prometheus"]["address"] == "http://prometheus-operated.monitoring.svc:9090"
    assert metrics["latency-p99"]["successCondition"] == "isNaN(result[0]) || result[0] <= 10"
    worker = one(EXAMPLE, "AnalysisTemplate", "worker-slo")
    (dead,) = worker["spec"]["metrics"]
    assert dead["name"] == "dead-letters"
    assert 'queue=~"research-tasks\\\\.dlq"' in dead["provider"]["prometheus"]["query"]


def test_rolling_is_a_deployment_that_never_goes_below_the_planned_count():
    deployment = one("variant:rolling", "Deployment", "planner")
    assert deployment["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    # The HPA owns the count (from the planned 3): a re-apply must not set it.
    assert "replicas" not in deployment["spec"]
    assert one("variant:rolling", "HorizontalPodAutoscaler", "planner")["spec"]["minReplicas"] == 3
    spread_rule = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
    assert spread_rule["matchLabelKeys"] == ["pod-template-hash"]
    assert spread_rule["nodeTaintsPolicy"] == "Honor"
    assert objs("variant:rolling", "Rollout") == objs("variant:rolling", "AnalysisTemplate") == []


def test_blue_green_switches_services_and_queue_workers_fall_back_to_a_canary():
    planner = one("variant:blue-green", "Rollout", "planner")
    blue_green = planner["spec"]["strategy"]["blueGreen"]
    assert blue_green["activeService"] == "v-blue-green-planner"
    assert blue_green["previewService"] == "v-blue-green-planner-preview"
    assert blue_green["prePromotionAnalysis"]["templates"] == [{"templateName": "v-blue-green-planner-slo"}]
    assert {s["metadata"]["name"] for s in objs("variant:blue-green", "Service")} == {
        "v-blue-green-planner",
        "v-blue-green-planner-preview",
    }
    worker = one("variant:blue-green", "Rollout", "worker")
    assert "canary" in worker["spec"]["strategy"]


def test_blue_green_analysis_measures_the_preview_pods_not_the_active_service():
    # Before promotion the new pods are behind the preview Service only: a query on the active Service
    # (or its pods' stable hash) finds nothing, `or vector(0)` turns that into a pass, and every
    # pre-promotion analysis would succeed whatever the new version does.
    template = one("variant:blue-green", "AnalysisTemplate", "planner-slo")
    metrics = {m["name"]: m["provider"]["prometheus"]["query"] for m in template["spec"]["metrics"]}
    assert set(metrics) == {"error-rate", "latency-p99", "ready-pods"}
    new_pods = 'pod=~"v-blue-green-planner-{{args.canary-hash}}-[a-z0-9]+"'
    for query in metrics.values():
        assert new_pods in query and 'service="' not in query
    # A canary's new pods share the stable Service (no traffic router), so there the Service is right.
    canary = one(EXAMPLE, "AnalysisTemplate", "planner-slo")
    assert all(
        'service="research-agent-planner"' in m["provider"]["prometheus"]["query"] for m in canary["spec"]["metrics"]
    )


def test_blue_green_pre_promotion_analysis_ends_so_the_rollout_can_be_promoted():
    # Argo Rollouts promotes a blue-green rollout only once its pre-promotion AnalysisRun is
    # Successful; a metric without `count` is measured forever, so the new version never went live.
    template = one("variant:blue-green", "AnalysisTemplate", "planner-slo")
    rollout = one("variant:blue-green", "Rollout", "planner")
    blue_green = rollout["spec"]["strategy"]["blueGreen"]
    counts = {m.get("count") for m in template["spec"]["metrics"]}
    assert len(counts) == 1 and isinstance(count := counts.pop(), int) and count >= 2
    assert all(m["interval"] == "1m" for m in template["spec"]["metrics"])
    assert blue_green["autoPromotionEnabled"] is True and "autoPromotionSeconds" not in blue_green
    # The wait on the analysis does not count as progress: the deadline leaves it its whole span.
    assert rollout["spec"]["progressDeadlineSeconds"] >= 600 + 60 * count
    # A canary's background analysis runs until the rollout completes: no count there.
    canary = one(EXAMPLE, "AnalysisTemplate", "planner-slo")
    assert all("count" not in m for m in canary["spec"]["metrics"])
    worker = one("variant:blue-green", "AnalysisTemplate", "worker-slo")  # falls back to a canary
    assert all("count" not in m for m in worker["spec"]["metrics"])
    assert one(EXAMPLE, "Rollout", "planner")["spec"]["progressDeadlineSeconds"] == 600


def test_linear_steps_follow_the_spec():
    steps = one("variant:linear", "Rollout", "planner")["spec"]["strategy"]["canary"]["steps"]
    assert [s["setWeight"] for s in steps if "setWeight" in s] == [25, 50, 75]


def test_cpu_scaling_is_an_hpa_from_the_planned_floor():
    hpa = one(EXAMPLE, "HorizontalPodAutoscaler", "planner")
    spec = hpa["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "research-agent-planner",
    }
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 6)
    assert spec["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    # Pulumi sends no replicas for an autoscaled workload, so it has nothing to ignore either.
    rollout = resource(EXAMPLE, "Rollout", "planner")
    assert "replicas" not in rollout.inputs["spec"] and not rollout.ignore_changes


def test_backlog_scaling_is_a_keda_scaled_object_authenticated_by_secret_names():
    scaled = one(EXAMPLE, "ScaledObject", "worker")["spec"]
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (5, 30)
    (trigger,) = scaled["triggers"]  # cpu_percent: null in the spec
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == "research-tasks" and trigger["metadata"]["value"] == "5"
    # The management API over TLS: over AMQP KEDA counts only ready messages (a passive declare's
    # message count), so workers busy on unacknowledged ones would be scaled in; over HTTP,
    # QueueLength counts both (KEDA's `messages`, unless excludeUnacknowledged).
    assert trigger["metadata"]["protocol"] == "http" and trigger["metadata"]["mode"] == "QueueLength"
    assert "excludeUnacknowledged" not in trigger["metadata"]
    assert trigger["metadata"]["host"] == "https://research-agent-rabbitmq.research-agent.svc:15671/research-agent"
    auth = one(EXAMPLE, "TriggerAuthentication", "worker-rabbitmq")["spec"]
    assert {(r["parameter"], r["name"], r["key"]) for r in auth["secretTargetRef"]} == {
        ("username", "research-agent-keda-user-credentials", "username"),
        ("password", "research-agent-keda-user-credentials", "password"),
        ("ca", "research-agent-rabbitmq-tls", "ca.crt"),
    }
    assert auth["configMapTargetRef"] == [{"parameter": "tls", "name": "research-agent-worker-rabbitmq", "key": "tls"}]
    assert not [h for h in objs(EXAMPLE, "HorizontalPodAutoscaler") if h["metadata"]["name"].endswith("worker")]


def test_pilot_light_runs_nothing_scales_nothing_and_its_budget_blocks_nothing():
    name = "variant:active-passive-pilot-light"
    standby = [o for o in objs(name, "Rollout", "us-central1")]
    assert {o["spec"]["replicas"] for o in standby} == {0}
    budgets = objs(name, "PodDisruptionBudget", "us-central1")
    agents = [b for b in budgets if b["metadata"]["labels"]["app.kubernetes.io/component"] == "agent"]
    assert len(agents) == 2 and {b["spec"]["minAvailable"] for b in agents} == {0}
    assert objs(name, "HorizontalPodAutoscaler", "us-central1") == objs(name, "ScaledObject", "us-central1") == []
    assert objs(name, "HorizontalPodAutoscaler", "europe-west4")


def test_warm_standby_runs_a_reduced_count_and_hot_the_full_one():
    def runs(name: str, agent: str, region: str) -> int:
        # `replicas` where no autoscaler owns the count, else the autoscaler's minimum.
        spec = one(name, "Rollout", agent, region)["spec"]
        if "replicas" in spec:
            return spec["replicas"]
        scaler = [
            o
            for o in objs(name, "HorizontalPodAutoscaler", region) + objs(name, "ScaledObject", region)
            if o["spec"]["scaleTargetRef"]["name"].endswith(agent)
        ]
        (s,) = scaler
        return s["spec"].get("minReplicas", s["spec"].get("minReplicaCount"))

    warm = runs("variant:active-passive-warm", "planner", "us-central1")
    hot = runs("variant:active-passive-hot", "planner", "us-central1")
    primary = runs("variant:active-passive-hot", "planner", "europe-west4")
    assert warm == 3 and hot == primary == 3
    assert runs("variant:active-passive-warm", "worker", "us-central1") == 3
    assert runs("variant:active-passive-hot", "worker", "us-central1") == 5


def test_secrets_are_referenced_by_name_never_by_value():
    container = one(EXAMPLE, "Rollout", "worker")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["LLM_API_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "research-agent-llm-api-key-secret",
        "key": "value",
        "optional": False,
    }
    assert env["AGENTHA_STORE_FINDINGS_URI"]["valueFrom"]["secretKeyRef"]["name"] == "research-agent-findings-app"
    assert env["AGENTHA_RABBITMQ_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "password"
    assert env["AGENTHA_QUEUE_RESEARCH_TASKS_NAME"]["value"] == "research-tasks"
    assert env["AGENTHA_IDEMPOTENCY_STORE"]["value"] == "findings"
    assert env["AGENTHA_RETRY_MAX_ATTEMPTS"]["value"] == "5"
    assert env["AGENTHA_CIRCUIT_BREAKER_WINDOW_SECONDS"]["value"] == "120"
    assert env["AGENTHA_REGION"]["value"] == "europe-west4"
    for item in container["env"]:
        assert ("value" in item) != ("valueFrom" in item)
    planner = one(EXAMPLE, "Rollout", "planner")["spec"]["template"]["spec"]["containers"][0]
    planner_env = {e["name"]: e for e in planner["env"]}
    assert planner_env["AGENTHA_QUEUE_RESEARCH_TASKS_EXCHANGE"]["value"] == "research-tasks"
    assert "AGENTHA_QUEUE_RESEARCH_TASKS_NAME" not in planner_env
    assert "SEARCH_API_KEY" not in planner_env  # only the secrets the agent names


def test_certificate_authorities_are_mounted_read_only():
    pod = one(EXAMPLE, "Rollout", "worker")["spec"]["template"]["spec"]
    tls = next(v for v in pod["volumes"] if v["name"] == "tls")
    sources = {s["secret"]["name"]: s["secret"]["items"] for s in tls["projected"]["sources"]}
    assert sources == {
        "research-agent-findings-ca": [{"key": "ca.crt", "path": "findings/ca.crt"}],
        "research-agent-rabbitmq-tls": [{"key": "ca.crt", "path": "rabbitmq/ca.crt"}],
        "research-agent-source-cache-tls": [{"key": "ca.crt", "path": "source-cache/ca.crt"}],
    }
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "tls")
    assert mount == {"name": "tls", "mountPath": "/etc/agentha/tls", "readOnly": True}


def test_network_policy_denies_all_but_what_each_agent_needs():
    planner = one(EXAMPLE, "NetworkPolicy", "planner")["spec"]
    worker = one(EXAMPLE, "NetworkPolicy", "worker")["spec"]
    for policy in (planner, worker):
        assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert worker["ingress"] == []  # a queue worker accepts no connections
    sources = [
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for r in planner["ingress"]
        for p in r["from"]
    ]
    assert sources == ["ingress-nginx", "monitoring"]
    assert all(r["ports"] == [{"port": 8000, "protocol": "TCP"}] for r in planner["ingress"])

    def peers(policy):
        return {
            tuple(sorted(p["podSelector"]["matchLabels"].items()))
            for r in policy["egress"]
            for p in r.get("to", [])
            if "podSelector" in p and "namespaceSelector" not in p  # pods of the system's namespace
        }

    assert peers(planner) == {
        (("cnpg.io/cluster", "research-agent-findings"),),
        (("app.kubernetes.io/name", "research-agent-rabbitmq"),),
    }
    assert (("app", "research-agent-source-cache"),) in peers(worker)
    for policy in (planner, worker):
        # DNS only at the cluster's resolver, never to any address on port 53.
        dns = [r for r in policy["egress"] if {"port": 53, "protocol": "UDP"} in r.get("ports", [])]
        assert len(dns) == 1 and dns[0]["to"] == [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            },
            {"ipBlock": {"cidr": "169.254.20.10/32"}},
        ]


def test_identity_and_priority():
    account = one(EXAMPLE, "ServiceAccount", "planner")
    assert account["automountServiceAccountToken"] is False
    priority = one(EXAMPLE, "PriorityClass", "planner")
    assert "namespace" not in priority["metadata"] and priority["value"] == 100_000
    assert one(EXAMPLE, "PriorityClass", "worker")["value"] == 80_000
    worker = case(EXAMPLE).plan.agent("worker")
    assert priority_value(worker) == 80_000 and grace_period(worker) == 615


def test_read_only_root_follows_the_spec() -> None:
    """agents[].read_only_root false drops only that setting; the rest of the restricted context stays."""
    from tests.components.kubernetes.support import _base, spec_file, synth_path

    spec = _base()
    spec["agents"][0]["read_only_root"] = False
    graph = synth_path(spec_file(yaml.safe_dump(spec, sort_keys=False))).graph
    name = spec["agents"][0]["name"]
    for r in graph:
        if r.type not in ("kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"):
            continue
        for c in r.inputs["spec"]["template"]["spec"]["containers"]:
            sc = c["securityContext"]
            expected = not r.inputs["metadata"]["name"].endswith(f"-{name}")
            assert sc["readOnlyRootFilesystem"] is expected, r.name
            assert sc["runAsNonRoot"] is True and sc["capabilities"] == {"drop": ["ALL"]}


def test_blue_green_consumers_roll_out_as_a_canary_so_preview_pods_take_no_production_messages():
    # A preview pod connects to the broker like any other: under blue-green an HTTP agent that
    # consumes a queue would take production messages before its pre-promotion analysis passed.
    from tests.components.kubernetes.support import spec_file, synth_path, variant

    spec = variant("blue-green")
    planner = next(a for a in spec["agents"] if a["name"] == "planner")
    spec["queues"].append({**spec["queues"][0], "name": "replies"})
    planner["consumes"] = ["replies"]
    graph = synth_path(spec_file(yaml.safe_dump(spec, sort_keys=False))).graph
    rollouts = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in graph if r.type.endswith(":Rollout")}
    assert "canary" in rollouts["v-blue-green-planner"]["strategy"]
    services = {r.inputs["metadata"]["name"] for r in graph if r.type == "kubernetes:core/v1:Service"}
    assert services == {"v-blue-green-planner"}  # no preview Service to route to
    # An HTTP agent that consumes nothing keeps blue-green (the variant's own planner).
    assert "blueGreen" in one("variant:blue-green", "Rollout", "planner")["spec"]["strategy"]


def test_traces_go_to_the_collector_not_to_localhost():
    container = one(EXAMPLE, "Rollout", "planner")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["OTEL_TRACES_EXPORTER"] == "otlp"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.monitoring.svc:4318"
    assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
    # The agent's egress reaches it: OTLP/HTTP to the monitoring namespace.
    policy = one(EXAMPLE, "NetworkPolicy", "planner")["spec"]
    assert any(
        {"port": 4318, "protocol": "TCP"} in r.get("ports", [])
        and r["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]
        for r in policy["egress"]
    )


def test_a_hung_queue_worker_is_restarted_through_its_heartbeat_file():
    worker = case(EXAMPLE).plan.agent("worker")  # max_step_duration 10m
    assert heartbeat_max_age(worker) == 720  # the longest step plus two minutes, in whole minutes
    assert heartbeat_command(worker) == [
        "/bin/sh",
        "-c",
        'test -n "$(find /tmp/agentha-heartbeat -mmin -12 2>/dev/null)"',
    ]
    container = one(EXAMPLE, "Rollout", "worker")["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["exec"]["command"] == heartbeat_command(worker)
    assert container["startupProbe"]["exec"]["command"] == heartbeat_command(worker)
    assert "readinessProbe" not in container
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["AGENTHA_HEARTBEAT_FILE"] == "/tmp/agentha-heartbeat"
    assert env["AGENTHA_HEARTBEAT_MAX_AGE_SECONDS"] == "720"


def test_the_zone_spread_sets_no_min_domains_so_a_zone_outage_does_not_freeze_scheduling():
    # Kubernetes takes the global minimum as 0 while fewer eligible domains than minDomains exist; with
    # maxSkew 1 no zone already holding a pod would then accept another, so during a zone outage every
    # surge, replacement and scale-out pod would stay Pending (docs/kubernetes.md, "Zones").
    for name in (EXAMPLE, "variant:rolling"):
        for kind in ("Rollout", "Deployment"):
            for workload in objs(name, kind):
                for rule in workload["spec"]["template"]["spec"]["topologySpreadConstraints"]:
                    assert "minDomains" not in rule
                    assert rule["whenUnsatisfiable"] == "DoNotSchedule" and rule["maxSkew"] == 1
