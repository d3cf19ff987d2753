"""Every VPC the stack creates has a flow log (outside the `dev` environment).

Flow logs are the record of which addresses talked to which, on which ports, and what the security groups
and network ACLs refused: what an incident review needs to tell a compromised task's exfiltration from
normal traffic, and what CIS AWS Foundations (3.7) and Security Hub (EC2.6) ask for.

On the graph: a VPC is covered when an `aws:ec2/flowLog:FlowLog` has its `vpcId` built from it and a
destination (`logDestination`, or the older `logGroupName`). Skipped in the environment named `dev` (where
the blueprint leaves them off by default); a spec that turns them off elsewhere
(`observability.flow_logs.enabled: false`) is flagged: lower this rule in agentha-policy.yaml to accept it.
"""

from __future__ import annotations

from typing import Any

from blueprints.plan.models import DEV_ENVIRONMENT
from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, violation
from policies.rules._shared import referenced

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def validate(args: Any, report_violation: Any) -> None:
    if current().environment == DEV_ENVIRONMENT:
        return
    resources = list(args.resources)
    covered: set[str] = set()
    for r in resources:
        if r.resource_type != FLOW_LOG:
            continue
        if get(r.props, "logDestination") is None and get(r.props, "logGroupName") is None:
            continue
        covered.update(v.urn for v in referenced(r, "vpcId", VPC))
    for vpc in (r for r in resources if r.resource_type == VPC):
        if vpc.urn in covered:
            continue
        violation(
            report_violation,
            Subject.of(vpc),
            "has no flow log: nothing records which addresses its tasks and stores talked to, or what its "
            "security groups refused",
            "add an aws:ec2/flowLog:FlowLog with vpcId set to this VPC and a destination (spec "
            "observability.flow_logs)",
            spec_path="observability.flow_logs",
        )


RULE = StackRule(
    id="agentha-aws-ec2-vpc-enable-flow-logs",
    description="Every VPC the stack creates has a flow log (outside dev).",
    severity="medium",
    topics=("security", "observability"),
    enforcement="mandatory",
    why="Without flow logs a network incident (a compromised task calling out, a store reached from where it "
    "should not be) leaves no trace to investigate (CIS AWS Foundations 3.7, Security Hub EC2.6, checkov "
    "CKV2_AWS_11).",
    fix="An aws:ec2/flowLog:FlowLog per VPC to an encrypted log group or bucket (spec observability.flow_logs).",
    validate=validate,
)
