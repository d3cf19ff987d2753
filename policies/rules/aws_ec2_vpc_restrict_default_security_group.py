"""Every VPC the stack creates manages its default security group, and leaves it with no rules.

AWS gives each new VPC a default security group that lets its members talk to each other on every
port and reach anywhere; anything created without a security group (an ENI, an endpoint, a hand-made
instance) lands in it. `aws:ec2/defaultSecurityGroup:DefaultSecurityGroup` adopts that group and
removes every rule it does not list, so one with no ingress and no egress denies all traffic.

On the graph: a VPC is unmanaged when no DefaultSecurityGroup's `vpcId` is built from it; a managed
one still allows traffic when its inline ingress/egress is not empty or a separate rule resource
(`aws:vpc/securityGroupIngressRule`, `...EgressRule`, `aws:ec2/securityGroupRule`) points at it.
"""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import referenced

VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
RULE_TYPES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)


def validate(args: Any, report_violation: Any) -> None:
    resources = list(args.resources)
    managed: dict[str, Any] = {}
    for r in resources:
        if r.resource_type == DEFAULT_SG:
            for owner in referenced(r, "vpcId", VPC):
                managed.setdefault(owner.urn, r)
    attached: dict[str, list[Any]] = {}
    for r in resources:
        if r.resource_type in RULE_TYPES:
            for group in referenced(r, "securityGroupId", DEFAULT_SG):
                attached.setdefault(group.urn, []).append(r)
    for vpc in (r for r in resources if r.resource_type == VPC):
        group = managed.get(vpc.urn)
        if group is None:
            violation(
                report_violation,
                Subject.of(vpc),
                "leaves its default security group unmanaged: AWS's default rules let every member reach every "
                "other on all ports, and anything created without a security group lands in it",
                "manage it with aws:ec2/defaultSecurityGroup:DefaultSecurityGroup (vpcId: this VPC) and no "
                "ingress or egress rules, which removes them all",
            )
            continue
        inline = [
            kind
            for kind in ("ingress", "egress")
            if get(group.props, kind) is not UNKNOWN and items(get(group.props, kind))
        ]
        extra = attached.get(group.urn, [])
        if inline or extra:
            what = [f"inline {k} rules" for k in inline] + [f"rule '{r.name}'" for r in extra]
            violation(
                report_violation,
                Subject.of(group),
                f"allows traffic ({', '.join(what)}): the default security group should deny everything, so "
                "nothing placed in it by omission can talk",
                "give it no ingress and no egress (and attach no rules to it); put workloads in their own "
                "security groups",
            )


RULE = StackRule(
    id="agentha-aws-ec2-vpc-restrict-default-security-group",
    description="Each VPC's default security group is managed and allows no traffic.",
    severity="medium",
    topics=("security",),
    enforcement="mandatory",
    why="Resources created without an explicit security group fall into the default one; with AWS's default "
    "rules they can reach, and be reached by, everything else in it (CIS AWS Foundations 5.4).",
    fix="aws:ec2/defaultSecurityGroup:DefaultSecurityGroup for each VPC, with no ingress and no egress.",
    validate=validate,
)
