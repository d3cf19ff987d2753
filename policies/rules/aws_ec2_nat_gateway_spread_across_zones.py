"""With `nat: per-zone`, every planned zone has its own NAT gateway."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import Subject, names, violation

NAT = "aws:ec2/natGateway:NatGateway"


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    if plan is None or plan.target != "aws":
        return
    zones: dict[str | None, set[str]] = defaultdict(set)
    sample: dict[str | None, Subject] = {}
    for r in args.resources:
        if r.resource_type == NAT:
            s = Subject.of(r)
            sample.setdefault(s.region, s)
            zone = s.tag("agentha:zone")
            if zone:
                zones[s.region].add(zone)
    for region in plan.regions:
        if region.network.nat != "per-zone" or region.network.is_existing or region.name not in sample:
            continue
        missing = [z for z in region.zones if z not in zones[region.name]]
        if missing:
            violation(
                report_violation,
                sample[region.name],
                f"network of {region.name} has no NAT gateway in {names(missing)}: those zones send internet "
                "egress through another zone, which losing that zone cuts",
                "create one NAT gateway per planned zone (network.nat: per-zone)",
                spec_path="network.nat",
            )


RULE = StackRule(
    id="agentha-aws-ec2-nat-gateway-spread-across-zones",
    description="With nat: per-zone, each planned zone has its own NAT gateway.",
    severity="medium",
    topics=("availability",),
    enforcement="mandatory",
    why="A NAT gateway is zonal; sharing one turns a single zone's loss into lost egress (model providers, "
    "third-party APIs) for every zone.",
    fix="One NAT gateway per zone, each zone's private route table pointing at its own.",
    validate=validate,
)
