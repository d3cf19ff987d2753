"""Every example, in every environment, passes every rule with zero violations (advisory included)."""

from __future__ import annotations

import pytest

from policies.engine import evaluate
from policies.registry import rules
from tests.policies.graphs import BASES, base

COMPLIANT = sorted(BASES)


@pytest.mark.parametrize("key", COMPLIANT)
def test_compliant_graph_has_no_violation(key: str) -> None:
    graph, context = base(key)
    assert context.plan.objectives_met
    report = evaluate(graph, context)
    assert [v.message for v in report.violations] == []
    assert report.passed
    # The rules really looked at this graph: every resource rule whose types occur in it ran.
    types = {r.type for r in graph}
    for result in report.results:
        if result.rule.kind == "resource" and types & set(getattr(result.rule, "types", ())):
            assert result.checked > 0, result.rule.id


def test_both_targets_and_every_engine_are_covered() -> None:
    kinds = set()
    for key in COMPLIANT:
        graph, _ = base(key)
        kinds |= {r.type for r in graph}
    for needed in (
        "aws:dynamodb/table:Table",
        "aws:rds/cluster:Cluster",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication",
        "kubernetes:rabbitmq.com/v1beta1:Queue",
    ):
        assert needed in kinds
    # Every resource rule meets at least one resource of its types in the compliant bases.
    unused = [r.id for r in rules() if r.kind == "resource" and not kinds & set(getattr(r, "types", ()))]
    assert unused == [
        "agentha-aws-secretsmanager-secret-version-disallow-inline-value",
        "agentha-kubernetes-secret-disallow-inline-data",
    ]
