"""private_bucket: every S3 bucket any example builds gets the same hardening, from one function."""

from __future__ import annotations

import json

import pytest

from components.aws.buckets import tls_only_policy
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import graph

BUCKET = "aws:s3/bucket:Bucket"

# Cases that between them build every kind of bucket: access logs (prod), canary artefacts
# (support-agent and order-routing's private ingress), Region switch reports (prod, claims-aws).
CASES = ("support-agent@prod", "order-routing@prod", "claims-aws", "private-synthetic")


def _parts(g: ResourceGraph, bucket: CapturedResource) -> dict[str, CapturedResource]:
    return {r.type.split(":")[-1]: r for r in g if r.custom and r.property_dependencies.get("bucket") == (bucket.urn,)}


@pytest.mark.parametrize("case", CASES)
def test_every_bucket_is_private_encrypted_and_refuses_requests_without_tls(case: str) -> None:
    g = graph(case)
    buckets = list(g.of_type(BUCKET))
    assert buckets, f"{case} builds no bucket: the case list no longer covers what it says"
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is False, bucket.name
        parts = _parts(g, bucket)
        block = parts["BucketPublicAccessBlock"].inputs
        assert all(
            block[k] is True
            for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        ), bucket.name
        (rule,) = parts["BucketServerSideEncryptionConfiguration"].inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in ("aws:kms", "AES256"), bucket.name
        if rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms":
            assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"], bucket.name
            assert rule["bucketKeyEnabled"] is True, bucket.name
        policy = json.loads(parts["BucketPolicy"].inputs["policy"])
        (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny["Action"] == "s3:*"
        arn, objects = deny["Resource"]
        assert arn.startswith("arn:") and bucket.name in arn and objects == f"{arn}/*", bucket.name
        # Each part keeps the name its caller always gave it: `<bucket's name>-<role>` or with the role
        # before the region (`…-access-logs-lifecycle-us-east-1`).
        assert all(p.name != bucket.name for p in parts.values())


@pytest.mark.parametrize("case", CASES)
def test_a_rule_on_non_current_versions_waits_for_versioning_and_no_other_does(case: str) -> None:
    g = graph(case)
    for bucket in g.of_type(BUCKET):
        parts = _parts(g, bucket)
        lifecycle = parts["BucketLifecycleConfiguration"]
        versioning = parts.get("BucketVersioning")
        noncurrent = any("noncurrentVersionExpiration" in r for r in lifecycle.inputs["rules"])
        if noncurrent:
            assert versioning is not None and versioning.urn in lifecycle.dependencies, bucket.name
        elif versioning is not None:
            assert versioning.urn not in lifecycle.dependencies, bucket.name


def test_the_tls_only_policy_keeps_the_callers_statements_before_the_deny() -> None:
    allow = {"Sid": "Writer", "Effect": "Allow", "Principal": {"Service": "x"}, "Action": "s3:PutObject"}
    document = json.loads(tls_only_policy("arn:aws:s3:::b", allow=[allow]))
    assert document["Statement"][0] == allow
    assert document["Statement"][1]["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert json.loads(tls_only_policy("arn:aws:s3:::b"))["Statement"] == [document["Statement"][1]]
