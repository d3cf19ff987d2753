"""ElastiCache replication groups fail over automatically to a replica in another zone."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, number, violation


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    failover, multi_az = get(args.props, "automaticFailoverEnabled"), get(args.props, "multiAzEnabled")
    if failover is not True and failover is not UNKNOWN:
        violation(
            report_violation,
            subject,
            "has automatic failover off: losing the primary node's zone stops writes until someone promotes "
            "a replica by hand",
            "set automaticFailoverEnabled: true",
        )
    if multi_az is not True and multi_az is not UNKNOWN:
        violation(
            report_violation,
            subject,
            "has Multi-AZ off: replicas may share the primary's zone and the failover target is not chosen by zone",
            "set multiAzEnabled: true",
        )
    nodes = number(get(args.props, "numCacheClusters"))
    replicas = number(get(args.props, "replicasPerNodeGroup"))
    if (nodes is not None and nodes < 2) or (nodes is None and replicas is not None and replicas < 1):
        violation(
            report_violation,
            subject,
            "has no replica to fail over to",
            "set numCacheClusters: 2 or more (one per planned zone)",
        )


RULE = ResourceRule(
    id="agentha-aws-elasticache-replication-group-enable-automatic-failover",
    description="ElastiCache replication groups have automatic failover and Multi-AZ on, with a replica.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="The zone RTO for a Valkey store is the automatic promotion of a replica in another zone; without "
    "Multi-AZ automatic failover there is no promotion.",
    fix="automaticFailoverEnabled: true, multiAzEnabled: true, numCacheClusters ≥ 2.",
    types=("aws:elasticache/replicationGroup:ReplicationGroup",),
    validate=validate,
)
