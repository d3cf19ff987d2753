"""DsqlCluster: an aurora-dsql store as built (claims-aws: two regions peered, witness us-west-2)."""

from __future__ import annotations

import json

import pytest

from components.aws.dsql_cluster import endpoint
from components.aws.encryption import key_policy
from tests.components.aws.helpers import doc, graph, of_type


def test_each_planned_region_has_a_protected_cluster_on_its_own_key_with_the_plans_witness() -> None:
    clusters = of_type(graph("claims-aws"), "aws:dsql/cluster:Cluster")
    assert sorted(c.region or "" for c in clusters) == ["us-east-1", "us-east-2"]
    for c in clusters:
        assert c.inputs["deletionProtectionEnabled"] is True and c.protect
        assert c.inputs["kmsEncryptionKey"].startswith(f"arn:aws:kms:{c.region}:")
        assert c.inputs["multiRegionProperties"] == {"witnessRegion": "us-west-2"}


def test_the_clusters_are_peered_to_each_other_in_both_regions() -> None:
    g = graph("claims-aws")
    arns = {c.region: f"arn:aws:dsql:{c.region}:123456789012:{c.name}" for c in of_type(g, "aws:dsql/cluster:Cluster")}
    peerings = of_type(g, "aws:dsql/clusterPeering:ClusterPeering")
    assert sorted(p.region or "" for p in peerings) == ["us-east-1", "us-east-2"]
    for p in peerings:
        other = "us-east-2" if p.region == "us-east-1" else "us-east-1"
        assert p.inputs["witnessRegion"] == "us-west-2"
        (arn,) = p.inputs["clusters"]
        assert arn.startswith(arns[other])  # the mocks' ARN: the other cluster's name and an id


def test_agents_connect_with_dbconnect_never_admin_to_their_own_regions_cluster() -> None:
    g = graph("claims-aws")
    names = {c.region or "": c.name for c in of_type(g, "aws:dsql/cluster:Cluster")}
    for policy in of_type(g, "aws:iam/rolePolicy:RolePolicy"):
        statements = doc(policy, "policy")["Statement"]
        actions = {a for s in statements for a in s["Action"]}
        assert "dsql:DbConnectAdmin" not in actions
        for s in statements:
            if "dsql:DbConnect" in s["Action"]:
                region = next(r for r in names if r and policy.name.endswith(r))  # IAM is global: the name says
                (arn,) = s["Resource"]
                assert arn.startswith(f"arn:aws:dsql:{region}:123456789012:{names[region]}")


def test_the_region_key_lets_dsql_use_it_for_this_account_only() -> None:
    statements = key_policy("us-east-1", "123456789012", "aws", dsql=True)["Statement"]
    dsql = [s for s in statements if s["Principal"] == {"Service": "dsql.amazonaws.com"}]
    assert len(dsql) == 1
    assert dsql[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert all("*" not in a for a in dsql[0]["Action"])
    # ... and no such statement where no DSQL cluster is built.
    plain = key_policy("us-east-1", "123456789012", "aws")["Statement"]
    assert not any(s["Principal"] == {"Service": "dsql.amazonaws.com"} for s in plain)
    built = [json.loads(k.inputs["policy"]) for k in of_type(graph("claims-aws"), "aws:kms/key:Key")]
    assert all(any(s.get("Sid") == "AuroraDsqlEncryptsThisAccountsClusters" for s in p["Statement"]) for p in built)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3"])
def test_endpoint_form(region: str) -> None:
    assert endpoint("abc123", region) == f"abc123.dsql.{region}.on.aws"
