"""DsqlCluster: an aurora-dsql store as built (claims-aws: two regions peered, witness us-west-2)."""

from __future__ import annotations

import json

import pytest

from components.aws.dsql_cluster import endpoint, private_endpoint
from components.aws.encryption import key_policy
from tests.components.aws.helpers import dependencies, doc, graph, of_type


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
    # the DSQL user guide's example pins aws:SourceArn to the cluster; the key predates its cluster, so
    # the pin is this account's clusters in the key's own region
    assert dsql[0]["Condition"] == {"ArnLike": {"aws:SourceArn": "arn:aws:dsql:us-east-1:123456789012:cluster/*"}}
    assert sorted(dsql[0]["Action"]) == [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ]
    assert all("*" not in a for a in dsql[0]["Action"])
    # ... and no such statement where no DSQL cluster is built.
    plain = key_policy("us-east-1", "123456789012", "aws")["Statement"]
    assert not any(s["Principal"] == {"Service": "dsql.amazonaws.com"} for s in plain)
    built = [json.loads(k.inputs["policy"]) for k in of_type(graph("claims-aws"), "aws:kms/key:Key")]
    assert all(any(s.get("Sid") == "AuroraDsqlEncryptsThisAccountsClusters" for s in p["Statement"]) for p in built)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3"])
def test_endpoint_form(region: str) -> None:
    assert endpoint("abc123", region) == f"abc123.dsql.{region}.on.aws"


def test_aws_backup_keeps_each_regions_cluster_for_the_specs_retention_and_copies_the_primarys_away() -> None:
    """AWS Backup backs up a multi-Region cluster region by region; the primary's recovery points are
    copied to the other region's vault (a multi-Region restore needs a point and its copy)."""
    g = graph("claims-aws")
    clusters = {c.region or "": c for c in of_type(g, "aws:dsql/cluster:Cluster")}
    vaults = {v.region or "": v for v in of_type(g, "aws:backup/vault:Vault")}
    plans = {p.region or "": p for p in of_type(g, "aws:backup/plan:Plan")}
    selections = {s.region or "": s for s in of_type(g, "aws:backup/selection:Selection")}
    assert sorted(vaults) == sorted(plans) == sorted(selections) == ["us-east-1", "us-east-2"]
    for region, vault in vaults.items():
        assert vault.inputs["kmsKeyArn"].startswith(f"arn:aws:kms:{region}:")  # the region's CMK
        assert len(vault.inputs["name"]) <= 50
        (rule,) = plans[region].inputs["rules"]
        assert rule["targetVaultName"] == vault.inputs["name"]
        assert rule["lifecycle"]["deleteAfter"] == 14  # backup.retention: 14d, as Aurora keeps its own
        assert rule["schedule"].startswith("cron(")
        copies = rule.get("copyActions") or []
        if region == "us-east-1":  # the primary's recovery points also live in the other region
            (copy,) = copies
            assert copy["destinationVaultArn"].startswith("arn:aws:backup:us-east-2:")
            assert copy["lifecycle"]["deleteAfter"] == 14
        else:
            assert copies == []
        (selected,) = selections[region].inputs["resources"]
        assert selected.startswith(f"arn:aws:dsql:{region}:123456789012:{clusters[region].name}")
    (role,) = [r for r in of_type(g, "aws:iam/role:Role") if r.name == "claims-claims-backup-role"]
    trust = doc(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    (attached,) = [
        a
        for a in of_type(g, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name == "claims-claims-backup-policy"
    ]
    assert attached.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"


def test_agents_reach_the_cluster_through_its_privatelink_endpoint_from_their_own_tasks_only() -> None:
    g = graph("claims-aws")
    endpoints = [e for e in of_type(g, "aws:ec2/vpcEndpoint:VpcEndpoint") if ".dsql-" in e.inputs["serviceName"]]
    assert sorted(e.region or "" for e in endpoints) == ["us-east-1", "us-east-2"]
    for e in endpoints:
        assert e.inputs["serviceName"].startswith(f"com.amazonaws.{e.region}.dsql-")  # the cluster's own service
        assert e.inputs["vpcEndpointType"] == "Interface" and e.inputs["privateDnsEnabled"] is True
        assert len(e.inputs["subnetIds"]) == 3
        (group,) = dependencies(e, "securityGroupIds")
        # the store's group: 5432 only from the tasks of the agents that use the store
        rules = [
            r
            for r in of_type(g, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if group in dependencies(r, "securityGroupId")
        ]
        assert rules and all(r.name.startswith("claims-claims-from-") for r in rules)
        assert all(r.inputs["fromPort"] == 5432 and r.inputs.get("cidrIpv4") is None for r in rules)
        assert all(r.inputs.get("referencedSecurityGroupId") for r in rules)
    tasks = [t for t in of_type(g, "aws:ecs/taskDefinition:TaskDefinition") if t.name.startswith("claims-intake-task-")]
    for task in tasks:
        env = {x["name"]: x["value"] for x in json.loads(task.inputs["containerDefinitions"])[0]["environment"]}
        region = env["AGENTHA_REGION"]
        host = env["AGENTHA_STORE_CLAIMS_ENDPOINT"]
        # <cluster id>.dsql-<id>.<region>.on.aws: private DNS resolves it to the endpoint, no NAT needed
        assert host.endswith(f".{region}.on.aws") and ".dsql-" in host, host


def test_the_private_host_name_takes_the_service_names_last_label() -> None:
    assert (
        private_endpoint("abc123", "com.amazonaws.us-east-1.dsql-fnh4", "us-east-1")
        == "abc123.dsql-fnh4.us-east-1.on.aws"
    )
