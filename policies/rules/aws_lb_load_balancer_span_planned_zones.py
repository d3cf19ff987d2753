"""A load balancer has a node in every planned zone of its region."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, items, violation
from policies.rules._shared import fewer_subnets_than_zones


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    zones = current().zones(subject.region)
    subnets = items(get(args.props, "subnets")) or items(get(args.props, "subnetMappings"))
    if fewer_subnets_than_zones(subnets, zones):
        violation(
            report_violation,
            subject,
            f"is attached to {len(subnets)} subnet(s) but the plan uses {len(zones)} zone(s) in {subject.region} "
            f"({', '.join(zones)}): targets in the other zones get no traffic, and losing its zone(s) takes the "
            "entry point down",
            "attach one subnet per planned zone (subnets or subnetMappings)",
        )


RULE = ResourceRule(
    id="agentha-aws-lb-load-balancer-span-planned-zones",
    description="Load balancers span every planned zone of their region.",
    severity="critical",
    topics=("availability",),
    enforcement="mandatory",
    why="A load balancer only routes to targets in zones it is enabled in, and it is itself zonal per subnet; "
    "the zone-loss estimates assume it runs in every planned zone.",
    fix="Attach one subnet per planned zone.",
    types=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
    validate=validate,
)
