"""ElastiCache replication groups authenticate their clients (an RBAC user group, or an AUTH token)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    groups = get(args.props, "userGroupIds")
    token = get(args.props, "authToken")
    if groups is UNKNOWN or token is UNKNOWN:
        return
    if groups or token:
        return
    violation(
        report_violation,
        subject,
        "lets any client that reaches it in: no user group and no AUTH token, so every connection is the "
        "open `default` user with every command on every key",
        "name a user group of IAM-authenticated users in userGroupIds (components/aws/valkey_cache.py builds one "
        "per region)",
    )


RULE = ResourceRule(
    id="agentha-aws-elasticache-replication-group-require-authentication",
    description="ElastiCache replication groups require authentication (RBAC user group or AUTH token).",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Security groups decide who reaches the port, not who may read or flush the data: without "
    "authentication any process in a permitted subnet (a compromised task, a debugging pod) acts as the "
    "`default` user with every command. The cache holds agent state and shared rate-limit counters.",
    fix="Attach a user group (userGroupIds) whose users authenticate with IAM, on the primary and every "
    "secondary of the global datastore.",
    types=("aws:elasticache/replicationGroup:ReplicationGroup",),
    validate=validate,
)
