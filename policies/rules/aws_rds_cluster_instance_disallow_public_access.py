"""Aurora instances are not reachable from the internet."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    if get(args.props, "publiclyAccessible") is True:
        violation(
            report_violation,
            Subject.of(args),
            "is publicly accessible: it gets a public address and the database port faces the internet",
            "set publiclyAccessible: false; agents reach it inside the VPC",
        )


RULE = ResourceRule(
    id="agentha-aws-rds-cluster-instance-disallow-public-access",
    description="Aurora instances are not publicly accessible.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="A database with a public endpoint is one leaked password away from exfiltration; stores are "
    "private unless the spec says otherwise, and the spec never says it for a store.",
    fix="publiclyAccessible: false.",
    types=("aws:rds/clusterInstance:ClusterInstance",),
    validate=validate,
)
