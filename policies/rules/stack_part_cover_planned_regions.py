"""Every agent, store and queue of the spec is present in every region the plan places it in."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.context import PolicyContext, current
from policies.model import StackRule
from policies.resources import Subject, names, violation

# The resource that *is* each kind of part, per target (what a failover needs to find in a region).
AGENT_TYPES = (
    "aws:ecs/service:Service",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
)
STORE_TYPES = (
    "aws:dynamodb/table:Table",
    "aws:rds/cluster:Cluster",
    "aws:dsql/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "kubernetes:postgresql.cnpg.io/v1:Cluster",
    "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication",
    "kubernetes:crdb.cockroachlabs.com/v1alpha1:CrdbCluster",
    "kubernetes:apps/v1:StatefulSet",
)
QUEUE_TYPES = ("aws:sqs/queue:Queue", "kubernetes:rabbitmq.com/v1beta1:Queue")
KINDS = {"agents": AGENT_TYPES, "stores": STORE_TYPES, "queues": QUEUE_TYPES}
GLOBAL = "*"


def present(args: Any) -> dict[tuple[str, str], set[str]]:
    """(kind, name) -> regions where a resource that is that part exists."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in args.resources:
        kind = next((k for k, types in KINDS.items() if r.resource_type in types), None)
        if kind is None:
            continue
        s = Subject.of(r)
        part = PolicyContext.part(s.spec_path)
        if part is None or part[0] != kind:
            continue
        if kind == "queues" and s.tag("agentha:role") == "dlq":
            continue
        if s.region:
            found[part].add(s.region)
        if r.resource_type == "aws:dynamodb/table:Table":
            # One global table serves every planned region through its replicas; whether each replica
            # is there is agentha-aws-dynamodb-table-replicate-planned-regions's question, not this one's.
            found[part].add(GLOBAL)
    return found


def validate(args: Any, report_violation: Any) -> None:
    context = current()
    plan = context.plan
    if plan is None:
        return
    found = present(args)
    wanted: list[tuple[str, str, tuple[str, ...]]] = []
    wanted += [("agents", a.name, tuple(p.region for p in a.placements)) for a in plan.agents]
    wanted += [("stores", s.name, s.regions) for s in plan.stores]
    wanted += [("queues", q.name, q.regions) for q in plan.queues]
    for kind, name, regions in wanted:
        here = found.get((kind, name), set())
        missing = [] if GLOBAL in here else [r for r in regions if r not in here]
        if not missing:
            continue
        what = kind[:-1]
        violation(
            report_violation,
            None,
            f"{what} '{name}' is missing in {names(missing)}, where the plan places it: a failover or zone "
            f"loss there finds no {what} to take over",
            f"build {what} '{name}' in every planned region ({names(regions)})",
            spec_path=f"{kind}.{name}",
        )


RULE = StackRule(
    id="agentha-stack-part-cover-planned-regions",
    description="Every agent, store and queue of the spec exists in every region the plan names for it.",
    severity="critical",
    topics=("availability", "durability"),
    enforcement="mandatory",
    why="The region estimates are computed from the plan; a part the program forgot in one region makes "
    "that region unable to serve after a failover, whatever the estimate says.",
    fix="Create the missing part in the listed regions (the topology component does, from the plan).",
    validate=validate,
)
