"""Redis stores replicate (≥ 2 nodes) and have Sentinels to fail over automatically."""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, get, number, violation

REPLICATION = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication"
SENTINEL = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel"


def validate(args: Any, report_violation: Any) -> None:
    watched = {
        (Subject.of(r).region, get(r.props, "spec", "redisSentinelConfig", "redisReplicationName"))
        for r in args.resources
        if r.resource_type == SENTINEL and (number(get(r.props, "spec", "clusterSize")) or 0) >= 3
    }
    for r in args.resources:
        if r.resource_type != REPLICATION:
            continue
        s = Subject.of(r)
        size = number(get(r.props, "spec", "clusterSize")) or 1
        name = get(r.props, "metadata", "name")
        if size < 2:
            violation(
                report_violation,
                s,
                f"runs {int(size)} Redis node: nothing to fail over to",
                "set clusterSize: 3 (one per zone)",
            )
        elif (s.region, name) not in watched:
            violation(
                report_violation,
                s,
                f"has no RedisSentinel quorum (≥ 3 sentinels) watching '{name}': losing the primary needs a person "
                "to promote a replica",
                f"add a RedisSentinel with clusterSize 3 and redisSentinelConfig.redisReplicationName: {name}",
            )


RULE = StackRule(
    id="agentha-kubernetes-redis-replication-require-sentinel",
    description="Redis replications have ≥ 2 nodes and a Sentinel quorum watching them.",
    severity="high",
    topics=("availability",),
    enforcement="mandatory",
    why="The zone RTO for a Redis store assumes Sentinel promotes a replica in another zone; without a "
    "quorum of sentinels nobody decides the primary is gone.",
    fix="clusterSize ≥ 2 and a RedisSentinel (clusterSize 3) naming the replication.",
    validate=validate,
)
