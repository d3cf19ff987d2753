"""ECS services move tasks back into a zone once it recovers (availability-zone rebalancing)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    value = get(args.props, "availabilityZoneRebalancing")
    if value == "ENABLED" or value is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "does not rebalance tasks across zones: after a zone outage the replacements stay in the surviving "
        "zones, so the next zone loss takes more than its share",
        "set availabilityZoneRebalancing: ENABLED",
    )


RULE = ResourceRule(
    id="agentha-aws-ecs-service-enable-zone-rebalancing",
    description="ECS services rebalance tasks across zones after a zone recovers.",
    severity="low",
    topics=("availability",),
    # Mandatory (was advisory): the plan sizes each zone for the loss of another assuming an even
    # spread; a service left lopsided after a recovery breaks that the next time a zone fails.
    enforcement="mandatory",
    why="Static stability assumes tasks spread evenly; without rebalancing, one zone outage leaves the "
    "service lopsided until the next deployment.",
    fix="availabilityZoneRebalancing: ENABLED.",
    types=("aws:ecs/service:Service",),
    validate=validate,
)
