"""VpcFlowLog: each new VPC's flow log, its KMS-encrypted log group and its least-privilege delivery role."""

from __future__ import annotations

import json

from policies.iam_actions import supports_resource_level
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import graph

FLOW = "aws:ec2/flowLog:FlowLog"
GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
VPC = "aws:ec2/vpc:Vpc"


def _flows(g: ResourceGraph) -> dict[str, CapturedResource]:
    return {r.inputs["region"]: r for r in g.of_type(FLOW)}


def test_every_new_vpc_has_a_flow_log_to_an_encrypted_log_group() -> None:
    g = graph("support-agent@prod")
    vpcs = {r.inputs["region"]: r for r in g.of_type(VPC)}
    flows = _flows(g)
    assert set(flows) == set(vpcs) == {"us-east-1", "us-west-2"}
    for region, flow in flows.items():
        i = flow.inputs
        assert flow.property_dependencies["vpcId"] == (vpcs[region].urn,)
        assert i["trafficType"] == "ALL" and i["logDestinationType"] == "cloud-watch-logs"
        assert i["maxAggregationInterval"] == 600
        (group_urn,) = flow.property_dependencies["logDestination"]
        group = g.by_urn(group_urn)
        assert group is not None and group.type == GROUP
        assert group.inputs["name"] == "/agentha/support-agent-prod/vpc-flow-logs"
        assert group.inputs["retentionInDays"] == 30
        (key_urn,) = group.property_dependencies["kmsKeyId"]
        key = g.by_urn(key_urn)
        assert key is not None and key.inputs["region"] == region
        # the key lets CloudWatch Logs of this region use it for this account's log groups
        logs = next(
            s for s in json.loads(key.inputs["policy"])["Statement"] if s["Sid"] == "CloudWatchLogsOfThisRegion"
        )
        assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
        assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]


def test_the_delivery_role_trusts_flow_logs_of_this_account_and_region_only() -> None:
    g = graph("support-agent@prod")
    for region, flow in _flows(g).items():
        (role_urn,) = flow.property_dependencies["iamRoleArn"]
        role = g.by_urn(role_urn)
        assert role is not None
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
        account = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
        assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:ec2:{region}:{account}:vpc-flow-log/*"}


def test_the_role_writes_to_its_own_log_group_only() -> None:
    g = graph("support-agent@prod")
    for flow in _flows(g).values():
        (role_urn,) = flow.property_dependencies["iamRoleArn"]
        (policy,) = [p for p in g.of_type(POLICY) if p.property_dependencies.get("role") == (role_urn,)]
        assert policy.urn in flow.dependencies  # the role can write before the flow log delivers
        (group_urn,) = flow.property_dependencies["logDestination"]
        group = g.by_urn(group_urn)
        assert group is not None
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        write = statements["WriteFlowLogGroup"]
        assert write["Action"] == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
        assert all(r != "*" for r in write["Resource"]) and len(write["Resource"]) == 2
        # Resource "*" only where IAM offers no resource-level permission.
        for statement in statements.values():
            if "*" in statement["Resource"]:
                assert not any(supports_resource_level(a) for a in statement["Action"]), statement


def test_dev_has_none_unless_the_spec_asks_and_then_as_tuned() -> None:
    assert graph("support-agent@dev").of_type(FLOW) == []
    on = graph("logs-on-dev")
    (flow,) = on.of_type(FLOW)
    assert flow.inputs["trafficType"] == "REJECT"
    (group_urn,) = flow.property_dependencies["logDestination"]
    group = on.by_urn(group_urn)
    assert group is not None and group.inputs["retentionInDays"] == 60  # 45d rounded up to what CloudWatch offers


def test_an_existing_vpc_keeps_its_own_flow_logs() -> None:
    g = graph("logs-existing-vpc")
    assert g.of_type(FLOW) == [] and g.of_type(VPC) == []
    assert [r for r in g.of_type("aws:s3/bucket:Bucket") if "-access-logs-" in r.name]


def test_turned_off_in_the_spec_nothing_is_built_in_prod() -> None:
    g = graph("logs-off")
    assert g.of_type(FLOW) == []
    assert not [r for r in g.of_type(ROLE) if "flow-logs" in r.name]
