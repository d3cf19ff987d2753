"""Nothing is open to the internet except HTTPS (443) to the load balancer of a public ingress.

Port 80 is tolerated on that same load balancer only while every port-80 listener there does
nothing but redirect to HTTPS (no data is served in clear text).
"""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, get, items, number, violation
from policies.rules._shared import part_name, role

ANYWHERE = ("0.0.0.0/0", "::/0")
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")


def _ports(entry: Any, protocol_key: str) -> tuple[float, float] | None:
    if str(get(entry, protocol_key, default="")) in ("-1", "all"):
        return (0, 65535)
    low, high = number(get(entry, "fromPort")), number(get(entry, "toPort"))
    if low is None or high is None:
        return None
    return (low, high)


def _open_rules(args: Any) -> list[tuple[Any, Any, tuple[float, float] | None, str]]:
    """(rule resource, its security group resource or None, port range, cidr) open to anywhere."""
    out = []
    for r in args.resources:
        if r.resource_type == INGRESS_RULE:
            cidrs = [get(r.props, "cidrIpv4"), get(r.props, "cidrIpv6")]
            groups = r.property_dependencies.get("securityGroupId") or []
            group = groups[0] if groups else None
            for cidr in cidrs:
                if cidr in ANYWHERE:
                    out.append((r, group, _ports(r.props, "ipProtocol"), cidr))
        elif r.resource_type == LEGACY_RULE and get(r.props, "type") == "ingress":
            cidrs = items(get(r.props, "cidrBlocks")) + items(get(r.props, "ipv6CidrBlocks"))
            groups = r.property_dependencies.get("securityGroupId") or []
            for cidr in cidrs:
                if cidr in ANYWHERE:
                    out.append((r, groups[0] if groups else None, _ports(r.props, "protocol"), cidr))
        elif r.resource_type == GROUP:
            for entry in items(get(r.props, "ingress")):
                cidrs = items(get(entry, "cidrBlocks")) + items(get(entry, "ipv6CidrBlocks"))
                for cidr in cidrs:
                    if cidr in ANYWHERE:
                        out.append((r, r, _ports(entry, "protocol"), cidr))
    return out


def _redirect_only_on_80(args: Any, agent: str, region: str | None) -> bool:
    found = False
    for r in args.resources:
        if r.resource_type not in LISTENERS or number(get(r.props, "port")) != 80:
            continue
        owners = r.property_dependencies.get("loadBalancerArn") or []
        owner = Subject.of(owners[0]) if owners else Subject.of(r)
        if part_name(owner, "agents") != agent or owner.region != region:
            continue
        found = True
        actions = items(get(r.props, "defaultActions"))
        if not actions or any(
            get(a, "type") != "redirect" or str(get(a, "redirect", "protocol", default="")).upper() != "HTTPS"
            for a in actions
        ):
            return False
    return found


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    for rule, group, ports, cidr in _open_rules(args):
        subject = Subject.of(rule)
        owner = Subject.of(group) if group is not None else subject
        agent_name = part_name(owner, "agents") or part_name(subject, "agents")
        agent = context.agent(agent_name)
        is_public_lb = agent is not None and agent.public and role(owner) == "lb-sg"
        where = (
            f"ports {int(ports[0])}-{int(ports[1])}"
            if ports and ports[0] != ports[1]
            else (f"port {int(ports[0])}" if ports else "unknown ports")
        )
        if is_public_lb and ports == (443, 443):
            continue
        if is_public_lb and ports == (80, 80) and _redirect_only_on_80(args, agent_name or "", owner.region):
            continue
        if not is_public_lb:
            problem = f"opens {where} to {cidr}, but the spec asks for no public ingress here"
            fix = "allow only the VPC or a referenced security group (or make the spec's ingress public)"
        else:
            problem = f"opens {where} to {cidr} on the public load balancer; only 443 (HTTPS) may face the internet"
            fix = "restrict the rule to port 443 (80 only if its listener just redirects to HTTPS)"
        violation(report_violation, subject, problem, fix, spec_path=owner.spec_path or subject.spec_path)


RULE = StackRule(
    id="agentha-aws-ec2-security-group-disallow-public-ingress",
    description="Only HTTPS to a public ingress's load balancer is open to the internet.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="Private unless the spec says public: an open port on a task, store or internal load balancer is "
    "reachable by anyone scanning the address space.",
    fix="Limit internet ingress to 443 on the ingress agent's load balancer, when ingress.public is true.",
    validate=validate,
)
