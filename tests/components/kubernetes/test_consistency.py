"""Cross-object consistency of every example and pattern, per region (each region is its own cluster).

Schema-valid objects can still fail at a user's first apply, or be accepted and do nothing: a Secret
that nobody creates keeps pods from starting, a selector that matches no pod label selects nothing, a
port name that no Service or container declares is scraped or probed nowhere. These tests relate the
objects to each other, and to the labels, Services and Secrets the operators create themselves
(checked against the operators' sources):

- CloudNativePG: `<cluster>-ca` always; `<cluster>-app` only for a cluster bootstrapped with `initdb`
  and no `initdb.secret`, never for a replica cluster; Services `<cluster>-rw|ro|r` and any
  `managed.services.additional`; pods labelled `cnpg.io/cluster` and `cnpg.io/instanceRole`.
- RabbitMQ Messaging Topology Operator: `<user>-user-credentials` (`username`, `password`) per `User`.
- RabbitMQ Cluster Operator: Service `<cluster>` (ports `amqp`, `management` and, with TLS, `amqps`,
  `management-tls` and `prometheus-tls` but no longer `prometheus`: it exposes one metrics port, not
  both); pods labelled `app.kubernetes.io/name: <cluster>` (it never copies `app.kubernetes.io/*`
  labels from the object).
- OT redis-operator: pods labelled `app: <name>` (and `redis-role: master|slave`), `app: <name>-sentinel`
  for Sentinels, Service `<name>-sentinel`; exporter port `redis-exporter`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from tests.components.kubernetes.support import all_cases, case, selects

CASES = all_cases()
WORKLOADS = ("Deployment", "Rollout")


def by_region(c: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for m in c.objects:
        out.setdefault(m.region, []).append(m.object)
    return out


def name(obj: Mapping[str, Any]) -> str:
    return str(obj["metadata"]["name"])


def of(objs: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] in kinds]


def is_replica_cluster(cluster: Mapping[str, Any]) -> bool:
    replica = cluster["spec"].get("replica") or {}
    if "primary" in replica:
        return replica["primary"] != name(cluster)
    return bool(replica.get("enabled"))


# --- Secrets ---------------------------------------------------------------------------------------


def operator_secrets(objs: list[dict[str, Any]]) -> set[str]:
    """Secrets the operators create in this cluster for these objects."""
    out: set[str] = set()
    for cluster in of(objs, "Cluster"):
        out.add(f"{name(cluster)}-ca")
        initdb = (cluster["spec"].get("bootstrap") or {}).get("initdb")
        if initdb is not None and "secret" not in initdb and not is_replica_cluster(cluster):
            out.add(f"{name(cluster)}-app")
    for user in of(objs, "User"):
        out.add(f"{name(user)}-user-credentials")
    return out


def _refs(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, Secret name) of every Secret reference under `node`, by the shapes the kinds use."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key == "secretKeyRef" and isinstance(value, Mapping):
                yield here, str(value["name"])
            elif key == "secret" and isinstance(value, Mapping) and ("secretName" in value or "name" in value):
                yield here, str(value.get("secretName") or value["name"])
            elif key in ("secretName", "caSecretName", "nodeTLSSecret", "clientTLSSecret") and isinstance(value, str):
                yield here, value
            elif key == "secretTargetRef" and isinstance(value, list):
                yield from ((f"{here}[{i}]", str(v["name"])) for i, v in enumerate(value))
            elif key == "redisSecret" and isinstance(value, Mapping):
                yield here, str(value["name"])
            elif key in ("accessKeyId", "secretAccessKey", "applicationCredentials", "connectionString"):
                yield here, str(value["name"])
            else:
                yield from _refs(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{path}[{i}]")


def secret_refs(obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    return list(_refs(obj.get("spec") or {}, "spec"))


def test_secret_references_are_found_in_every_shape():
    pod = {"spec": {"template": {"spec": {"containers": [{"env": [{"valueFrom": {"secretKeyRef": {"name": "a"}}}]}]}}}}
    assert [n for _, n in secret_refs(pod)] == ["a"]
    assert [n for _, n in secret_refs({"spec": {"tls": [{"secretName": "b"}]}})] == ["b"]
    assert [n for _, n in secret_refs({"spec": {"secretTargetRef": [{"name": "c"}]}})] == ["c"]
    projected = {"spec": {"volumes": [{"projected": {"sources": [{"secret": {"name": "d"}}]}}]}}
    assert [n for _, n in secret_refs(projected)] == ["d"]
    assert [n for _, n in secret_refs({"spec": {"bootstrap": {"initdb": {"secret": {"name": "e"}}}}})] == ["e"]


@pytest.mark.parametrize("name_", CASES)
def test_every_referenced_secret_is_created_by_an_operator_or_listed_as_required(name_):
    c = case(name_)
    required = c.graph.exports["kubernetes"]["requiredSecrets"]
    problems = []
    for region, objs in by_region(c).items():
        known = operator_secrets(objs) | {s["name"] for s in required.get(region, [])}
        for obj in objs:
            for path, secret in secret_refs(obj):
                if secret not in known:
                    problems.append(f"{region}: {obj['kind']}/{name(obj)} {path} -> Secret {secret}")
    assert not problems, "Secrets nobody creates (pods would not start):\n" + "\n".join(problems)


@pytest.mark.parametrize("name_", CASES)
def test_every_listed_secret_is_used(name_):
    c = case(name_)
    required = c.graph.exports["kubernetes"]["requiredSecrets"]
    for region, objs in by_region(c).items():
        used = {secret for obj in objs for _, secret in secret_refs(obj)}
        unused = {s["name"] for s in required.get(region, [])} - used
        assert not unused, f"{region}: listed as required but referenced by nothing: {sorted(unused)}"


# --- selectors, ports and references ---------------------------------------------------------------


def pod_labels(objs: list[dict[str, Any]]) -> list[tuple[str, dict[str, str], set[str]]]:
    """(what, labels, container port names) of every pod these objects make, operators' pods included."""
    out: list[tuple[str, dict[str, str], set[str]]] = []
    for w in of(objs, *WORKLOADS):
        template = w["spec"]["template"]
        ports = {p["name"] for c in template["spec"]["containers"] for p in c.get("ports") or [] if "name" in p}
        out.append((f"{w['kind']}/{name(w)}", dict(template["metadata"]["labels"]), ports))
    for cluster in of(objs, "Cluster"):
        # One pod per role: CloudNativePG labels the (designated) primary and the standbys.
        for role in ("primary", "replica"):
            labels = {"cnpg.io/cluster": name(cluster), "cnpg.io/podRole": "instance", "cnpg.io/instanceRole": role}
            out.append((f"Cluster/{name(cluster)} {role}", labels, {"postgresql", "metrics", "status"}))
    for broker in of(objs, "RabbitmqCluster"):
        labels = {"app.kubernetes.io/name": name(broker), "app.kubernetes.io/component": "rabbitmq"}
        ports = {"amqp", "management", "prometheus"} | (BROKER_TLS_PORTS if broker_tls(broker) else set())
        out.append((f"RabbitmqCluster/{name(broker)}", labels, ports))
    for redis in of(objs, "RedisReplication"):
        exporter = {"redis-exporter"} if (redis["spec"].get("redisExporter") or {}).get("enabled") else set()
        for role in ("master", "slave"):
            labels = {"app": name(redis), "redis_setup_type": "replication", "redis-role": role}
            out.append((f"RedisReplication/{name(redis)} {role}", labels, {"redis-client"} | exporter))
    for crdb in of(objs, "CrdbCluster"):
        # The CockroachDB operator's pods: app.kubernetes.io/instance is the CR's name (pkg/labels).
        labels = {"app.kubernetes.io/name": "cockroachdb", "app.kubernetes.io/instance": name(crdb)}
        out.append((f"CrdbCluster/{name(crdb)}", labels, {"grpc", "http", "sql"}))
    for sentinel in of(objs, "RedisSentinel"):
        out.append((f"RedisSentinel/{name(sentinel)}", {"app": f"{name(sentinel)}-sentinel"}, {"sentinel-client"}))
    return out


BROKER_TLS_PORTS = {"amqps", "management-tls", "prometheus-tls"}


def broker_tls(broker: Mapping[str, Any]) -> bool:
    return bool((broker["spec"].get("tls") or {}).get("secretName"))


def services(objs: list[dict[str, Any]]) -> dict[str, tuple[dict[str, str], set[str]]]:
    """Service name -> (labels, port names), the operators' Services included."""
    out: dict[str, tuple[dict[str, str], set[str]]] = {}
    for svc in of(objs, "Service"):
        out[name(svc)] = (dict(svc["metadata"]["labels"]), {p["name"] for p in svc["spec"]["ports"]})
    for broker in of(objs, "RabbitmqCluster"):
        # cluster-operator internal/resource/service.go: "We expose either 15692 or 15691 in the
        # Service, but not both" - with TLS only `prometheus-tls`.
        ports = {"amqp", "management"} | (BROKER_TLS_PORTS if broker_tls(broker) else {"prometheus"})
        out[name(broker)] = ({"app.kubernetes.io/name": name(broker)}, ports)
    for cluster in of(objs, "Cluster"):
        for suffix in ("rw", "ro", "r"):
            out[f"{name(cluster)}-{suffix}"] = ({"cnpg.io/cluster": name(cluster)}, {"postgres"})
        for extra in ((cluster["spec"].get("managed") or {}).get("services") or {}).get("additional") or []:
            out[extra["serviceTemplate"]["metadata"]["name"]] = ({"cnpg.io/cluster": name(cluster)}, {"postgres"})
    for sentinel in of(objs, "RedisSentinel"):
        out[f"{name(sentinel)}-sentinel"] = ({"app": f"{name(sentinel)}-sentinel"}, {"sentinel-client"})
    return out


@pytest.mark.parametrize("name_", CASES)
def test_every_selector_selects_pods_that_exist(name_):
    problems = []
    for region, objs in by_region(case(name_)).items():
        pods = pod_labels(objs)

        def matched(
            selector: Mapping[str, Any] | None, where: str, pods: Any = pods, region: str = region
        ) -> list[tuple[str, dict[str, str], set[str]]]:
            found = [p for p in pods if selects(selector, p[1])]
            if not found:
                problems.append(f"{region}: {where} selects no pod ({selector})")
            return found

        for svc in of(objs, "Service"):
            found = matched({"matchLabels": svc["spec"]["selector"]}, f"Service/{name(svc)}")
            for port in svc["spec"]["ports"]:
                target = port.get("targetPort")
                if isinstance(target, str) and any(target not in ports for _, _, ports in found):
                    problems.append(f"{region}: Service/{name(svc)} targets port '{target}' a pod does not name")
        for kind in ("PodDisruptionBudget", "NetworkPolicy"):
            for obj in of(objs, kind):
                selector = obj["spec"].get("selector") or obj["spec"].get("podSelector")
                matched(selector, f"{kind}/{name(obj)}")
        for mon in of(objs, "PodMonitor"):
            found = matched(mon["spec"]["selector"], f"PodMonitor/{name(mon)}")
            for endpoint in mon["spec"]["podMetricsEndpoints"]:
                if any(endpoint["port"] not in ports for _, _, ports in found):
                    problems.append(f"{region}: PodMonitor/{name(mon)} scrapes port '{endpoint['port']}' not named")
        for policy in of(objs, "NetworkPolicy"):
            for rule in policy["spec"].get("egress") or []:
                for peer in rule.get("to") or []:
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        matched(peer["podSelector"], f"NetworkPolicy/{name(policy)} egress peer")
        for chaos in of(objs, "Schedule"):
            body = chaos["spec"][chaos["spec"]["type"][0].lower() + chaos["spec"]["type"][1:]]
            labels = body["selector"].get("labelSelectors")
            if labels:
                matched({"matchLabels": labels}, f"Schedule/{name(chaos)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name_", CASES)
def test_monitors_and_references_name_services_and_ports_that_exist(name_):
    problems = []
    for region, objs in by_region(case(name_)).items():
        svcs = services(objs)
        for mon in of(objs, "ServiceMonitor"):
            chosen = {n: ports for n, (labels, ports) in svcs.items() if selects(mon["spec"]["selector"], labels)}
            if not chosen:
                problems.append(f"{region}: ServiceMonitor/{name(mon)} selects no Service")
            for endpoint in mon["spec"]["endpoints"]:
                if not any(endpoint["port"] in ports for ports in chosen.values()):
                    problems.append(f"{region}: ServiceMonitor/{name(mon)} port '{endpoint['port']}' on no Service")
        for ingress in of(objs, "Ingress"):
            for rule in ingress["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    backend = path["backend"]["service"]
                    ports = svcs.get(backend["name"], ({}, set()))[1]
                    if backend["port"].get("name") not in ports:
                        problems.append(f"{region}: Ingress/{name(ingress)} -> {backend} has no such Service port")
        for rollout in of(objs, "Rollout"):
            blue_green = rollout["spec"]["strategy"].get("blueGreen")
            for key in ("activeService", "previewService"):
                if blue_green and blue_green[key] not in svcs:
                    problems.append(f"{region}: Rollout/{name(rollout)} {key} {blue_green[key]} does not exist")
            for ref in (rollout["spec"]["strategy"].get("canary") or blue_green or {}).get("analysis", {}).get(
                "templates", []
            ) + ((blue_green or {}).get("prePromotionAnalysis") or {}).get("templates", []):
                if not any(name(t) == ref["templateName"] for t in of(objs, "AnalysisTemplate")):
                    problems.append(f"{region}: Rollout/{name(rollout)} analysis {ref} does not exist")
        targets = {(o["kind"], name(o)) for o in of(objs, *WORKLOADS)}
        scaled: dict[tuple[str, str], list[str]] = {}
        for scaler in of(objs, "HorizontalPodAutoscaler", "ScaledObject"):
            ref = scaler["spec"]["scaleTargetRef"]
            key = (ref["kind"], ref["name"])
            if key not in targets:
                problems.append(f"{region}: {scaler['kind']}/{name(scaler)} scales {key}, which does not exist")
            scaled.setdefault(key, []).append(scaler["kind"])
            if ref["kind"] == "Rollout" and ref.get("apiVersion") != "argoproj.io/v1alpha1":
                problems.append(f"{region}: {scaler['kind']}/{name(scaler)} names a Rollout without its apiVersion")
        problems += [f"{region}: {k} is scaled by {v}" for k, v in scaled.items() if len(v) > 1]
        for obj in of(objs, "ScaledObject"):
            for trigger in obj["spec"]["triggers"]:
                auth = (trigger.get("authenticationRef") or {}).get("name")
                if auth and not any(name(t) == auth for t in of(objs, "TriggerAuthentication")):
                    problems.append(f"{region}: ScaledObject/{name(obj)} authenticates with missing {auth}")
        for auth in of(objs, "TriggerAuthentication"):
            for ref in auth["spec"].get("configMapTargetRef") or []:
                if not any(name(m) == ref["name"] and ref["key"] in m["data"] for m in of(objs, "ConfigMap")):
                    problems.append(f"{region}: TriggerAuthentication/{name(auth)} reads missing ConfigMap {ref}")
        for w in of(objs, *WORKLOADS):
            pod = w["spec"]["template"]["spec"]
            for field, kind in (("serviceAccountName", "ServiceAccount"), ("priorityClassName", "PriorityClass")):
                if not any(name(o) == pod[field] for o in of(objs, kind)):
                    problems.append(f"{region}: {w['kind']}/{name(w)} {field} {pod[field]} does not exist")
            ports = {p["name"] for c in pod["containers"] for p in c.get("ports") or []}
            for c in pod["containers"]:
                for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                    port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
                    if isinstance(port, str) and port not in ports:
                        problems.append(f"{region}: {w['kind']}/{name(w)} {probe} port '{port}' is not declared")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name_", CASES)
def test_every_namespaced_object_of_a_region_shares_one_namespace(name_):
    for region, objs in by_region(case(name_)).items():
        namespaces = {o["metadata"].get("namespace") for o in objs if o["kind"] not in ("Namespace", "PriorityClass")}
        declared = {name(o) for o in of(objs, "Namespace")}
        # A cockroachdb store's nodes have their own namespace (Pod Security baseline: crdb_cluster.py).
        crdb = {o["metadata"]["namespace"] for o in of(objs, "CrdbCluster")}
        assert namespaces == declared and len(declared - crdb) == 1, (region, namespaces, declared)


# --- resources -------------------------------------------------------------------------------------

_UNITS = {"m": 1e-3, "": 1.0, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}


def quantity(value: Any) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value)).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def resource_blocks(node: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "resources" and isinstance(value, Mapping) and "requests" in value:
                yield f"{path}.{key}", value
            else:
                yield from resource_blocks(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from resource_blocks(value, f"{path}[{i}]")


@pytest.mark.parametrize("name_", CASES)
def test_every_container_limit_is_at_least_its_request(name_):
    problems = []
    checked = 0
    for m in case(name_).objects:
        for path, block in resource_blocks(m.object.get("spec") or {}, "spec"):
            requests, limits = block.get("requests") or {}, block.get("limits") or {}
            for resource in ("cpu", "memory"):
                checked += resource in requests
                if resource in requests and resource in limits:
                    if quantity(limits[resource]) < quantity(requests[resource]):
                        problems.append(f"{m.path} {path}: {resource} limit {limits[resource]} < {requests[resource]}")
                elif resource in requests and resource == "memory":
                    problems.append(f"{m.path} {path}: memory request without a limit")
    assert checked > 0
    assert not problems, "\n".join(problems)
