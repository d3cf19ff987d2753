"""DurableQueue: one spec queue in one region — an SQS queue, its dead-letter queue, policies, alarms.

The dead-letter queue is of the same kind (FIFO queues keep FIFO dead letters: SQS requires it),
keeps messages at least as long as the queue (the planner guarantees it), and accepts redrives only
from its own queue. Both queues are encrypted with the region's customer managed key and refuse any
request without TLS. The queue exists in every region the plan names, standby regions included, so
a failover finds its queue ready. Physical names come from the plan (FIFO names end in `.fifo`).

Alarms: the age of the oldest message (consumers falling behind) and messages visible in the
dead-letter queue (messages that failed `max_receive_count` times).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, sqs

from blueprints.plan import naming
from blueprints.plan.models import AlarmPlan, QueuePlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.iam import deny_without_tls
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:DurableQueue"
LONG_POLL_S = 20
"""Receive waits up to 20 s for a message (long polling: fewer empty receives)."""
KMS_REUSE_S = 300
"""SQS re-uses a data key for 5 minutes (the default), bounding KMS calls."""


@dataclass(frozen=True)
class DurableQueueArgs:
    queue: QueuePlan
    region: str
    tags: TagContext
    key_arn: pulumi.Input[str]
    topic_arn: pulumi.Input[str]
    alarms: AlarmPlan


def deny_insecure_transport(queue_arn: str) -> str:
    """Queue policy: refuse every request that does not use TLS."""
    return json.dumps({"Version": "2012-10-17", "Statement": [deny_without_tls("sqs:*", queue_arn)]})


class DurableQueue(pulumi.ComponentResource):
    """A queue and its dead-letter queue of the same kind, encrypted, TLS-only, with alarms."""

    queue_arn: pulumi.Output[str]
    queue_url: pulumi.Output[str]
    queue_name: pulumi.Output[str]
    dead_letter_arn: pulumi.Output[str]
    dead_letter_url: pulumi.Output[str]
    dead_letter_name: pulumi.Output[str]
    alarms: list[cloudwatch.MetricAlarm]
    dead_letter_alarm: cloudwatch.MetricAlarm | None

    def __init__(self, name: str, args: DurableQueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        q = args.queue
        region = args.region
        system = args.tags.system
        child = pulumi.ResourceOptions(parent=self)
        path = spec_path("queues", q.name)

        def sqs_queue(
            role: str,
            physical_name: str,
            retention_s: float,
            *,
            receive_wait_s: int | None = None,
            redrive_policy: pulumi.Input[str] | None = None,
        ) -> sqs.Queue:
            """The queue or its dead-letter queue: both of the queue's kind (SQS requires a FIFO queue's
            dead letters to be FIFO) and encrypted with the region's key."""
            return sqs.Queue(
                naming.resource(system, q.name, role, region),
                sqs.QueueArgs(
                    name=physical_name,
                    fifo_queue=q.fifo or None,
                    # Exactly-once enqueue for producers that send no deduplication id of their own.
                    content_based_deduplication=True if q.fifo else None,
                    visibility_timeout_seconds=int(q.visibility_timeout_s),
                    message_retention_seconds=int(retention_s),
                    receive_wait_time_seconds=receive_wait_s,
                    redrive_policy=redrive_policy,
                    kms_master_key_id=args.key_arn,
                    kms_data_key_reuse_period_seconds=KMS_REUSE_S,
                    region=region,
                    tags=args.tags.tags(q.name, role, region=region, spec_path=path),
                ),
                opts=child,
            )

        dlq = sqs_queue("dlq", q.dead_letter_physical_name, q.dead_letter_retention_s)
        queue = sqs_queue(
            "queue",
            q.physical_name,
            q.retention_s,
            receive_wait_s=LONG_POLL_S,
            redrive_policy=dlq.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": q.max_receive_count})
            ),
        )
        sqs.RedriveAllowPolicy(
            naming.resource(system, q.name, "dlq-redrive-allow", region),
            sqs.RedriveAllowPolicyArgs(
                queue_url=dlq.url,
                redrive_allow_policy=queue.arn.apply(
                    lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
                ),
                region=region,
            ),
            opts=child,
        )
        for role, target in (("queue", queue), ("dlq", dlq)):
            sqs.QueuePolicy(
                naming.resource(system, q.name, f"{role}-policy", region),
                sqs.QueuePolicyArgs(
                    queue_url=target.url, policy=target.arn.apply(deny_insecure_transport), region=region
                ),
                opts=child,
            )

        alarm_to = AlarmTarget(region=region, tags=args.tags, scope=args.tags.scope, topic_arn=args.topic_arn)
        self.alarms = []
        self.dead_letter_alarm = None
        if args.alarms.oldest_message_age_s is not None:
            self.alarms.append(
                metric_alarm(
                    alarm_to,
                    part=q.name,
                    sli="oldest-message-age",
                    spec_path=path,
                    description=f"{q.name} ({region}): oldest message older than "
                    f"{args.alarms.oldest_message_age_s:g}s — consumers are falling behind",
                    namespace="AWS/SQS",
                    metric="ApproximateAgeOfOldestMessage",
                    dimensions={"QueueName": queue.name},
                    threshold=args.alarms.oldest_message_age_s,
                    comparison="GreaterThanThreshold",
                    parent=self,
                )
            )
        if args.alarms.dead_letters is not None:
            self.dead_letter_alarm = metric_alarm(
                alarm_to,
                part=q.name,
                sli="dead-letters",
                spec_path=path,
                description=f"{q.name} ({region}): {args.alarms.dead_letters}+ messages in the dead-letter queue",
                namespace="AWS/SQS",
                metric="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": dlq.name},
                threshold=args.alarms.dead_letters,
                comparison="GreaterThanOrEqualToThreshold",
                evaluation_periods=1,
                parent=self,
            )
            self.alarms.append(self.dead_letter_alarm)

        self.queue_arn = queue.arn
        self.queue_url = queue.url
        self.queue_name = queue.name
        self.dead_letter_arn = dlq.arn
        self.dead_letter_url = dlq.url
        self.dead_letter_name = dlq.name
        self.register_outputs(
            {
                "queue_arn": self.queue_arn,
                "queue_url": self.queue_url,
                "dead_letter_arn": self.dead_letter_arn,
                "dead_letter_url": self.dead_letter_url,
            }
        )
