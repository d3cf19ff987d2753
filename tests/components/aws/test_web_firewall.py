"""WebFirewall: the WAF web ACL, its association, logging and alarms on a public ingress's ALB."""

from __future__ import annotations

import pytest

from components.aws.web_firewall import RATE_RULE, metric_name
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import graph, tags

ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LB = "aws:lb/loadBalancer:LoadBalancer"


def acls(g: ResourceGraph) -> dict[str, CapturedResource]:
    return {r.inputs["region"]: r for r in g.of_type(ACL)}


def test_every_public_alb_region_gets_a_regional_web_acl_with_managed_rules_and_a_rate_limit() -> None:
    g = graph("support-agent@prod")
    public = {r.inputs["region"]: r for r in g.of_type(LB) if r.inputs["internal"] is False}
    built = acls(g)
    assert set(built) == set(public) == {"us-east-1", "us-west-2"}
    for region, acl in built.items():
        i = acl.inputs
        assert i["scope"] == "REGIONAL" and i["defaultAction"] == {"allow": {}}
        rules = sorted(i["rules"], key=lambda r: r["priority"])
        assert [r["priority"] for r in rules] == list(range(len(rules)))  # unique, in the spec's order
        managed = [r["statement"]["managedRuleGroupStatement"] for r in rules[:-1]]
        assert [m["name"] for m in managed] == [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ]
        assert all(m["vendorName"] == "AWS" for m in managed)
        assert all(r["overrideAction"] == {"none": {}} and "action" not in r for r in rules[:-1])
        # Agent prompts are often over 8 KB: the core rule set's body-size rule counts, it does not block.
        assert managed[0]["ruleActionOverrides"] == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
        rate = rules[-1]
        assert rate["name"] == RATE_RULE and rate["action"] == {"block": {}}
        assert rate["statement"]["rateBasedStatement"] == {
            "aggregateKeyType": "IP",
            "limit": 1000,
            "evaluationWindowSec": 300,
        }
        for rule in rules:
            assert rule["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
        assert i["visibilityConfig"]["metricName"] == metric_name(i["name"])
        association = next(r for r in g.of_type(ASSOCIATION) if r.inputs["region"] == region)
        assert association.property_dependencies["resourceArn"] == (public[region].urn,)
        assert association.property_dependencies["webAclArn"] == (acl.urn,)


def test_requests_are_logged_encrypted_without_credentials() -> None:
    g = graph("support-agent@prod")
    for region, acl in acls(g).items():
        logging = next(r for r in g.of_type(LOGGING) if r.inputs["region"] == region)
        assert logging.property_dependencies["resourceArn"] == (acl.urn,)
        (group_urn,) = logging.property_dependencies["logDestinationConfigs"]
        group = g.by_urn(group_urn)
        assert group is not None and group.inputs["name"].startswith("aws-waf-logs-")
        assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 30
        assert {f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]} == {"authorization", "cookie"}


def test_rate_limiting_and_blocks_are_alarmed_on_the_metrics_waf_publishes() -> None:
    g = graph("support-agent@prod")
    for region, acl in acls(g).items():
        rule_metrics = {r["visibilityConfig"]["metricName"] for r in acl.inputs["rules"]}
        alarms = [
            r for r in g.of_type(ALARM) if r.inputs.get("namespace") == "AWS/WAFV2" and r.inputs["region"] == region
        ]
        assert len(alarms) == 2
        for alarm in alarms:
            dims = alarm.inputs["dimensions"]
            assert alarm.inputs["metricName"] == "BlockedRequests" and alarm.inputs["statistic"] == "Sum"
            assert dims["WebACL"] == acl.inputs["name"] and dims["Region"] == region
            assert dims["Rule"] == "ALL" or dims["Rule"] in rule_metrics
            assert alarm.inputs["alarmActions"]  # someone is told
            assert alarm.inputs["treatMissingData"] == "notBreaching"  # WAF publishes nothing while nothing is blocked
        assert {a.inputs["dimensions"]["Rule"] for a in alarms} == {"ALL", metric_name(RATE_RULE)}


def test_firewall_alarms_stay_out_of_region_health() -> None:
    g = graph("support-agent@prod")
    waf_alarm_names = {r.inputs["name"] for r in g.of_type(ALARM) if r.inputs.get("namespace") == "AWS/WAFV2"}
    for composite in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm"):
        assert not any(name in composite.inputs["alarmRule"] for name in waf_alarm_names)


def test_the_spec_tunes_the_rate_limit_and_rule_groups() -> None:
    (acl,) = graph("waf-tuned").of_type(ACL)
    rules = sorted(acl.inputs["rules"], key=lambda r: r["priority"])
    assert [r["name"] for r in rules] == ["AWSManagedRulesKnownBadInputsRuleSet", RATE_RULE]
    assert rules[-1]["statement"]["rateBasedStatement"]["limit"] == 50
    assert "ruleActionOverrides" not in rules[0]["statement"]["managedRuleGroupStatement"]
    assert tags(acl)["agentha:spec-path"] == "ingress.waf"


@pytest.mark.parametrize("case", ["waf-off", "order-routing@prod"])
def test_no_web_acl_when_turned_off_or_the_ingress_is_private(case: str) -> None:
    g = graph(case)
    assert g.of_type(ACL, ASSOCIATION, LOGGING) == []
