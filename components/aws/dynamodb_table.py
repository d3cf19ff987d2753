"""DynamoTable: a `dynamodb` store — one table, a global table (version 2019.11.21) when multi-region.

The table lives in the primary region with a replica in each other planned region (`replicas`
blocks of the one table resource, each encrypted with its own region's key, with point-in-time
recovery and deletion protection of its own). `replication: sync` selects multi-region strong
consistency (every replica `consistency_mode: STRONG`): over three regions of one AWS region set, or
over two and a witness the plan places in a third region of their set (the spec rules allow only
these). On-demand capacity, so a failover never meets a provisioned-throughput ceiling.
Streams (new and old images) are on: global tables replicate through them.

Alarms: `ReplicationLatency` from every region to every other (asynchronous replication only: it is
the RPO of a region loss).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, dynamodb

from blueprints.plan import naming
from blueprints.plan.models import AlarmPlan, StorePlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:DynamoTable"
PITR_MAX_DAYS = 35


@dataclass(frozen=True)
class DynamoTableArgs:
    store: StorePlan
    tags: TagContext
    key_arns: Mapping[str, pulumi.Input[str]]
    topic_arns: Mapping[str, pulumi.Input[str]]
    alarms: AlarmPlan
    deletion_protection: bool = True


class DynamoTable(pulumi.ComponentResource):
    """A DynamoDB table with PITR, KMS, TTL and global-table replicas in the plan's other regions."""

    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]
    alarms: dict[str, list[cloudwatch.MetricAlarm]]

    def __init__(self, name: str, args: DynamoTableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.store
        primary = s.primary_region
        protect = args.deletion_protection and not s.cache
        path = spec_path("stores", s.name)
        attributes = [dynamodb.TableAttributeArgs(name=s.partition_key, type="S")]
        if s.sort_key:
            attributes.append(dynamodb.TableAttributeArgs(name=s.sort_key, type="S"))
        strong = s.replication == "sync" and len(s.replica_regions) > 0
        table = dynamodb.Table(
            naming.resource(args.tags.system, s.name, "table"),
            dynamodb.TableArgs(
                billing_mode="PAY_PER_REQUEST",
                hash_key=s.partition_key,
                range_key=s.sort_key,
                attributes=attributes,
                point_in_time_recovery=dynamodb.TablePointInTimeRecoveryArgs(
                    enabled=s.point_in_time_recovery,
                    recovery_period_in_days=min(s.backup_retention_days, PITR_MAX_DAYS)
                    if s.point_in_time_recovery
                    else None,
                ),
                server_side_encryption=dynamodb.TableServerSideEncryptionArgs(
                    enabled=True, kms_key_arn=args.key_arns[primary]
                ),
                ttl=dynamodb.TableTtlArgs(attribute_name=s.ttl_attribute, enabled=True) if s.ttl_attribute else None,
                deletion_protection_enabled=protect,
                stream_enabled=True if s.replica_regions else None,
                stream_view_type="NEW_AND_OLD_IMAGES" if s.replica_regions else None,
                replicas=[
                    dynamodb.TableReplicaArgs(
                        region_name=r,
                        kms_key_arn=args.key_arns[r],
                        point_in_time_recovery=s.point_in_time_recovery,
                        deletion_protection_enabled=protect,
                        propagate_tags=True,
                        consistency_mode="STRONG" if strong else None,
                    )
                    for r in s.replica_regions
                ]
                or None,
                # Two regions: the witness in a third region of their set holds the quorum's third vote.
                global_table_witness=dynamodb.TableGlobalTableWitnessArgs(region_name=s.witness_region)
                if strong and s.witness_region
                else None,
                region=primary,
                tags=args.tags.tags(s.name, "table", region=primary, spec_path=path),
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.table_name = table.name
        self.table_arn = table.arn
        # arn_in's Outputs; the key objects are held so that their ids stay theirs.
        self._arns: dict[tuple[str, int, int], tuple[Any, Any, pulumi.Output[str]]] = {}
        self.alarms = {r: [] for r in s.regions}
        lag = args.alarms.replication_lag_s
        if lag is not None and s.replication == "async":
            for source in s.regions:
                target = AlarmTarget(
                    region=source, tags=args.tags, scope=args.tags.scope, topic_arn=args.topic_arns[source]
                )
                for receiving in (r for r in s.regions if r != source):
                    self.alarms[source].append(
                        metric_alarm(
                            target,
                            part=s.name,
                            sli=f"replication-latency-to-{receiving}",
                            spec_path=path,
                            description=f"{s.name}: replication {source} → {receiving} slower than {lag:g}s "
                            "(a region loss now would lose that much)",
                            namespace="AWS/DynamoDB",
                            metric="ReplicationLatency",
                            dimensions={"TableName": table.name, "ReceivingRegion": receiving},
                            statistic="Average",
                            threshold=lag * 1000,
                            comparison="GreaterThanThreshold",
                            parent=self,
                        )
                    )
        self.register_outputs({"table_name": self.table_name, "table_arn": self.table_arn})

    def arn_in(self, region: str, account_id: pulumi.Input[str], partition: pulumi.Input[str]) -> pulumi.Output[str]:
        """The table's ARN in `region` (the replica there has the same name).

        One Output per region and account/partition pair, shared by every agent that uses the table
        there (an Output.all of three is seven Outputs; the same value, the same dependencies)."""
        key = (region, id(account_id), id(partition))
        if key not in self._arns:
            self._arns[key] = (
                account_id,
                partition,
                pulumi.Output.all(self.table_name, account_id, partition).apply(
                    lambda v: f"arn:{v[2]}:dynamodb:{region}:{v[1]}:table/{v[0]}"
                ),
            )
        return self._arns[key][2]
