"""CockroachCluster and the cross-region PostgreSQL writes of claims-kubernetes (issue 17): what each
region's cluster gets, and what an agent in a replica region is wired to."""

from __future__ import annotations

from components.kubernetes.crdb_cluster import crdb_cluster_name
from tests.components.kubernetes.support import case

EXAMPLE = "example:claims-kubernetes"
REGIONS = ("us-east-1", "us-east-2", "us-west-2")
CIDRS = {"us-east-1": "10.61.0.0/16", "us-east-2": "10.62.0.0/16", "us-west-2": "10.63.0.0/16"}


def objs(kind: str, region: str | None = None, name: str = EXAMPLE) -> list[dict]:
    return [m.object for m in case(name).objects if m.object["kind"] == kind and (region is None or m.region == region)]


def crdb(region: str, name: str = EXAMPLE) -> dict:
    (cluster,) = objs("CrdbCluster", region, name)
    return cluster


def test_every_region_runs_three_tls_nodes_spread_over_its_zones():
    for region in REGIONS:
        c = crdb(region)
        spec = c["spec"]
        assert c["metadata"]["name"] == crdb_cluster_name("claims", "claims", region)
        assert c["metadata"]["namespace"] == "claims-crdb"
        assert spec["nodes"] == 3 and spec["maxUnavailable"] == 1
        assert spec["tlsEnabled"] is True
        assert spec["nodeTLSSecret"] == "claims-claims-node-tls" and spec["clientTLSSecret"] == "claims-claims-root-tls"
        (spread,) = spec["topologySpreadConstraints"]
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["whenUnsatisfiable"] == "DoNotSchedule"
        assert spec["resources"]["limits"] == spec["resources"]["requests"] == {"cpu": "2", "memory": "8Gi"}
        assert spec["dataStore"]["pvc"]["spec"]["resources"]["requests"]["storage"] == "50Gi"
        assert spec["automountServiceAccountToken"] is False


def test_nodes_say_their_region_and_join_the_first_nodes_of_every_region():
    joins = set()
    for region in REGIONS:
        args = crdb(region)["spec"]["additionalArgs"]
        assert args[0] == f"--locality=region={region}"
        assert args[1].startswith("--join=")
        hosts = args[1].removeprefix("--join=").split(",")
        assert len(hosts) == 9
        for other in REGIONS:
            name = crdb_cluster_name("claims", "claims", other)
            # The names the operator advertises: $(POD_NAME).<cluster>.<namespace> (statefulset.go).
            assert f"{name}-0.{name}.claims-crdb:26258" in hosts
        joins.add(args[1])
    assert len(joins) == 1  # one cluster: every region joins the same seeds


def test_the_crdb_namespace_enforces_baseline_and_denies_by_default():
    (ns,) = [n for n in objs("Namespace", "us-east-1") if n["metadata"]["name"] == "claims-crdb"]
    labels = ns["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "restricted"
    policies = {p["metadata"]["name"]: p for p in objs("NetworkPolicy", "us-east-1")}
    deny = policies["claims-crdb-default-deny"]
    assert deny["metadata"]["namespace"] == "claims-crdb" and deny["spec"]["podSelector"] == {}


def test_node_port_is_open_to_the_other_regions_and_sql_to_the_agents_only():
    policy = next(
        p
        for p in objs("NetworkPolicy", "us-east-2")
        if p["metadata"]["name"] == crdb_cluster_name("claims", "claims", "us-east-2")
    )
    rules = policy["spec"]["ingress"]
    remote = [r for r in rules if any("ipBlock" in f for f in r["from"])]
    (remote_rule,) = remote
    assert sorted(f["ipBlock"]["cidr"] for f in remote_rule["from"]) == [CIDRS["us-east-1"], CIDRS["us-west-2"]]
    assert [p["port"] for p in remote_rule["ports"]] == [26258]
    agents = rules[0]
    (peer,) = agents["from"]
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "claims"}}
    assert peer["podSelector"]["matchExpressions"][0]["values"] == ["claims-assessor", "claims-intake"]
    assert [p["port"] for p in agents["ports"]] == [26257]


def _env(region: str, agent: str = "intake") -> dict[str, dict]:
    (rollout,) = [r for r in objs("Rollout", region) if r["metadata"]["name"] == f"claims-{agent}"]
    return {e["name"]: e for e in rollout["spec"]["template"]["spec"]["containers"][0]["env"]}


def test_agents_reach_their_own_regions_cockroachdb_with_tls_verified():
    env = _env("us-west-2")
    assert env["AGENTHA_STORE_CLAIMS_HOST"]["value"] == "claims-claims-us-west-2-public.claims-crdb.svc"
    assert env["AGENTHA_STORE_CLAIMS_PORT"]["value"] == "26257"
    assert env["AGENTHA_STORE_CLAIMS_SSLMODE"]["value"] == "verify-full"
    assert env["AGENTHA_STORE_CLAIMS_URI"]["valueFrom"]["secretKeyRef"]["name"] == "claims-claims-app-credentials"


def test_agents_in_a_replica_region_write_to_the_primary_and_read_locally():
    for region in REGIONS:
        env = _env(region, "assessor")
        write = env["AGENTHA_STORE_POLICY_LEDGER_WRITE_HOST"]["value"]
        assert write == "claims-policy-ledger-us-east-1-write.claims.svc.cluster.local"
        assert env["AGENTHA_STORE_POLICY_LEDGER_READ_HOST"]["value"] == "claims-policy-ledger-rw.claims.svc"
        assert env["AGENTHA_STORE_POLICY_LEDGER_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "password"


def test_the_agents_egress_reaches_the_primary_regions_pods_only_from_other_regions():
    def egress(region: str) -> list[dict]:
        (policy,) = [p for p in objs("NetworkPolicy", region) if p["metadata"]["name"] == "claims-intake"]
        return policy["spec"]["egress"]

    def blocks(region: str) -> list[str]:
        return [
            f["ipBlock"]["cidr"]
            for rule in egress(region)
            for f in rule.get("to", [])
            if "ipBlock" in f and any(p["port"] == 5432 for p in rule.get("ports", []))
        ]

    assert blocks("us-east-2") == blocks("us-west-2") == [CIDRS["us-east-1"]]
    assert blocks("us-east-1") == []
    # CockroachDB in the crdb namespace, by namespace and instance.
    crdb_rules = [
        r for r in egress("us-east-1") if any("namespaceSelector" in f and "podSelector" in f for f in r.get("to", []))
    ]
    assert any(p["port"] == 26257 for r in crdb_rules for p in r["ports"])


def test_the_primary_database_has_a_headless_write_service_and_admits_the_other_regions():
    (primary,) = objs("Cluster", "us-east-1")
    additional = primary["spec"]["managed"]["services"]["additional"]
    write = next(s for s in additional if s["serviceTemplate"]["metadata"]["name"].endswith("-write"))
    assert write["selectorType"] == "rw" and write["serviceTemplate"]["spec"] == {"clusterIP": "None"}
    names = primary["spec"]["certificates"]["serverAltDNSNames"]
    assert "claims-policy-ledger-us-east-1-write.claims.svc.cluster.local" in names
    (policy,) = [
        p for p in objs("NetworkPolicy", "us-east-1") if p["metadata"]["name"] == "claims-policy-ledger-us-east-1"
    ]
    remote = [r for r in policy["spec"]["ingress"] if any("ipBlock" in f for f in r["from"])]
    assert sorted(f["ipBlock"]["cidr"] for r in remote for f in r["from"]) == [CIDRS["us-east-2"], CIDRS["us-west-2"]]


def test_one_region_dev_runs_one_cockroachdb_joining_itself():
    name = f"{EXAMPLE}:dev"
    (cluster,) = objs("CrdbCluster", name=name)
    hosts = cluster["spec"]["additionalArgs"][1].removeprefix("--join=").split(",")
    assert len(hosts) == 3 and all(h.startswith("claims-claims-us-east-1-") for h in hosts)
    policy = next(p for p in objs("NetworkPolicy", name=name) if p["metadata"]["name"] == cluster["metadata"]["name"])
    assert not any("ipBlock" in f for r in policy["spec"]["ingress"] for f in r["from"])


def test_after_a_promotion_every_region_writes_to_the_current_primary():
    from stacks.manifests import collect
    from tests.components.kubernetes.support import spec_file, synth_path
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "claims-kubernetes" / "spec.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  failover:\n    mode: automatic\n", "  failover:\n    mode: automatic\n    current_primary: us-east-2\n"
    )
    objects = collect(synth_path(spec_file(text), "prod").graph)
    for region in REGIONS:
        (cluster,) = [m.object for m in objects if m.region == region and m.object["kind"] == "Cluster"]
        assert cluster["spec"]["replica"]["primary"] == "claims-policy-ledger-us-east-2"
        (rollout,) = [
            m.object
            for m in objects
            if m.region == region and m.object["kind"] == "Rollout" and m.object["metadata"]["name"] == "claims-intake"
        ]
        env = {e["name"]: e for e in rollout["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["AGENTHA_STORE_POLICY_LEDGER_WRITE_HOST"]["value"] == (
            "claims-policy-ledger-us-east-2-write.claims.svc.cluster.local"
        )
