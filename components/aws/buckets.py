"""private_bucket: the hardening every S3 bucket the blueprint builds gets, written once.

Not a component of its own (so it adds no URN level): a function that registers, as children of its
caller's component, a bucket and the parts S3 keeps as separate resources, in this order:

- the bucket: never force-destroyed (what it holds is evidence or history; deleting the stack keeps
  it), tagged, with the caller's Pulumi `protect` when it passes one;
- a public access block with all four switches on;
- ownership controls `BucketOwnerEnforced` (ACLs off: the bucket owns every object), unless the
  caller opts out;
- default encryption: SSE-KMS with the caller's key and an S3 Bucket Key, or SSE-S3 (AES256) when no
  key is given (ALB access log delivery supports only SSE-S3);
- versioning, unless the caller opts out;
- the caller's lifecycle rules; a rule on non-current versions waits for versioning, as the
  provider's lifecycle examples do;
- a bucket policy refusing every request made without TLS, plus whatever the caller allows.

Each part is named by the caller's `name(role)` (`role` None for the bucket itself; otherwise
`public-access`, `ownership`, `encryption`, `versioning`, `lifecycle`, `policy`), so each caller
keeps the resource names it has always had.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import s3

from components.aws.iam import deny_without_tls

ABORT_INCOMPLETE_UPLOADS = s3.BucketLifecycleConfigurationRuleArgs(
    id="abort-incomplete-uploads",
    status="Enabled",
    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
    abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
        days_after_initiation=1
    ),
)
"""Clear multipart uploads abandoned for a day (they are billed and never visible as objects)."""


def tls_only_policy(bucket_arn: str, allow: Sequence[dict[str, Any]] = ()) -> str:
    """A bucket policy (JSON): the `allow` statements, then a Deny of any request made without TLS."""
    deny = deny_without_tls("s3:*", bucket_arn) | {"Resource": [bucket_arn, f"{bucket_arn}/*"]}
    return json.dumps({"Version": "2012-10-17", "Statement": [*allow, deny]}, sort_keys=True)


@dataclass(frozen=True)
class PrivateBucket:
    """What the caller wires further: the bucket, and its policy (a writer may need to wait for it)."""

    bucket: s3.Bucket
    policy: s3.BucketPolicy


def private_bucket(
    name: Callable[[str | None], str],
    *,
    parent: pulumi.Resource,
    region: str,
    bucket_prefix: str,
    tags: pulumi.Input[dict[str, str]],
    kms_key_arn: pulumi.Input[str] | None,
    lifecycle: Sequence[s3.BucketLifecycleConfigurationRuleArgs],
    policy: Callable[[s3.Bucket], pulumi.Input[str]] | None = None,
    ownership: bool = True,
    versioning: bool = True,
    protect: bool | None = None,
) -> PrivateBucket:
    """Register a private, encrypted, TLS-only bucket and its parts under `parent` (see the module).

    `policy` builds the bucket policy from the bucket (default: TLS-only, nothing allowed); a caller
    that allows a writer builds it with `tls_only_policy(arn, allow=...)`.
    """
    child = pulumi.ResourceOptions(parent=parent)
    bucket = s3.Bucket(
        name(None),
        s3.BucketArgs(bucket_prefix=bucket_prefix, force_destroy=False, region=region, tags=tags),
        opts=child if protect is None else pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    s3.BucketPublicAccessBlock(
        name("public-access"),
        s3.BucketPublicAccessBlockArgs(
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            region=region,
        ),
        opts=child,
    )
    if ownership:
        s3.BucketOwnershipControls(
            name("ownership"),
            s3.BucketOwnershipControlsArgs(
                bucket=bucket.id,
                rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
                region=region,
            ),
            opts=child,
        )
    by_default = (
        s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
            ),
            bucket_key_enabled=True,
        )
        if kms_key_arn is not None
        else s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            ),
        )
    )
    s3.BucketServerSideEncryptionConfiguration(
        name("encryption"),
        s3.BucketServerSideEncryptionConfigurationInitArgs(bucket=bucket.id, rules=[by_default], region=region),
        opts=child,
    )
    versions = (
        s3.BucketVersioning(
            name("versioning"),
            s3.BucketVersioningInitArgs(
                bucket=bucket.id,
                versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                region=region,
            ),
            opts=child,
        )
        if versioning
        else None
    )
    on_versions = versions is not None and any(r.noncurrent_version_expiration is not None for r in lifecycle)
    s3.BucketLifecycleConfiguration(
        name("lifecycle"),
        s3.BucketLifecycleConfigurationArgs(bucket=bucket.id, rules=list(lifecycle), region=region),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versions]) if on_versions and versions else child,
    )
    document = policy(bucket) if policy is not None else bucket.arn.apply(tls_only_policy)
    bucket_policy = s3.BucketPolicy(
        name("policy"),
        s3.BucketPolicyArgs(bucket=bucket.id, policy=document, region=region),
        opts=child,
    )
    return PrivateBucket(bucket=bucket, policy=bucket_policy)
