"""AccessLogBucket: the S3 bucket one region's application load balancers write their access logs to.

Spec `observability.access_logs` (on by default outside the `dev` environment). Elastic Load Balancing
writes a gzip file per load balancer node every 5 minutes under `<prefix>/AWSLogs/<account>/`; each
load balancer gets its agent's name as its prefix. The bucket:

- is encrypted with S3 managed keys (SSE-S3, AES256): the only server-side encryption ALB access
  log delivery supports (ELB user guide, "Enable access logs", bucket requirements), so not the
  region's KMS key;
- blocks every form of public access, owns every object (BucketOwnerEnforced: ACLs are off), keeps
  versions (a deleted or overwritten log file stays recoverable until the lifecycle removes it) and
  refuses any request made without TLS;
- lets only Elastic Load Balancing write, and only under each load balancer's own
  `<prefix>/AWSLogs/<account>/` path: in regions available before August 2022 the principal is the
  region's Elastic Load Balancing account; in later regions the log delivery service principal
  (blueprints/data/elb_log_delivery.yaml, with its source). The user guide's policies carry no
  aws:SourceAccount/aws:SourceArn condition for either, so none is added (a condition the delivery
  does not send would make every write fail); the account in the object path pins whose logs land;
- expires log files after the spec's retention, non-current versions a day later, and clears
  expired delete markers and abandoned multipart uploads;
- is kept like state: never force-destroyed, and Pulumi `protect` when the stack has deletion
  protection on (stack config `agentha:deletionProtection`, default on).

Elastic Load Balancing checks that it can write when access logs are turned on (it writes a test
file), so each load balancer depends on the bucket policy (`policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pulumi
import yaml
from pulumi_aws import s3

from blueprints.plan import naming
from blueprints.plan.models import AccessLogPlan
from components.aws.buckets import private_bucket, tls_only_policy
from components.aws.tags import TagContext

TOKEN = "agentha:aws:AccessLogBucket"
SPEC_PATH = "observability.access_logs"
BUCKET_PREFIX_LIMIT = 37
"""S3's limit on `bucket_prefix` (the provider appends a 26-character unique suffix to reach 63)."""
EVERYTHING = s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")


@cache
def _delivery_table() -> dict[str, Any]:
    text = resources.files("blueprints").joinpath("data/elb_log_delivery.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def supported(region: str) -> bool:
    """Whether this blueprint knows who delivers access logs in `region` (China regions: not yet)."""
    return not any(region.startswith(p) for p in _delivery_table()["unsupported_prefixes"])


def log_delivery_principal(region: str, partition: str) -> dict[str, str]:
    """The bucket policy's principal for `region`: the region's Elastic Load Balancing account in regions
    available before August 2022, the log delivery service principal in the others."""
    table = _delivery_table()
    if not supported(region):
        raise ValueError(f"region {region}: who delivers load balancer access logs is not known to this blueprint")
    account = table["legacy_accounts"].get(region)
    if account is not None:
        return {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {"Service": table["service_principal"]}


def bucket_policy(region: str, partition: str, account_id: str, bucket_arn: str, prefixes: Sequence[str]) -> str:
    """The bucket policy (JSON): Elastic Load Balancing writes under each prefix, nothing without TLS."""
    writes = {
        "Sid": "ElasticLoadBalancingWritesAccessLogs",
        "Effect": "Allow",
        "Principal": log_delivery_principal(region, partition),
        "Action": "s3:PutObject",
        "Resource": [f"{bucket_arn}/{p}/AWSLogs/{account_id}/*" for p in sorted(set(prefixes))],
    }
    return tls_only_policy(bucket_arn, allow=[writes])


@dataclass(frozen=True)
class AccessLogBucketArgs:
    plan: AccessLogPlan
    region: str
    prefixes: tuple[str, ...]
    """One prefix per load balancer writing here (its agent's name)."""
    tags: TagContext
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    deletion_protection: bool = True


class AccessLogBucket(pulumi.ComponentResource):
    """One region's S3 bucket for load balancer access logs, with its policy and lifecycle."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    policy: s3.BucketPolicy
    """What a load balancer writing here depends on (ELB checks its access when logging is turned on)."""

    def __init__(self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        a = args
        region = a.region
        system = a.tags.system
        if not supported(region):
            raise ValueError(f"region {region}: load balancer access logs are not supported there by this blueprint")
        tags = a.tags.tags("observability", "access-log-bucket", region=region, spec_path=SPEC_PATH)
        prefix = naming.fit(naming.join(a.tags.scope, "lb-logs", naming.region_code(region)), BUCKET_PREFIX_LIMIT - 1)
        made = private_bucket(
            lambda role: naming.resource(system, "access-logs", role, region),
            parent=self,
            region=region,
            bucket_prefix=f"{prefix}-",
            tags=tags,
            kms_key_arn=None,  # SSE-S3: the only server-side encryption ALB access log delivery supports
            lifecycle=[
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=EVERYTHING,
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=a.plan.retention_days),
                    noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1
                    ),
                    abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=1
                    ),
                ),
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="clear-expired-delete-markers",
                    status="Enabled",
                    filter=EVERYTHING,
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
                ),
            ],
            policy=lambda bucket: pulumi.Output.all(a.partition, a.account_id, bucket.arn).apply(
                lambda v: bucket_policy(region, v[0], v[1], v[2], a.prefixes)
            ),
            protect=a.deletion_protection,
        )
        bucket = made.bucket
        self.policy = made.policy
        self.bucket_name = bucket.id
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
