"""VpcFlowLog: the flow log of one new VPC, delivered to a CloudWatch Logs group encrypted with the region's key.

Spec `observability.flow_logs` (on by default outside the `dev` environment). Per VPC:

- a log group `/agentha/<scope>/vpc-flow-logs`, in the VPC's region, encrypted with the region's
  customer managed key (the key policy lets `logs.<region>.amazonaws.com` use it for this region's
  log groups, with the `aws:logs:arn` encryption-context condition: components/aws/encryption.py) and
  kept the spec's retention;
- a delivery role that only the VPC Flow Logs service may assume, for this account's flow logs in
  this region only (aws:SourceAccount and aws:SourceArn, as the VPC user guide recommends against
  the confused deputy), allowed to create streams in and write to this one log group. The user
  guide's list also has logs:CreateLogGroup (the group exists already, so it is left out) and
  logs:DescribeLogGroups, which takes no resource (IAM cannot scope it; it reads names only);
- the flow log itself: every network interface of the VPC, the spec's traffic (ALL by default),
  aggregated over 10 minutes (the default; 1 minute costs the same per record but sends more of them).

Records cost CloudWatch Logs vended-log ingestion and storage (docs/aws.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, ec2, iam

from blueprints.plan import naming
from blueprints.plan.models import FlowLogPlan
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.tags import TagContext

TOKEN = "agentha:aws:VpcFlowLog"
SERVICE = "vpc-flow-logs.amazonaws.com"
SPEC_PATH = "observability.flow_logs"
AGGREGATION_S = 600
"""Seconds over which a flow is aggregated into one record (600, the default, or 60)."""
WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")


@dataclass(frozen=True)
class VpcFlowLogArgs:
    plan: FlowLogPlan
    region: str
    vpc_id: pulumi.Input[str]
    tags: TagContext
    key_arn: pulumi.Input[str]
    """The region's customer managed key; it encrypts the records."""
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]


def log_group_name(scope: str) -> str:
    return f"/agentha/{scope}/vpc-flow-logs"


class VpcFlowLog(pulumi.ComponentResource):
    """A VPC's flow log, its encrypted log group and its delivery role."""

    flow_log_id: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: VpcFlowLogArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        a = args
        region = a.region
        system = a.tags.system
        child = pulumi.ResourceOptions(parent=self)
        group = cloudwatch.LogGroup(
            naming.resource(system, "flow-logs", None, region),
            cloudwatch.LogGroupArgs(
                name=log_group_name(a.tags.scope),
                retention_in_days=a.plan.retention_days,
                kms_key_id=a.key_arn,
                region=region,
                tags=a.tags.tags("network", "flow-log-group", region=region, spec_path=SPEC_PATH),
            ),
            opts=child,
        )
        source_arn = pulumi.Output.concat("arn:", a.partition, ":ec2:", region, ":", a.account_id, ":vpc-flow-log/*")
        role = iam.Role(
            naming.resource(system, "flow-logs", "role", region),
            iam.RoleArgs(
                name=naming.physical(a.tags.scope, "flow-logs", naming.region_code(region), "iam-role"),
                description=f"{system}: delivers the VPC flow log in {region} to its log group",
                assume_role_policy=trust_policy(SERVICE, a.account_id, source_arn=source_arn),
                tags=a.tags.tags("network", "flow-log-role", region=region, spec_path=SPEC_PATH),
            ),
            opts=child,
        )
        policy = iam.RolePolicy(
            naming.resource(system, "flow-logs", "policy", region),
            iam.RolePolicyArgs(
                role=role.id,
                policy=policy_json(
                    [
                        Statement("WriteFlowLogGroup", WRITE_ACTIONS, [group.arn, group.arn.apply(lambda g: f"{g}:*")]),
                        # DescribeLogGroups takes no resource (IAM's service authorization reference).
                        Statement("FindLogGroup", ("logs:DescribeLogGroups",), ["*"]),
                    ]
                ),
            ),
            opts=child,
        )
        flow = ec2.FlowLog(
            naming.resource(system, "flow-log", None, region),
            ec2.FlowLogArgs(
                vpc_id=a.vpc_id,
                traffic_type=a.plan.traffic,
                log_destination_type="cloud-watch-logs",
                log_destination=group.arn,
                iam_role_arn=role.arn,
                max_aggregation_interval=AGGREGATION_S,
                region=region,
                tags=a.tags.tags("network", "flow-log", region=region, spec_path=SPEC_PATH),
            ),
            # The role must be able to write before the first records are delivered.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.flow_log_id = flow.id
        self.log_group_name = group.name
        self.role_arn = role.arn
        self.register_outputs(
            {"flow_log_id": self.flow_log_id, "log_group_name": self.log_group_name, "role_arn": self.role_arn}
        )
