"""WebFirewall: an AWS WAF web ACL in front of a public ingress's load balancer in one region.

A public agent endpoint is the most abusable part of the system (every call costs model tokens), so a
public ingress gets, unless the spec turns it off (`ingress.waf.enabled: false`):

- a REGIONAL web ACL, default action allow, with the spec's AWS managed rule groups (by default the
  core rule set, known bad inputs and the Amazon IP reputation list), each run with its own actions
  (override action `none`), in the spec's order, then
- a rate-based rule: a client IP that sends more than `ingress.waf.rate_limit` requests in 5 minutes
  is blocked until its rate falls back under the limit (AWS WAF's minimum limit is 10; the window is
  300 s, one of the 60/120/300/600 s AWS WAF accepts);
- the association with the region's application load balancer;
- logging of every request the web ACL sees to a CloudWatch log group named `aws-waf-logs-…` (the
  prefix AWS WAF requires), encrypted with the region's key and kept `log_retention_days`, with the
  `authorization` and `cookie` headers redacted (callers' API keys and sessions stay out of the logs).
  AWS WAF adds the log group's resource policy for its log delivery itself when logging is enabled
  (AWS WAF API reference, PutLoggingConfiguration);
- two alarms on the `AWS/WAFV2` metrics (dimensions `WebACL`, `Region`, `Rule`): clients being rate
  limited (the rate rule's `BlockedRequests` above zero in 5 minutes) and blocks by any rule above 100
  in 5 minutes (`Rule=ALL`). Both notify the region's alert topic; neither fails a deployment or a
  region (a block is the firewall working, and an attack is not an outage).

One deliberate change to the core rule set: `SizeRestrictions_BODY` blocks every request whose body is
over 8 KB, which an agent's prompt or conversation history often is; it counts instead of blocking
(AWS WAF inspects the first 8 KB of every body either way, and the other rules still apply to it).

An NLB (a single-zone region's TLS load balancer) cannot take a web ACL: AWS WAF protects application
load balancers, not network load balancers; such a region stays without one and docs/policies.md says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, wafv2

from blueprints.plan import naming
from blueprints.plan.models import WafPlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.tags import TagContext

TOKEN = "agentha:aws:WebFirewall"

RATE_RULE = "rate-limit-per-ip"
BODY_SIZE_RULE = ("AWSManagedRulesCommonRuleSet", "SizeRestrictions_BODY")
BLOCKED_THRESHOLD = 100
"""Blocks by any rule in 5 minutes above which someone is told (a scan or an attack under way)."""
NAME_LIMIT = 128
LOG_PREFIX = "aws-waf-logs-"
REDACTED_HEADERS = ("authorization", "cookie")


@dataclass(frozen=True)
class WebFirewallArgs:
    plan: WafPlan
    agent: str
    """The ingress agent whose load balancer is protected."""
    region: str
    load_balancer_arn: pulumi.Input[str]
    tags: TagContext
    alarm_to: AlarmTarget
    key_arn: pulumi.Input[str]
    """The region's customer managed key; it encrypts the request logs."""
    log_retention_days: int = 30
    spec_path: str = "ingress.waf"


def metric_name(text: str) -> str:
    """A CloudWatch metric name AWS WAF accepts: A-Z a-z 0-9 - _, at most 128 characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)[:NAME_LIMIT]


def _visibility(name: str) -> wafv2.WebAclRuleVisibilityConfigArgs:
    return wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric_name(name), sampled_requests_enabled=True
    )


def managed_rule(group: str, priority: int) -> wafv2.WebAclRuleArgs:
    overrides = None
    if group == BODY_SIZE_RULE[0]:
        overrides = [
            wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                name=BODY_SIZE_RULE[1],
                action_to_use=wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                    count=wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                ),
            )
        ]
    return wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        override_action=wafv2.WebAclRuleOverrideActionArgs(none=wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                name=group, vendor_name="AWS", rule_action_overrides=overrides
            )
        ),
        visibility_config=_visibility(group),
    )


def rate_rule(plan: WafPlan, priority: int) -> wafv2.WebAclRuleArgs:
    return wafv2.WebAclRuleArgs(
        name=RATE_RULE,
        priority=priority,
        action=wafv2.WebAclRuleActionArgs(block=wafv2.WebAclRuleActionBlockArgs()),
        statement=wafv2.WebAclRuleStatementArgs(
            rate_based_statement=wafv2.WebAclRuleStatementRateBasedStatementArgs(
                aggregate_key_type="IP", limit=plan.rate_limit, evaluation_window_sec=plan.window_s
            )
        ),
        visibility_config=_visibility(RATE_RULE),
    )


class WebFirewall(pulumi.ComponentResource):
    """A WAF web ACL with managed rules and a per-IP rate limit on one region's ingress load balancer."""

    web_acl_arn: pulumi.Output[str]
    alarms: list[cloudwatch.MetricAlarm]

    def __init__(self, name: str, args: WebFirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        a = args
        system = a.tags.system
        child = pulumi.ResourceOptions(parent=self)
        acl_name = naming.fit(naming.join(a.tags.scope, a.agent, "waf", a.region), NAME_LIMIT)
        rules = [managed_rule(group, i) for i, group in enumerate(a.plan.managed_rule_groups)]
        rules.append(rate_rule(a.plan, len(rules)))
        acl = wafv2.WebAcl(
            naming.resource(system, a.agent, "waf", a.region),
            wafv2.WebAclArgs(
                name=acl_name,
                description=f"{system}: managed rules and a per-IP rate limit in front of {a.agent} in {a.region}",
                scope="REGIONAL",
                default_action=wafv2.WebAclDefaultActionArgs(allow=wafv2.WebAclDefaultActionAllowArgs()),
                rules=rules,
                visibility_config=wafv2.WebAclVisibilityConfigArgs(
                    cloudwatch_metrics_enabled=True, metric_name=metric_name(acl_name), sampled_requests_enabled=True
                ),
                region=a.region,
                tags=a.tags.tags(a.agent, "waf", region=a.region, spec_path=a.spec_path),
            ),
            opts=child,
        )
        wafv2.WebAclAssociation(
            naming.resource(system, a.agent, "waf-association", a.region),
            wafv2.WebAclAssociationArgs(resource_arn=a.load_balancer_arn, web_acl_arn=acl.arn, region=a.region),
            opts=child,
        )
        logs = cloudwatch.LogGroup(
            naming.resource(system, a.agent, "waf-logs", a.region),
            cloudwatch.LogGroupArgs(
                name=naming.fit(LOG_PREFIX + naming.join(a.tags.scope, a.agent), 512),
                retention_in_days=a.log_retention_days,
                kms_key_id=a.key_arn,
                region=a.region,
                tags=a.tags.tags(a.agent, "waf-log-group", region=a.region, spec_path=a.spec_path),
            ),
            opts=child,
        )
        wafv2.WebAclLoggingConfiguration(
            naming.resource(system, a.agent, "waf-logging", a.region),
            wafv2.WebAclLoggingConfigurationArgs(
                resource_arn=acl.arn,
                log_destination_configs=[logs.arn],
                redacted_fields=[
                    wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                        single_header=wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                    )
                    for header in REDACTED_HEADERS
                ],
                region=a.region,
            ),
            opts=child,
        )
        dims = {"WebACL": acl_name, "Region": a.region}
        window = a.plan.window_s
        self.alarms = [
            metric_alarm(
                a.alarm_to,
                part=a.agent,
                sli="waf-rate-limited",
                spec_path=f"{a.spec_path}.rate_limit",
                description=f"{a.agent} ({a.region}): AWS WAF is blocking clients over {a.plan.rate_limit} "
                f"requests per {window // 60} minutes per IP",
                namespace="AWS/WAFV2",
                metric="BlockedRequests",
                dimensions={**dims, "Rule": metric_name(RATE_RULE)},
                statistic="Sum",
                period=window,
                evaluation_periods=1,
                threshold=0,
                comparison="GreaterThanThreshold",
                parent=self,
            ),
            metric_alarm(
                a.alarm_to,
                part=a.agent,
                sli="waf-blocked",
                spec_path=a.spec_path,
                description=f"{a.agent} ({a.region}): AWS WAF blocked more than {BLOCKED_THRESHOLD} requests "
                f"in {window // 60} minutes (any rule)",
                namespace="AWS/WAFV2",
                metric="BlockedRequests",
                dimensions={**dims, "Rule": "ALL"},
                statistic="Sum",
                period=window,
                evaluation_periods=1,
                threshold=BLOCKED_THRESHOLD,
                comparison="GreaterThanThreshold",
                parent=self,
            ),
        ]
        self.web_acl_arn = acl.arn
        self.register_outputs({"web_acl_arn": self.web_acl_arn, "alarm_arns": [a.arn for a in self.alarms]})
