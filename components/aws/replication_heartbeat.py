"""ReplicationHeartbeat: a fail-closed signal that a DynamoDB global table still replicates.

`ReplicationLatency` cannot say that replication stopped: CloudWatch alarms on metrics in the
AWS/DynamoDB namespace always ignore missing data, whatever `treat_missing_data` says (CloudWatch
API reference, PutMetricAlarm `TreatMissingData`), and a stalled replication publishes no latency at
all. So the table's alarms stayed OK exactly when the region-loss RPO was growing without bound.

The signal built here, per asynchronous global table with a replication-lag alarm:

- a **writer** in every region of the table: an EventBridge Scheduler schedule, every minute,
  whose universal target `aws-sdk:dynamodb:putItem` writes one item per source region
  (`<partition key> = agentha-heartbeat#<region>`) stamped with `<aws.scheduler.scheduled-time>`
  (a changed item, so DynamoDB streams and replicates it; an unchanged PutItem writes no stream
  record). No code;
- a **checker** in every region: a small Lambda function, invoked every minute by a schedule,
  that reads the other regions' heartbeat items from its local replica and publishes their age
  (`agentha/Replication` `HeartbeatAge`, dimensions `TableName`, `SourceRegion`);
- an **alarm** per (source, receiving region) on that age, above the spec's lag plus the heartbeat
  period, that treats missing data as breaching (custom namespace: it does): a writer that stops,
  replication that stops, a checker that fails or a region whose metrics stop all read as ALARM.

Why this and not the alternatives: DynamoDB has no replication-health metric outside its own
namespace, and a metric math alarm over `ReplicationLatency` is still an alarm on AWS/DynamoDB
metrics. Something has to read the replica; a Lambda function is the smallest deployable reader
(EventBridge Pipes into CloudWatch Logs with a metric filter would count arrivals but not age).

Least privilege and encryption: the scheduler role may `dynamodb:PutItem` on this table in its
region for the heartbeat keys only (`dynamodb:LeadingKeys`) and invoke this checker; the checker
may `dynamodb:GetItem` those keys, publish to the `agentha/Replication` namespace only
(`cloudwatch:namespace`) and write its own log group (encrypted with the region key, retained 30
days); KMS use of the region key only through DynamoDB (`kms:ViaService`). Both roles trust their
service for this account only. The schedules' input (a table name and keys, no secret) is encrypted
at rest with an AWS owned key (EventBridge Scheduler's default). The heartbeat items live in the
user's table (one per region, overwritten each minute): code that scans the table sees them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, iam, lambda_, scheduler

from blueprints.plan import naming
from blueprints.plan.models import StorePlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.lift import lift
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:ReplicationHeartbeat"

KEY_PREFIX = "agentha-heartbeat#"
NAMESPACE = "agentha/Replication"
METRIC = "HeartbeatAge"
PERIOD_S = 60
"""Heartbeats are written and checked every minute."""
LOG_RETENTION_DAYS = 30
RUNTIME = "python3.12"

CHECKER_CODE = '''"""Publish the age of the other regions' replication heartbeats, read from this region's replica."""
import datetime

import boto3

DYNAMODB = boto3.client("dynamodb")
CLOUDWATCH = boto3.client("cloudwatch")


def handler(event, context):
    now = datetime.datetime.now(datetime.timezone.utc)
    data = []
    for source in event["sources"]:
        key = {name: {"S": event["prefix"] + source} for name in event["keys"]}
        item = DYNAMODB.get_item(TableName=event["table"], Key=key, ConsistentRead=True).get("Item")
        if item is None:
            continue  # never arrived: no datapoint, and the alarm reads missing data as breaching
        written = datetime.datetime.fromisoformat(item["written_at"]["S"].replace("Z", "+00:00"))
        data.append(
            {
                "MetricName": event["metric"],
                "Dimensions": [
                    {"Name": "TableName", "Value": event["table"]},
                    {"Name": "SourceRegion", "Value": source},
                ],
                "Value": max(0.0, (now - written).total_seconds()),
                "Unit": "Seconds",
            }
        )
    if data:
        CLOUDWATCH.put_metric_data(Namespace=event["namespace"], MetricData=data)
    return {"published": len(data)}
'''
"""The checker's whole source (index.py): a failed read or a missing item publishes nothing."""


def heartbeat_key(region: str) -> str:
    return f"{KEY_PREFIX}{region}"


def age_threshold_s(lag_s: float) -> float:
    """Heartbeat age that means replication is slower than the spec allows: the allowed lag plus one
    heartbeat period (an item is up to one period old when it is written) plus one checker period."""
    return lag_s + 2 * PERIOD_S


def watched(store: StorePlan, lag_s: float | None) -> bool:
    """Tables that get a heartbeat: DynamoDB, replicated asynchronously, with a lag objective."""
    return (
        store.engine == "dynamodb"
        and store.replication == "async"
        and bool(store.replica_regions)
        and (lag_s is not None)
    )


@dataclass(frozen=True)
class ReplicationHeartbeatArgs:
    store: StorePlan
    tags: TagContext
    table_name: pulumi.Input[str]
    table_arns: Mapping[str, pulumi.Input[str]]
    """The table's ARN in each region (the replica has the table's name)."""
    key_arns: Mapping[str, pulumi.Input[str]]
    topic_arns: Mapping[str, pulumi.Input[str]]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    lag_s: float
    """The spec's replication-lag objective (observability.alarms.replication_lag)."""


class ReplicationHeartbeat(pulumi.ComponentResource):
    """Heartbeat writers, checkers and fail-closed age alarms of one DynamoDB global table."""

    alarms: dict[str, list[cloudwatch.MetricAlarm]]
    """Per receiving region: one heartbeat-age alarm per other region of the table."""

    def __init__(self, name: str, args: ReplicationHeartbeatArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        s = args.store
        self.alarms = {r: [] for r in s.regions}
        for region in s.regions:
            self._region(region)
        self.register_outputs({})

    def _region(self, region: str) -> None:
        a = self._args
        s = a.store
        system = a.tags.system
        path = spec_path("stores", s.name)
        code = naming.region_code(region)
        child = pulumi.ResourceOptions(parent=self)
        keys = [s.partition_key] + ([s.sort_key] if s.sort_key else [])
        sources = [r for r in s.regions if r != region]
        leading = [heartbeat_key(r) for r in s.regions]
        via_dynamodb = {"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}}
        tags = a.tags.tags(s.name, "replication-heartbeat", region=region, spec_path=path)

        # --- the checker ---------------------------------------------------------------------------
        function_name = naming.physical(a.tags.scope, s.name, "heartbeat", "iam-role", code)
        log_group = cloudwatch.LogGroup(
            naming.resource(system, s.name, "heartbeat-logs", region),
            cloudwatch.LogGroupArgs(
                name=f"/aws/lambda/{function_name}",
                retention_in_days=LOG_RETENTION_DAYS,
                kms_key_id=a.key_arns[region],
                region=region,
                tags=tags,
            ),
            opts=child,
        )
        checker_role = iam.Role(
            naming.resource(system, s.name, "heartbeat-checker-role", region),
            iam.RoleArgs(
                name=naming.physical(a.tags.scope, s.name, "heartbeat-check", "iam-role", code),
                description=f"{system}: reads {s.name}'s replication heartbeats in {region}",
                assume_role_policy=trust_policy("lambda.amazonaws.com", a.account_id),
                tags=tags,
            ),
            opts=child,
        )
        checker_policy = iam.RolePolicy(
            naming.resource(system, s.name, "heartbeat-checker-policy", region),
            iam.RolePolicyArgs(
                role=checker_role.id,
                policy=policy_json(
                    [
                        Statement(
                            "ReadHeartbeats",
                            ("dynamodb:GetItem",),
                            [a.table_arns[region]],
                            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": leading}},
                        ),
                        Statement(
                            "DecryptThroughDynamoDB",
                            ("kms:Decrypt", "kms:DescribeKey"),
                            [a.key_arns[region]],
                            via_dynamodb,
                        ),
                        Statement(
                            "PublishHeartbeatAge",
                            ("cloudwatch:PutMetricData",),
                            ["*"],  # PutMetricData takes no resource; the namespace condition scopes it
                            {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
                        ),
                        Statement(
                            "WriteOwnLogs",
                            ("logs:CreateLogStream", "logs:PutLogEvents"),
                            [log_group.arn.apply(lambda arn: f"{arn}:*")],
                        ),
                    ]
                ),
            ),
            opts=child,
        )
        function = lambda_.Function(
            naming.resource(system, s.name, "heartbeat-checker", region),
            lambda_.FunctionArgs(
                name=function_name,
                description=f"{system}: publishes the age of {s.name}'s replication heartbeats in {region}",
                runtime=RUNTIME,
                architectures=["arm64"],
                handler="index.handler",
                code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(CHECKER_CODE)}),
                role=checker_role.arn,
                timeout=20,
                memory_size=128,
                logging_config=lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=log_group.name),
                region=region,
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[checker_policy, log_group]),
        )

        # --- the scheduler role (writes this region's heartbeat, invokes the checker) --------------
        schedule_role = iam.Role(
            naming.resource(system, s.name, "heartbeat-schedule-role", region),
            iam.RoleArgs(
                name=naming.physical(a.tags.scope, s.name, "heartbeat-sched", "iam-role", code),
                description=f"{system}: writes {s.name}'s replication heartbeat in {region} and runs its checker",
                assume_role_policy=trust_policy("scheduler.amazonaws.com", a.account_id),
                tags=tags,
            ),
            opts=child,
        )
        schedule_policy = iam.RolePolicy(
            naming.resource(system, s.name, "heartbeat-schedule-policy", region),
            iam.RolePolicyArgs(
                role=schedule_role.id,
                policy=policy_json(
                    [
                        Statement(
                            "WriteOwnHeartbeat",
                            ("dynamodb:PutItem",),
                            [a.table_arns[region]],
                            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [heartbeat_key(region)]}},
                        ),
                        Statement(
                            "EncryptThroughDynamoDB",
                            ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"),
                            [a.key_arns[region]],
                            via_dynamodb,
                        ),
                        Statement("RunChecker", ("lambda:InvokeFunction",), [function.arn]),
                    ]
                ),
            ),
            opts=child,
        )
        item = {k: {"S": heartbeat_key(region)} for k in keys}
        item["written_at"] = {"S": "<aws.scheduler.scheduled-time>"}
        once = scheduler.ScheduleTargetRetryPolicyArgs(maximum_event_age_in_seconds=PERIOD_S, maximum_retry_attempts=0)
        scheduler.Schedule(
            naming.resource(system, s.name, "heartbeat-writer", region),
            scheduler.ScheduleArgs(
                name=naming.physical(a.tags.scope, s.name, "heartbeat-write", "iam-role", code),
                description=f"{system}: {s.name} replication heartbeat from {region}",
                schedule_expression=f"rate({PERIOD_S // 60} minute)",
                flexible_time_window=scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=scheduler.ScheduleTargetArgs(
                    # EventBridge Scheduler's universal target: the DynamoDB PutItem API, no code.
                    arn=lift(a.partition, lambda p: f"arn:{p}:scheduler:::aws-sdk:dynamodb:putItem"),
                    role_arn=schedule_role.arn,
                    input=lift(
                        a.table_name,
                        lambda table, item=item: json.dumps({"TableName": table, "Item": item}, sort_keys=True),
                    ),
                    retry_policy=once,
                ),
                region=region,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[schedule_policy]),
        )
        scheduler.Schedule(
            naming.resource(system, s.name, "heartbeat-check", region),
            scheduler.ScheduleArgs(
                name=naming.physical(a.tags.scope, s.name, "heartbeat-check", "iam-role", code),
                description=f"{system}: {s.name} replication heartbeat check in {region}",
                schedule_expression=f"rate({PERIOD_S // 60} minute)",
                flexible_time_window=scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=scheduler.ScheduleTargetArgs(
                    arn=function.arn,
                    role_arn=schedule_role.arn,
                    input=lift(
                        a.table_name,
                        lambda table, sources=sources, keys=keys: json.dumps(
                            {
                                "table": table,
                                "keys": keys,
                                "prefix": KEY_PREFIX,
                                "sources": sources,
                                "namespace": NAMESPACE,
                                "metric": METRIC,
                            },
                            sort_keys=True,
                        ),
                    ),
                    retry_policy=once,
                ),
                region=region,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[schedule_policy]),
        )

        # --- the alarms: missing data is breaching ---------------------------------------------------
        target = AlarmTarget(region=region, tags=a.tags, scope=a.tags.scope, topic_arn=a.topic_arns[region])
        threshold = age_threshold_s(a.lag_s)
        for source in sources:
            self.alarms[region].append(
                metric_alarm(
                    target,
                    part=s.name,
                    sli=f"replication-heartbeat-from-{source}",
                    spec_path=path,
                    description=f"{s.name}: the heartbeat written in {source} is older than {threshold:g}s in "
                    f"{region}, or none arrives — replication {source} → {region} is slower than {a.lag_s:g}s or "
                    "has stopped (a region loss now would lose that much)",
                    namespace=NAMESPACE,
                    metric=METRIC,
                    dimensions={"TableName": a.table_name, "SourceRegion": source},
                    statistic="Maximum",
                    threshold=threshold,
                    comparison="GreaterThanThreshold",
                    period=PERIOD_S,
                    evaluation_periods=3,
                    missing="breaching",
                    parent=self,
                )
            )
