"""Invariants of every Kubernetes example and pattern, checked on the captured graph.

Losing any one zone leaves at least the planned minimum; every workload has a PodDisruptionBudget
that selects it and lets at least one pod be evicted; probes, requests and limits are present; no
container can run as root; each region's objects go through that region's provider; every object
is named, placed, labelled and traced back to the spec.
"""

from __future__ import annotations

import math
import re

import pytest

from blueprints.capacity import spread
from tests.components.kubernetes.support import all_cases, case, selects

CASES = all_cases()
WORKLOADS = ("Deployment", "Rollout")
CLUSTER_SCOPED = ("Namespace", "PriorityClass")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
REQUIRED_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
)


def workloads(c):
    return [m for m in c.objects if m.object["kind"] in WORKLOADS]


def agent_of(c, obj):
    """The workload's plan and its spec part (an agent, or the `gateway` section for the model gateway)."""
    path = obj["metadata"]["annotations"]["agentha.dev/spec-path"]
    if path == "gateway":
        assert c.plan.gateway is not None
        return c.plan.gateway.service, c.spec.gateway
    name = path.split(".", 1)[1]
    return c.plan.agent(name), next(a for a in c.spec.agents if a.name == name)


def autoscaler_of(c, m):
    """The HPA or ScaledObject scaling this workload in its region, if any."""
    found = [
        o.object
        for o in c.objects
        if o.region == m.region
        and o.object["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
        and o.object["spec"]["scaleTargetRef"]["name"] == m.object["metadata"]["name"]
        and o.object["spec"]["scaleTargetRef"]["kind"] == m.object["kind"]
    ]
    assert len(found) <= 1, m.path
    return found[0] if found else None


def running(c, m) -> int:
    """Replicas a workload runs once its autoscaler (if any) has synced: `spec.replicas`, or the
    autoscaler's minimum where `replicas` is left to it."""
    scaler = autoscaler_of(c, m)
    if scaler is None:
        return m.object["spec"]["replicas"]
    assert "replicas" not in m.object["spec"], f"{m.path}: replicas set although {scaler['kind']} owns them"
    return scaler["spec"].get("minReplicas", scaler["spec"].get("minReplicaCount"))


def worst_zone_loss(replicas: int, zones: int) -> int:
    """Pods left after losing the fullest zone, when a maxSkew-1 spread keeps zones within one pod."""
    if zones < 2:
        return 0
    return replicas - math.ceil(replicas / zones)


@pytest.mark.parametrize("name", CASES)
def test_losing_any_zone_leaves_the_planned_minimum(name):
    c = case(name)
    checked = 0
    for m in workloads(c):
        obj = m.object
        agent, spec_agent = agent_of(c, obj)
        region = c.plan.region(m.region)
        placement = agent.placement(m.region)
        replicas = running(c, m)
        assert replicas == placement.desired == sum(placement.per_zone)
        spread_rules = obj["spec"]["template"]["spec"]["topologySpreadConstraints"]
        zone_rule = next(r for r in spread_rules if r["topologyKey"] == "topology.kubernetes.io/zone")
        assert zone_rule["maxSkew"] == 1 and zone_rule["whenUnsatisfiable"] == "DoNotSchedule"
        assert list(placement.per_zone) == spread(replicas, len(region.zones))
        survivors = worst_zone_loss(replicas, len(region.zones))
        assert survivors >= placement.survivors_after_zone_loss
        if region.compute == "full" and len(region.zones) > 1 and spec_agent.replicas.static_stability:
            # A serving (or hot) region keeps the agent's minimum through any one zone's loss.
            assert survivors >= spec_agent.replicas.min, (m.path, survivors, spec_agent.replicas.min)
            checked += 1
    if c.plan.pattern != "single-zone":
        assert checked, "no serving workload was checked"


@pytest.mark.parametrize("name", CASES)
def test_every_workload_has_a_budget_that_selects_it_and_allows_an_eviction(name):
    c = case(name)
    budgets = [m for m in c.objects if m.object["kind"] == "PodDisruptionBudget"]
    for m in workloads(c):
        labels = m.object["spec"]["template"]["metadata"]["labels"]
        mine = [b.object for b in budgets if b.region == m.region and selects(b.object["spec"]["selector"], labels)]
        assert len(mine) == 1, f"{m.path}: {len(mine)} budgets select it"
        spec = mine[0]["spec"]
        replicas = running(c, m)
        assert "maxUnavailable" not in spec
        floor = spec["minAvailable"]
        if replicas == 0:
            assert floor == 0, "a budget over no pods must block nothing"
        else:
            assert replicas - floor >= 1, f"{m.path}: {replicas} pods, minAvailable {floor} blocks every eviction"
        agent, _ = agent_of(c, m.object)
        placement = agent.placement(m.region)
        if len(placement.zones) > 1 and replicas > 1:
            # Voluntary disruptions never take more than one zone's loss would.
            assert floor >= min(placement.survivors_after_zone_loss, replicas - 1)
        assert spec.get("unhealthyPodEvictionPolicy") == "AlwaysAllow"


@pytest.mark.parametrize("name", CASES)
def test_operator_workloads_have_budgets(name):
    c = case(name)
    for m in c.objects:
        obj = m.object
        if obj["kind"] == "Cluster":
            # CloudNativePG's budget keeps the primary: over a single instance it would block every drain.
            assert obj["spec"]["enablePDB"] is (obj["spec"]["instances"] > 1)
        elif obj["kind"] in ("RedisReplication", "RedisSentinel"):
            assert obj["spec"]["pdb"] == {"enabled": True, "maxUnavailable": 1}
        elif obj["kind"] == "RabbitmqCluster":
            pods = {"app.kubernetes.io/name": obj["metadata"]["name"]}
            budgets = [
                b.object
                for b in c.objects
                if b.region == m.region
                and b.object["kind"] == "PodDisruptionBudget"
                and selects(b.object["spec"]["selector"], pods)
            ]
            assert [b["spec"]["maxUnavailable"] for b in budgets] == [1]


@pytest.mark.parametrize("name", CASES)
def test_containers_have_probes_requests_limits_and_never_run_as_root(name):
    c = case(name)
    for m in workloads(c):
        agent, _ = agent_of(c, m.object)
        pod = m.object["spec"]["template"]["spec"]
        psc = pod["securityContext"]
        assert psc["runAsNonRoot"] is True and psc["runAsUser"] > 0
        assert psc["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            resources = container["resources"]
            for part in ("requests", "limits"):
                assert set(resources[part]) >= {"cpu", "memory"}, (m.path, part)
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True and sc.get("runAsUser", psc["runAsUser"]) > 0
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"] == {"drop": ["ALL"]}
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            if agent.port is not None:
                for probe in ("livenessProbe", "readinessProbe"):
                    assert container[probe]["httpGet"]["port"] == "http", (m.path, probe)
                if agent.startup is not None:
                    assert container["startupProbe"]["httpGet"]["path"] == agent.startup.path
            else:
                # Queue workers serve no port: their heartbeat file is probed (docs/kubernetes.md), and
                # nothing routes to them, so no readiness probe.
                for probe in ("livenessProbe", "startupProbe"):
                    command = container[probe]["exec"]["command"]
                    assert command[:2] == ["/bin/sh", "-c"] and "/tmp/agentha-heartbeat" in command[2], m.path
                assert "readinessProbe" not in container


@pytest.mark.parametrize("name", CASES)
def test_each_region_goes_through_its_own_provider(name):
    c = case(name)
    providers = {r.urn: r for r in c.graph if r.is_provider}
    contexts = {r.name: f"{c.plan.system}-{r.name}" for r in c.plan.regions}
    assert sorted(p.inputs["context"] for p in providers.values()) == sorted(contexts.values())
    seen = set()
    for r in c.graph:
        if not r.custom or r.is_provider:
            continue
        assert r.provider in providers, f"{r.urn} uses no explicit provider"
        region = r.inputs["metadata"]["annotations"]["agentha.dev/region"]
        assert providers[r.provider].inputs["context"] == contexts[region], r.urn
        seen.add(region)
    assert seen == set(contexts)


@pytest.mark.parametrize("name", CASES)
def test_every_object_is_named_placed_labelled_and_traced_to_the_spec(name):
    c = case(name)
    tags = {k: v for k, v in c.plan.tags}
    for m in c.objects:
        meta = m.object["metadata"]
        assert DNS_SUBDOMAIN.match(meta["name"]) and len(meta["name"]) <= 253, m.path
        if m.object["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in meta, m.path
        else:
            # A cockroachdb store's objects live in `<namespace>-crdb` (Pod Security baseline, crdb_cluster.py).
            assert meta["namespace"] in (c.plan.system, f"{c.plan.system}-crdb"), m.path
        labels = meta["labels"]
        for key in REQUIRED_LABELS:
            assert labels.get(key), (m.path, key)
        assert labels["app.kubernetes.io/part-of"] == c.plan.system
        for key, value in tags.items():
            assert labels.get(key) == value, (m.path, key)
        if c.plan.owner:
            assert labels["agentha.dev/owner"] == c.plan.owner
        path = meta["annotations"]["agentha.dev/spec-path"]
        head = path.split(".")[0]
        assert head in (
            "agents",
            "stores",
            "queues",
            "ingress",
            "observability",
            "chaos",
            "topology",
            "metadata",
            "gateway",
        ), path
        if head == "gateway":
            assert c.plan.gateway is not None and path == "gateway", path
        if head in ("agents", "stores", "queues") and "." in path:
            collection = {"agents": c.plan.agents, "stores": c.plan.stores, "queues": c.plan.queues}[head]
            assert path.split(".", 1)[1] in {p.name for p in collection}, path


@pytest.mark.parametrize("name", CASES)
def test_stateful_objects_are_protected_and_never_pruned(name):
    c = case(name)
    for r in c.graph:
        kind = r.inputs.get("kind") if r.custom else None
        if kind in ("Cluster", "RabbitmqCluster", "Namespace", "CrdbCluster"):
            # `pulumi destroy` stops at them until unprotected on purpose.
            assert r.protect, r.urn
        if kind in ("Vhost", "Queue"):
            # Deleting the object leaves the vhost or queue (and its messages) in RabbitMQ.
            assert r.inputs["spec"]["deletionPolicy"] == "retain", r.urn
        if kind in ("Cluster", "RabbitmqCluster", "Namespace", "Vhost", "Queue", "CrdbCluster"):
            annotations = r.inputs["metadata"]["annotations"]
            assert annotations["argocd.argoproj.io/sync-options"] == "Delete=false,Prune=false", r.urn
            assert annotations["kustomize.toolkit.fluxcd.io/prune"] == "disabled", r.urn


@pytest.mark.parametrize("name", CASES)
def test_replicas_are_left_to_the_autoscaler_that_owns_them(name):
    # A re-apply that sets `replicas` conflicts with (server-side apply) or undoes (Argo CD) the
    # autoscaler's count: only a workload no autoscaler scales states its replicas.
    c = case(name)
    for m in workloads(c):
        scaler = autoscaler_of(c, m)
        assert ("replicas" in m.object["spec"]) is (scaler is None), m.path
        resource = next(
            r
            for r in c.graph
            if r.custom
            and r.inputs.get("metadata", {}).get("name") == m.object["metadata"]["name"]
            and r.inputs.get("kind", r.type.rsplit(":", 1)[-1]) == m.object["kind"]
        )
        # Nothing for Pulumi to ignore either: it sends no replicas, so it keeps no claim on them.
        assert "spec.replicas" not in (resource.ignore_changes or ()), m.path


def priority(c, region: str, name: str) -> int:
    found = [
        m.object
        for m in c.objects
        if m.region == region and m.object["kind"] == "PriorityClass" and m.object["metadata"]["name"] == name
    ]
    assert len(found) == 1, (region, name)
    return found[0]["value"]


def stateful_priority_names(obj) -> list[str]:
    """priorityClassName of the pods an operator makes from this object (each operator's own field)."""
    spec = obj["spec"]
    if obj["kind"] == "RabbitmqCluster":
        return [spec["override"]["statefulSet"]["spec"]["template"]["spec"].get("priorityClassName")]
    return [spec.get("priorityClassName")]


@pytest.mark.parametrize("name", CASES)
def test_every_stateful_pod_outranks_every_agent(name):
    # Agents preempt lower priorities: a store or broker pod below them could be evicted, or kept
    # pending after a zone loss, by the very agents that need it.
    c = case(name)
    checked = 0
    for region in {m.region for m in c.objects}:
        agents = [
            priority(c, region, m.object["spec"]["template"]["spec"]["priorityClassName"])
            for m in workloads(c)
            if m.region == region
        ]
        for m in c.objects:
            if m.region != region or m.object["kind"] not in (
                "Cluster",
                "RabbitmqCluster",
                "RedisReplication",
                "RedisSentinel",
            ):
                continue
            for class_name in stateful_priority_names(m.object):
                assert class_name, f"{m.path}: no priorityClassName (priority 0, below every agent)"
                assert priority(c, region, class_name) > max(agents, default=0), m.path
                checked += 1
    if c.plan.stores or c.plan.queues:
        assert checked


RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
"""Pod Security Standards, `restricted` "Volume Types" (kubernetes.io/docs/concepts/security/pod-security-standards)."""


def restricted_problems(pod: dict, containers: list[dict]) -> list[str]:
    """Pod Security Standards `restricted` (v1.25+) on a pod spec and its (init) containers.

    Baseline's controls (host namespaces, host ports, privileged, /proc mount; its capability list is
    subsumed by restricted's), then restricted's: volume types, privilege escalation, non-root, seccomp
    RuntimeDefault or Localhost, capabilities drop ALL (add only NET_BIND_SERVICE).
    """
    out = []
    psc = pod.get("securityContext") or {}
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            out.append(f"pod: {host}")
    if psc.get("runAsUser") == 0:
        out.append("pod: runAsUser 0")
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            out.append(f"volume {volume['name']}: {sorted(kinds)}")
    for ctr in containers:
        sc = ctr.get("securityContext") or {}
        where = ctr.get("name", "container")
        if any(p.get("hostPort") for p in ctr.get("ports") or []):
            out.append(f"{where}: hostPort")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{where}: allowPrivilegeEscalation not false")
        if (sc.get("capabilities") or {}).get("drop") != ["ALL"] or set(
            (sc.get("capabilities") or {}).get("add") or []
        ) - {"NET_BIND_SERVICE"}:
            out.append(f"{where}: capabilities not drop [ALL]")
        if not (sc.get("runAsNonRoot") is True or (psc.get("runAsNonRoot") is True and "runAsNonRoot" not in sc)):
            out.append(f"{where}: runAsNonRoot not true")
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            out.append(f"{where}: runs as UID 0")
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{where}: seccompProfile {seccomp}")
        if sc.get("privileged"):
            out.append(f"{where}: privileged")
        if sc.get("procMount", "Default") != "Default":
            out.append(f"{where}: procMount {sc['procMount']}")
    return out


def redis_operator_pod(spec: dict) -> tuple[dict, list[dict]]:
    """The pod the redis-operator makes from a RedisReplication or RedisSentinel spec.

    Read in its source at v0.26.0 (internal/k8sutils/statefulset.go: generateStatefulSetsDef,
    generateContainerDef, enableRedisMonitoring, generateInitContainerDef): the pod's security context is
    `podSecurityContext`; the Redis or Sentinel container's is `securityContext`, the exporter's
    `redisExporter.securityContext`, each sidecar's its own, the init container's
    `initContainer.securityContext`; volumes are an emptyDir `config`, the TLS Secret, the additional
    config ConfigMap and the volume claim. The `init-config` container of the GenerateConfigInInitContainer
    feature gate (alpha, off by default) also takes `initContainer.securityContext`: docs/kubernetes.md
    says to keep the gate off.
    """
    pod: dict = {"securityContext": spec.get("podSecurityContext"), "hostNetwork": spec.get("hostNetwork")}
    volumes: list[dict] = [{"name": "config", "emptyDir": {}}]
    if spec.get("TLS"):
        volumes.append({"name": "tls-certs", "secret": spec["TLS"]["secret"]})
    external = (spec.get("redisConfig") or {}).get("additionalRedisConfig") or (
        spec.get("redisSentinelConfig") or {}
    ).get("additionalSentinelConfig")
    if external:
        volumes.append({"name": "external-config", "configMap": {"name": external}})
    if spec.get("storage"):
        volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": "data"}})
    pod["volumes"] = volumes
    main = {"name": "redis", "securityContext": spec.get("securityContext")}
    if spec.get("hostPort"):
        main["ports"] = [{"hostPort": spec["hostPort"]}]
    containers = [main]
    if (spec.get("redisExporter") or {}).get("enabled"):
        containers.append({"name": "exporter", "securityContext": spec["redisExporter"].get("securityContext")})
    containers += [{"name": c["name"], "securityContext": c.get("securityContext")} for c in spec.get("sidecars") or []]
    if (spec.get("initContainer") or {}).get("enabled"):
        containers.append({"name": "init", "securityContext": spec["initContainer"].get("securityContext")})
    return pod, containers


def test_the_restricted_checker_finds_each_kind_of_violation():
    ok = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert restricted_problems({}, [{"name": "c", "securityContext": ok}]) == []
    bad = [
        ({"hostNetwork": True}, {}),
        ({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, {}),
        ({}, {"allowPrivilegeEscalation": True}),
        ({}, {"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}),
        ({}, {"runAsNonRoot": False}),
        ({}, {"seccompProfile": {"type": "Unconfined"}}),
        ({}, {"privileged": True}),
    ]
    for pod, change in bad:
        assert restricted_problems(pod, [{"name": "c", "securityContext": ok | change}]), (pod, change)
    assert restricted_problems({}, [{"name": "c", "securityContext": ok, "ports": [{"hostPort": 80}]}])
    pod, containers = redis_operator_pod({"podSecurityContext": {}, "securityContext": {}, "hostPort": 6379})
    assert restricted_problems(pod, containers)


@pytest.mark.parametrize("name", CASES)
def test_the_namespace_enforces_restricted_and_every_pod_we_shape_meets_it(name):
    # Operators' own pods are checked against their sources (namespace.py); here: the agents' pods and
    # the Redis pods, whose security contexts the rendered objects set.
    c = case(name)
    problems = []
    checked = 0
    for m in c.objects:
        obj = m.object
        if obj["kind"] == "Namespace":
            labels = obj["metadata"]["labels"]
            # The one exception: a cockroachdb store's namespace, `baseline`, because the operator's pods
            # cannot meet `restricted` (crdb_cluster.py); it holds nothing but the CrdbCluster and policies.
            if obj["metadata"]["name"] == f"{c.plan.system}-crdb":
                assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
                assert labels["pod-security.kubernetes.io/warn"] == "restricted"
            else:
                assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
                assert labels["pod-security.kubernetes.io/enforce"] == labels["pod-security.kubernetes.io/warn"]
        elif obj["kind"] in WORKLOADS:
            pod = obj["spec"]["template"]["spec"]
            problems += [f"{m.path}: {p}" for p in restricted_problems(pod, pod["containers"])]
            checked += 1
        elif obj["kind"] in ("RedisReplication", "RedisSentinel"):
            pod, containers = redis_operator_pod(obj["spec"])
            problems += [f"{m.path}: {p}" for p in restricted_problems(pod, containers)]
            checked += 1
        elif obj["kind"] == "RabbitmqCluster":
            # The Cluster Operator (2.17+) sets restricted contexts itself; the override adds no container
            # and no volume that would undo them.
            template = obj["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"]
            assert not template.get("containers") and not template.get("volumes") and not template.get("hostNetwork")
    assert not problems, "\n".join(problems)
    assert checked


@pytest.mark.parametrize("name", CASES)
def test_the_namespace_denies_by_default_and_every_pod_has_its_own_policy(name):
    c = case(name)
    for region in {m.region for m in c.objects}:
        policies = [m.object for m in c.objects if m.region == region and m.object["kind"] == "NetworkPolicy"]
        deny = [p for p in policies if p["spec"]["podSelector"] == {}]
        namespaces = {
            m.object["metadata"]["name"] for m in c.objects if m.region == region and m.object["kind"] == "Namespace"
        }
        assert sorted(p["metadata"]["namespace"] for p in deny) == sorted(namespaces), region  # one per namespace
        for d in deny:
            assert d["spec"]["policyTypes"] == ["Ingress", "Egress"]
            assert not d["spec"].get("ingress") and not d["spec"].get("egress")
        # Every other policy governs egress too, so the deny never silently cuts a pod's egress off
        # while its own policy looks ingress-only.
        for p in policies:
            assert "Egress" in p["spec"]["policyTypes"], p["metadata"]["name"]
