"""An agent the plan narrows reaches nothing on the internet: no egress to 0.0.0.0/0 from its tasks.

The plan narrows an agent (`narrow_egress`, blueprints/plan/egress.py) when the spec says it calls model
providers only through the model gateway and no http-api or mcp-server itself, and Fargate can pull its
images from ECR. Its task security group then allows HTTPS only to the region's VPC endpoints, the
gateway endpoints' prefix lists, the gateway and its stores (components/aws/security_groups.py). A rule
opening that group to the whole internet, added by hand or by a later change, undoes what the spec
states; the agent would again reach any host, a leaked task credential included.
"""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, items, violation
from policies.rules._shared import part_name, role

ANYWHERE = ("0.0.0.0/0", "::/0")
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"


def _open_egress(args: Any) -> list[tuple[Any, Any, str]]:
    """(rule resource, its security group resource or None, cidr) that lets a group leave for anywhere."""
    out = []
    for r in args.resources:
        if r.resource_type == EGRESS_RULE:
            groups = r.property_dependencies.get("securityGroupId") or []
            for cidr in (get(r.props, "cidrIpv4"), get(r.props, "cidrIpv6")):
                if cidr in ANYWHERE:
                    out.append((r, groups[0] if groups else None, cidr))
        elif r.resource_type == LEGACY_RULE and get(r.props, "type") == "egress":
            groups = r.property_dependencies.get("securityGroupId") or []
            for cidr in items(get(r.props, "cidrBlocks")) + items(get(r.props, "ipv6CidrBlocks")):
                if cidr in ANYWHERE:
                    out.append((r, groups[0] if groups else None, cidr))
        elif r.resource_type == GROUP:
            for entry in items(get(r.props, "egress")):
                for cidr in items(get(entry, "cidrBlocks")) + items(get(entry, "ipv6CidrBlocks")):
                    if cidr in ANYWHERE:
                        out.append((r, r, cidr))
    return out


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    for rule, group, cidr in _open_egress(args):
        subject = Subject.of(rule)
        owner = Subject.of(group) if group is not None else subject
        if role(owner) != "task-sg":
            continue
        name = part_name(owner, "agents")
        agent = context.agent(name)
        if agent is None or not agent.narrow_egress:
            continue
        violation(
            report_violation,
            subject,
            f"lets the tasks of agent '{name}' leave for {cidr}, but the spec has it reach model providers only "
            "through the gateway and nothing else outside the topology (the plan narrows its egress)",
            "remove the rule: its tasks reach AWS through the VPC endpoints and the providers through the gateway; "
            "if it does call another API, declare it under `dependencies` (kind http-api or mcp-server, with the "
            "agent among its callers) and the plan keeps its way out",
            spec_path=owner.spec_path or subject.spec_path,
        )


RULE = StackRule(
    id="agentha-aws-ec2-security-group-restrict-gateway-caller-egress",
    description="An agent that reaches model providers only through the gateway has no egress to the internet.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="The spec says the agent needs nothing outside the topology but the gateway; an open egress rule lets a "
    "compromised task send data anywhere and call providers around the gateway's limits and keys.",
    fix="Keep the task security group's HTTPS to the VPC endpoints, the S3/DynamoDB prefix lists and the gateway.",
    validate=validate,
)
