"""The registry: one rule per file, named after its id, ids unique and well formed, metadata complete."""

from __future__ import annotations

import importlib
import pkgutil

import policies.rules as package
from policies.model import ResourceRule, StackRule
from policies.registry import by_id, resource_rules, rules, stack_rules


def test_one_rule_per_file_named_after_its_id() -> None:
    modules = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    assert len(modules) == len(rules())
    for name in modules:
        rule = importlib.import_module(f"policies.rules.{name}").RULE
        assert rule.id == "agentha-" + name.replace("_", "-")


def test_metadata_is_complete() -> None:
    for rule in rules():
        assert rule.description.endswith(".") and len(rule.description) <= 120, rule.id
        assert rule.why and rule.fix, rule.id
        if isinstance(rule, ResourceRule):
            assert rule.types and all(":" in t for t in rule.types), rule.id
    assert {r.id for r in resource_rules()} | {r.id for r in stack_rules()} == {r.id for r in rules()}
    assert all(isinstance(r, StackRule) for r in stack_rules())


def test_the_issue_list_is_covered() -> None:
    for rule_id in (
        "agentha-aws-sqs-queue-require-dead-letter-queue",
        "agentha-aws-sqs-queue-cover-longest-step",
        "agentha-aws-ecs-service-spread-across-zones",
        "agentha-aws-ecs-service-enable-circuit-breaker",
        "agentha-aws-lb-load-balancer-span-planned-zones",
        "agentha-aws-dynamodb-table-enable-point-in-time-recovery",
        "agentha-aws-dynamodb-table-enable-encryption",
        "agentha-aws-dynamodb-table-enable-deletion-protection",
        "agentha-aws-dynamodb-table-replicate-planned-regions",
        "agentha-aws-rds-cluster-spread-instances-across-zones",
        "agentha-aws-rds-cluster-join-global-cluster",
        "agentha-aws-elasticache-replication-group-enable-automatic-failover",
        "agentha-aws-route53-record-require-health-check",
        "agentha-aws-cloudwatch-metric-alarm-cover-spec-slis",
        "agentha-aws-cloudwatch-metric-alarm-require-notification",
        "agentha-aws-iam-policy-disallow-wildcard-action",
        "agentha-aws-ec2-security-group-disallow-public-ingress",
        "agentha-aws-ecs-task-definition-disallow-plain-secrets",
        "agentha-kubernetes-workload-require-disruption-budget",
        "agentha-kubernetes-workload-spread-across-zones",
        "agentha-kubernetes-workload-require-probes",
        "agentha-kubernetes-workload-require-resources",
        "agentha-kubernetes-workload-disallow-root",
        "agentha-kubernetes-workload-disallow-token-automount",
        "agentha-kubernetes-workload-require-network-policy",
        "agentha-stack-part-cover-planned-regions",
        "agentha-stack-plan-meet-objectives",
        "agentha-stack-region-disallow-unplanned",
    ):
        assert by_id(rule_id)
    assert by_id("agentha-stack-plan-meet-objectives").enforcement == "mandatory"


def test_an_advisory_default_needs_its_reason_written_in_the_rule() -> None:
    import dataclasses

    import pytest

    mandatory = by_id("agentha-aws-kms-key-enable-rotation")
    with pytest.raises(ValueError, match="only for rules whose default is advisory"):
        dataclasses.replace(mandatory, advisory_reason="because")
    for rule in rules():
        assert (rule.enforcement == "advisory") == bool(rule.advisory_reason), rule.id


def test_the_availability_and_data_rules_reviewed_for_issue_13_are_mandatory() -> None:
    """Issue 13: advisory rules that protect availability or data were reviewed; these became mandatory,
    log retention stays advisory with its reason (a cost and privacy choice, no data or availability lost)."""
    for rule_id in (
        "agentha-aws-ecs-service-keep-full-capacity",
        "agentha-aws-ecs-service-enable-zone-rebalancing",
        "agentha-aws-kms-key-enable-rotation",
        "agentha-aws-ecs-task-definition-require-readonly-root",
        "agentha-aws-sns-topic-enable-encryption",
    ):
        assert by_id(rule_id).enforcement == "mandatory", rule_id
    retention = by_id("agentha-aws-cloudwatch-log-group-configure-retention")
    assert retention.enforcement == "advisory" and "cost and privacy" in retention.advisory_reason


def test_issue_13s_blind_spots_each_have_a_rule() -> None:
    for rule_id in (
        "agentha-aws-resource-policy-disallow-public-principal",
        "agentha-aws-iam-policy-disallow-wildcard-resource",
        "agentha-aws-iam-role-disallow-public-trust",
        "agentha-aws-ec2-vpc-restrict-default-security-group",
        "agentha-aws-cloudwatch-log-group-enable-encryption",
        "agentha-aws-ec2-subnet-disallow-public-ip",
        "agentha-aws-lb-load-balancer-drop-invalid-headers",
        "agentha-aws-ec2-route-table-use-own-zone-nat",
    ):
        assert by_id(rule_id).enforcement == "mandatory", rule_id
