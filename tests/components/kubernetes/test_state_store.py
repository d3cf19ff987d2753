"""StateStore: CloudNativePG clusters (zones, sync replica, backups, replica clusters) and Redis Sentinel."""

from __future__ import annotations

from components.kubernetes.state_store import postgres_cluster_name, store_wiring
from tests.components.kubernetes.support import case

EXAMPLE = "example:research-agent"


def objs(name: str, kind: str, region: str | None = None) -> list[dict]:
    return [m.object for m in case(name).objects if m.object["kind"] == kind and (region is None or m.region == region)]


def test_postgres_spreads_instances_over_zones_with_a_synchronous_standby_when_zone_rpo_is_0():
    (cluster,) = objs(EXAMPLE, "Cluster")
    spec = cluster["spec"]
    assert spec["instances"] == 3
    assert spec["affinity"]["podAntiAffinityType"] == "required"
    (spread,) = spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone" and spread["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["labelSelector"] == {"matchLabels": {"cnpg.io/cluster": "research-agent-findings"}}
    assert spec["postgresql"]["synchronous"] == {
        "method": "any",
        "number": 1,
        "dataDurability": "required",
        "failoverQuorum": True,
    }
    assert spec["storage"] == {"size": "50Gi"}
    assert spec["enablePDB"] is True and spec["primaryUpdateMethod"] == "switchover"
    assert spec["bootstrap"] == {"initdb": {"database": "app", "owner": "app", "dataChecksums": True}}


def test_without_a_zone_rpo_of_0_replication_stays_asynchronous():
    (cluster,) = objs("variant:single-zone", "Cluster")
    assert "postgresql" not in cluster["spec"]
    # One zone: spreading cannot be satisfied, so it is only preferred.
    assert cluster["spec"]["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "ScheduleAnyway"


def test_backups_go_to_the_object_store_with_the_spec_retention_and_a_daily_schedule():
    (cluster,) = objs(EXAMPLE, "Cluster")
    backup = cluster["spec"]["backup"]
    assert backup["retentionPolicy"] == "14d"
    store = backup["barmanObjectStore"]
    assert store["destinationPath"] == "s3://research-agent-backups"
    assert store["serverName"] == "research-agent-findings"
    assert store["s3Credentials"]["accessKeyId"] == {
        "name": "research-agent-backup-credentials",
        "key": "ACCESS_KEY_ID",
    }
    (scheduled,) = objs(EXAMPLE, "ScheduledBackup")
    assert scheduled["spec"]["cluster"] == {"name": "research-agent-findings"}
    assert scheduled["spec"]["schedule"] == "0 0 2 * * *" and scheduled["spec"]["target"] == "prefer-standby"


def test_other_regions_run_replica_clusters_fed_from_the_primary_archive():
    name = "variant:active-passive-warm"
    (primary,) = objs(name, "Cluster", "europe-west4")
    (replica,) = objs(name, "Cluster", "us-central1")
    p = postgres_cluster_name("v-active-passive-warm", "findings", "europe-west4", True)
    r = postgres_cluster_name("v-active-passive-warm", "findings", "us-central1", True)
    assert p == "v-active-passive-warm-findings-eu-723f1c"  # fitted to 40 characters, hashed
    assert primary["metadata"]["name"] == p and replica["metadata"]["name"] == r
    assert primary["spec"]["replica"] == {"primary": p, "source": r}
    assert replica["spec"]["replica"] == {"primary": p, "source": p}
    assert replica["spec"]["bootstrap"] == {"recovery": {"source": p}}
    for cluster in (primary, replica):
        external = {e["name"]: e["barmanObjectStore"]["serverName"] for e in cluster["spec"]["externalClusters"]}
        assert external == {p: p, r: r}
    assert len(objs(name, "ScheduledBackup")) == 1
    resources = [r for r in case(name).graph if r.custom and r.inputs.get("kind") == "Cluster"]
    assert all(r.protect and r.ignore_changes == ("spec.bootstrap",) for r in resources)


def test_redis_runs_a_replication_watched_by_a_sentinel_quorum_spread_over_zones():
    (replication,) = objs(EXAMPLE, "RedisReplication")
    (sentinel,) = objs(EXAMPLE, "RedisSentinel")
    assert replication["spec"]["clusterSize"] == 3
    assert replication["spec"]["kubernetesConfig"]["redisSecret"] == {
        "name": "research-agent-source-cache-auth",
        "key": "password",
    }
    assert replication["spec"]["topologySpreadConstraints"][0]["labelSelector"] == {
        "matchLabels": {"app": "research-agent-source-cache"}
    }
    config = sentinel["spec"]["redisSentinelConfig"]
    assert sentinel["spec"]["clusterSize"] == 3 and config["quorum"] == "2"
    assert config["redisReplicationName"] == "research-agent-source-cache"
    assert config["masterGroupName"] == "source-cache"
    # A cache is not protected from deletion; its loss does not count toward RPO.
    cache = next(r for r in case(EXAMPLE).graph if r.custom and r.inputs.get("kind") == "RedisReplication")
    assert not cache.protect


def test_only_the_agents_that_use_a_store_may_connect():
    policies = {o["metadata"]["name"]: o["spec"] for o in objs(EXAMPLE, "NetworkPolicy")}
    findings = policies["research-agent-findings"]
    # Egress stays open (API server, object store), stated so the namespace's default deny keeps it.
    assert findings["policyTypes"] == ["Ingress", "Egress"] and findings["egress"] == [{}]
    users = findings["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    assert users == ["research-agent-planner", "research-agent-worker"]
    cache = policies["research-agent-source-cache"]
    assert cache["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"] == ["research-agent-worker"]


def test_wiring_names_match_what_the_operators_create():
    plan = case(EXAMPLE).plan
    wiring = store_wiring(plan.system, "ns", plan.store("findings"), "europe-west4")
    assert {e.secret for e in wiring.env if e.secret} == {"research-agent-findings-app"}
    assert postgres_cluster_name("x" * 30, "y" * 30, "europe-west4", True) != postgres_cluster_name(
        "x" * 30, "y" * 30, "us-central1", True
    )
    assert len(postgres_cluster_name("x" * 30, "y" * 30, "europe-west4", True)) <= 40


def test_every_region_connects_with_the_same_credentials_and_address():
    # CloudNativePG creates `<cluster>-app` only for an initdb cluster, never for a replica cluster:
    # across regions the primary's owner comes from one Secret set out of band in every region, and
    # an additional read-write Service gives the same connection string in every region.
    name = "variant:active-passive-warm"
    c = case(name)
    secret = "v-active-passive-warm-findings-app-credentials"
    rw = "v-active-passive-warm-findings-rw"
    (primary,) = objs(name, "Cluster", "europe-west4")
    (replica,) = objs(name, "Cluster", "us-central1")
    assert primary["spec"]["bootstrap"]["initdb"]["secret"] == {"name": secret}
    for cluster in (primary, replica):
        (extra,) = cluster["spec"]["managed"]["services"]["additional"]
        assert extra["selectorType"] == "rw" and extra["serviceTemplate"]["metadata"]["name"] == rw
        ns = cluster["metadata"]["namespace"]
        assert cluster["spec"]["certificates"]["serverAltDNSNames"] == [rw, f"{rw}.{ns}", f"{rw}.{ns}.svc"]
    for region in ("europe-west4", "us-central1"):
        required = {s["name"]: s for s in c.graph.exports["kubernetes"]["requiredSecrets"][region]}
        assert required[secret]["keys"] == ["username", "password", "uri"]
        assert f"{rw}.v-active-passive-warm.svc:5432/app" in required[secret]["purpose"]
        for rollout in objs(name, "Rollout", region):
            env = {e["name"]: e for e in rollout["spec"]["template"]["spec"]["containers"][0]["env"]}
            assert env["AGENTHA_STORE_FINDINGS_URI"]["valueFrom"]["secretKeyRef"]["name"] == secret
    # One region keeps the operator's own Secret and Service: nothing to set out of band.
    (single,) = objs(EXAMPLE, "Cluster")
    assert "managed" not in single["spec"] and "secret" not in single["spec"]["bootstrap"]["initdb"]


def test_backup_credentials_follow_the_object_store_the_destination_names():
    import copy

    import pytest

    from components.kubernetes.state_store import backup_credential_keys, object_store_credentials
    from tests.components.kubernetes.support import crd_schemas

    (cluster,) = objs(EXAMPLE, "Cluster")
    shapes = {
        "s3://bucket/pg": "s3Credentials",
        "gs://bucket/pg": "googleCredentials",
        "https://acct.blob.core.windows.net/pg": "azureCredentials",
    }
    for destination, block in shapes.items():
        credentials = object_store_credentials(destination, "creds")
        assert list(credentials) == [block]  # Barman Cloud accepts exactly one provider's block
        referenced = {ref["key"] for ref in _secret_selectors(credentials)}
        assert referenced == set(backup_credential_keys(destination))
        candidate = copy.deepcopy(cluster)
        store = candidate["spec"]["backup"]["barmanObjectStore"]
        store.pop("s3Credentials")
        store.update(destinationPath=destination, **credentials)
        assert crd_schemas().errors(candidate) == [], destination
    with pytest.raises(ValueError, match="backup destination"):
        backup_credential_keys("ftp://nowhere")
    required = case(EXAMPLE).graph.exports["kubernetes"]["requiredSecrets"]["europe-west4"]
    backup = next(s for s in required if s["name"] == "research-agent-backup-credentials")
    assert backup["keys"] == ["ACCESS_KEY_ID", "ACCESS_SECRET_KEY"]


def _secret_selectors(node):
    if isinstance(node, dict):
        if set(node) == {"name", "key"}:
            yield node
        for value in node.values():
            yield from _secret_selectors(value)


def test_a_single_instance_gets_no_budget_that_would_block_every_drain():
    import yaml

    from tests.components.kubernetes.support import spec_file, synth_path, variant

    spec = variant("single-zone")
    spec["metadata"]["name"] = "v-one-instance"
    spec["stores"][0]["instances"] = 1
    graph = synth_path(spec_file(yaml.safe_dump(spec, sort_keys=False))).graph
    (cluster,) = [r.inputs for r in graph if r.custom and r.inputs.get("kind") == "Cluster"]
    assert cluster["spec"]["instances"] == 1 and cluster["spec"]["enablePDB"] is False


def test_a_synchronous_store_keeps_taking_writes_through_any_one_zone_loss():
    """Instances are sized per region from its own zones, and `dataDurability: required` is set only where
    losing any zone leaves the primary a synchronous standby (3 instances over 3 zones). With 2 instances,
    `required` would stop every commit while the standby's zone is down, against the zone RTO the plan
    claims; `preferred` waits for the standby while it is up (nothing lost when the primary's zone goes)."""
    import yaml

    from blueprints.capacity import synchronous_durability
    from tests.components.kubernetes.support import Case, load_spec, spec_file, synth_path, variant

    spec = variant("active-passive-warm")
    spec["metadata"]["name"] = "v-two-zone-standby"
    spec["topology"]["regions"][1]["zones"] = spec["topology"]["regions"][1]["zones"][:2]
    findings = next(s for s in spec["stores"] if s["name"] == "findings")
    findings.pop("instances", None)  # sized by the planner: one per zone, 2 to 3
    assert spec["objectives"]["disruptions"]["zone"]["rpo"] in ("0s", 0)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    c = Case("two-zone-standby", load_spec(path), synth_path(path))
    store = c.plan.store("findings")
    assert store.instances_in("europe-west4") == 3 and store.instances_in("us-central1") == 2
    clusters = {m.region: m.object["spec"] for m in c.objects if m.object["kind"] == "Cluster"}
    assert clusters["europe-west4"]["instances"] == 3
    assert clusters["europe-west4"]["postgresql"]["synchronous"]["dataDurability"] == "required"
    assert clusters["us-central1"]["instances"] == 2
    assert clusters["us-central1"]["postgresql"]["synchronous"]["dataDurability"] == "preferred"
    assert "preferred" in store.on_zone_loss
    # The zone RPO stays 0 (one zone lost, the standby had every commit) and says what it now rests on.
    (rpo,) = [e for e in c.plan.estimates if e.kind == "rpo" and e.disruption == "zone"]
    assert rpo.value == 0 and any("us-central1" in a and "`preferred`" in a for a in rpo.assumptions)
    # The rule itself: a standby must survive the loss of any one zone for `required`.
    assert synchronous_durability(3, 3) == "required"
    assert [synchronous_durability(i, z) for i, z in ((2, 2), (2, 3), (3, 2), (1, 1))] == ["preferred"] * 4


def test_redis_and_its_sentinels_speak_only_tls_on_every_connection():
    # What the operator (v0.26.0 internal/k8sutils/statefulset.go) and the images' entrypoints
    # (OT-CONTAINER-KIT/redis entrypoint.sh, entrypoint-sentinel.sh) do with it is read in their sources;
    # the component's docstrings cite where.
    (replication,) = objs(EXAMPLE, "RedisReplication")
    (sentinel,) = objs(EXAMPLE, "RedisSentinel")
    maps = {o["metadata"]["name"]: o["data"] for o in objs(EXAMPLE, "ConfigMap")}
    tls = {
        "ca": "ca.crt",
        "cert": "tls.crt",
        "key": "tls.key",
        "secret": {"secretName": "research-agent-source-cache-tls"},
    }
    for obj in (replication, sentinel):
        assert obj["spec"]["TLS"] == tls
        # The images read the CA path under its pre-0.24 name; without it Redis refuses its config.
        assert {"name": "REDIS_TLS_CA_KEY", "value": "/tls/ca.crt"} in obj["spec"]["env"]
    redis_conf = maps[replication["spec"]["redisConfig"]["additionalRedisConfig"]]["redis-additional.conf"]
    sentinel_conf = maps[sentinel["spec"]["redisSentinelConfig"]["additionalSentinelConfig"]][
        "redis-sentinel-additional.conf"
    ]
    for conf, port in ((redis_conf, 6379), (sentinel_conf, 26379)):
        lines = conf.splitlines()
        # No plain-text port; TLS on the usual one; outgoing links (replica to primary, Sentinel to Redis
        # and to Sentinel) over TLS too; every peer verified against the Secret's CA.
        assert "port 0" in lines and f"tls-port {port}" in lines and "tls-replication yes" in lines
        assert "tls-ca-cert-file /tls/ca.crt" in lines and "tls-cert-file /tls/tls.crt" in lines
        assert "tls-auth-clients optional" in lines  # clients authenticate with the password


def test_agents_get_the_redis_ca_and_tls_settings_and_the_secret_is_listed():
    c = case(EXAMPLE)
    wiring = store_wiring(c.plan.system, "ns", c.plan.store("source-cache"), "europe-west4")
    env = {e.name: e.value for e in wiring.env}
    assert env["AGENTHA_STORE_SOURCE_CACHE_TLS"] == "true"
    assert env["AGENTHA_STORE_SOURCE_CACHE_CA_FILE"] == "/etc/agentha/tls/source-cache/ca.crt"
    assert env["AGENTHA_STORE_SOURCE_CACHE_TLS_CHECK_HOSTNAME"] == "false"
    (ca,) = wiring.ca_files
    assert (ca.secret, ca.key) == ("research-agent-source-cache-tls", "ca.crt")
    worker = next(o for o in objs(EXAMPLE, "Rollout") if o["metadata"]["name"].startswith("research-agent-worker"))
    pod = worker["spec"]["template"]["spec"]
    (tls_volume,) = [v for v in pod["volumes"] if v["name"] == "tls"]
    projected = {s["secret"]["name"]: s["secret"]["items"] for s in tls_volume["projected"]["sources"]}
    # Only the CA is projected into the agent, never the store's key.
    assert projected["research-agent-source-cache-tls"] == [{"key": "ca.crt", "path": "source-cache/ca.crt"}]
    required = {s["name"]: s for s in c.graph.exports["kubernetes"]["requiredSecrets"]["europe-west4"]}
    assert required["research-agent-source-cache-tls"]["keys"] == ["ca.crt", "tls.crt", "tls.key"]
