"""AlertTopic: one region's SNS topic for alarms, encrypted with the region's key, with email subscribers.

CloudWatch alarms in the region publish here (the topic policy allows exactly that, from this
account, over TLS). Each address in `observability.notify.email` gets a subscription that stays
pending until its owner confirms the email AWS sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
from pulumi_aws import sns

from blueprints.plan import naming
from components.aws.iam import deny_without_tls
from components.aws.tags import TagContext

TOKEN = "agentha:aws:AlertTopic"


@dataclass(frozen=True)
class AlertTopicArgs:
    region: str
    tags: TagContext
    key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    emails: tuple[str, ...] = ()


def topic_policy(topic_arn: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                deny_without_tls("sns:Publish", topic_arn),
            ],
        }
    )


class AlertTopic(pulumi.ComponentResource):
    """The encrypted alert topic of one region and its email subscriptions."""

    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlertTopicArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        system = args.tags.system
        child = pulumi.ResourceOptions(parent=self)
        tags = args.tags.tags("observability", "alert-topic", region=args.region, spec_path="observability.notify")
        topic = sns.Topic(
            naming.resource(system, "alerts", "topic", args.region),
            sns.TopicArgs(
                display_name=f"{system} alerts ({args.region})",
                kms_master_key_id=args.key_arn,
                region=args.region,
                tags=tags,
            ),
            opts=child,
        )
        sns.TopicPolicy(
            naming.resource(system, "alerts", "topic-policy", args.region),
            sns.TopicPolicyArgs(
                arn=topic.arn,
                policy=pulumi.Output.all(topic.arn, args.account_id).apply(lambda v: topic_policy(v[0], v[1])),
                region=args.region,
            ),
            opts=child,
        )
        for i, email in enumerate(args.emails):
            sns.TopicSubscription(
                naming.resource(system, "alerts", f"email-{i}", args.region),
                sns.TopicSubscriptionArgs(topic=topic.arn, protocol="email", endpoint=email, region=args.region),
                opts=child,
            )
        self.topic_arn = topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})
