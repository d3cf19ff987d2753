"""RegionKey: the customer managed KMS key one region's queues, tables, secrets, logs and alerts use.

One key per region (rotation on), because SQS, DynamoDB replicas, Secrets Manager replicas and
CloudWatch Logs all need a key in their own region. The key policy lists every action explicitly
(no `kms:*`): the account's administrators manage the key and IAM policies grant its use;
CloudWatch Logs may use it for this region's log groups only, and CloudWatch may use it to publish
alarms to the encrypted alert topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import kms

from blueprints.plan import naming
from components.aws.tags import TagContext

TOKEN = "agentha:aws:RegionKey"

# Administration and use, delegated to IAM: the account root may do these, IAM policies decide who.
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:ListRetirableGrants",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
LOGS_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
ALARM_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class RegionKeyArgs:
    region: str
    tags: TagContext
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    dsql: bool = False
    """The region holds an Aurora DSQL cluster encrypted with this key: let the DSQL service use it."""


DSQL_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
"""What Aurora DSQL does with a customer managed key (envelope encryption of the cluster's data keys)."""


def key_policy(region: str, account_id: str, partition: str, dsql: bool = False) -> dict[str, Any]:
    """The key policy document (plain data; unit-tested for explicit actions)."""
    root = f"arn:{partition}:iam::{account_id}:root"
    extra: list[dict[str, Any]] = []
    if dsql:
        # Aurora DSQL uses a customer managed key through its service principal. The DSQL user guide
        # ("Data encryption", "Key policy for a customer managed key") requires Encrypt, Decrypt,
        # ReEncrypt*, GenerateDataKey and DescribeKey, and pins its example to the cluster with
        # aws:SourceArn. The key exists before its cluster, so the pin is every cluster of this
        # account in this region (the key is regional: only this region's clusters use it).
        extra.append(
            {
                "Sid": "AuroraDsqlEncryptsThisAccountsClusters",
                "Effect": "Allow",
                "Principal": {"Service": "dsql.amazonaws.com"},
                "Action": list(DSQL_ACTIONS),
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:{partition}:dsql:{region}:{account_id}:cluster/*"}},
            }
        )
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKeyAndIamGrantsUse",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": list(ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsOfThisRegion",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": list(LOGS_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
                    }
                },
            },
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": list(ALARM_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            *extra,
        ],
    }


class RegionKey(pulumi.ComponentResource):
    """A rotating customer managed key and its alias in one region."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: RegionKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        system = args.tags.system
        policy = pulumi.Output.all(args.account_id, args.partition).apply(
            lambda v: json.dumps(key_policy(args.region, v[0], v[1], args.dsql))
        )
        key = kms.Key(
            naming.resource(system, "key", None, args.region),
            kms.KeyArgs(
                description=f"{system}: queues, tables, secrets, logs and alerts in {args.region}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=policy,
                region=args.region,
                tags=args.tags.tags("encryption", "kms-key", region=args.region, spec_path="metadata"),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        alias = kms.Alias(
            naming.resource(system, "key-alias", None, args.region),
            kms.AliasArgs(name=f"alias/agentha/{args.tags.scope}", target_key_id=key.key_id, region=args.region),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})
