"""AccessLogBucket: each region's S3 bucket for ALB access logs, its policy, and the ALBs writing to it."""

from __future__ import annotations

import json

import pytest

from components.aws.access_logs import bucket_policy, log_delivery_principal, supported
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import graph

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LB = "aws:lb/loadBalancer:LoadBalancer"


def _in(g: ResourceGraph, type_token: str, region: str, part: str = "-access-logs-") -> CapturedResource:
    (found,) = [r for r in g.of_type(type_token) if r.inputs.get("region") == region and part in r.name]
    return found


def _bucket_children(g: ResourceGraph, bucket: CapturedResource) -> dict[str, CapturedResource]:
    return {r.type.split(":")[-1]: r for r in g if r.custom and r.property_dependencies.get("bucket") == (bucket.urn,)}


def test_every_alb_writes_access_logs_to_its_regions_bucket_once_the_policy_lets_it() -> None:
    g = graph("support-agent@prod")
    albs = [r for r in g.of_type(LB) if r.inputs["loadBalancerType"] == "application"]
    assert {r.inputs["region"] for r in albs} == {"us-east-1", "us-west-2"}
    for alb in albs:
        region = alb.inputs["region"]
        bucket = _in(g, BUCKET, region)
        policy = _in(g, POLICY, region)
        logs = alb.inputs["accessLogs"]
        assert logs["enabled"] is True and logs["prefix"] == "conversation"
        assert alb.property_dependencies["accessLogs"] == (bucket.urn,)
        # ELB writes a test file when logging is turned on: the policy must exist first.
        assert policy.urn in alb.dependencies


def test_network_load_balancers_write_none() -> None:
    g = graph("support-agent@prod")
    nlbs = [r for r in g.of_type(LB) if r.inputs["loadBalancerType"] == "network"]
    assert nlbs and all("accessLogs" not in r.inputs for r in nlbs)


def test_the_bucket_is_private_sse_s3_versioned_tls_only_expiring_and_protected() -> None:
    g = graph("support-agent@prod")
    bucket = _in(g, BUCKET, "us-east-1")
    assert bucket.protect is True and bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["bucketPrefix"].startswith("support-agent-prod-lb-logs-")
    assert len(bucket.inputs["bucketPrefix"]) <= 37
    children = _bucket_children(g, bucket)
    block = children["BucketPublicAccessBlock"].inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert children["BucketOwnershipControls"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (rule,) = children["BucketServerSideEncryptionConfiguration"].inputs["rules"]
    # SSE-S3 is the only server-side encryption ALB log delivery supports.
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert children["BucketVersioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}
    rules = {r["id"]: r for r in children["BucketLifecycleConfiguration"].inputs["rules"]}
    assert rules["expire-access-logs"]["expiration"] == {"days": 90}
    assert rules["expire-access-logs"]["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    assert rules["clear-expired-delete-markers"]["expiration"] == {"expiredObjectDeleteMarker": True}
    assert all(r["status"] == "Enabled" for r in rules.values())


def test_the_policy_lets_only_elb_write_under_each_prefix_and_nothing_without_tls() -> None:
    g = graph("support-agent@prod")
    for region, account in (("us-east-1", "127311923021"), ("us-west-2", "797873946194")):
        document = json.loads(_in(g, POLICY, region).inputs["policy"])
        allow, deny = document["Statement"]
        assert allow["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert allow["Action"] == "s3:PutObject"
        bucket_arn = deny["Resource"][0]
        assert allow["Resource"] == [f"{bucket_arn}/conversation/AWSLogs/123456789012/*"]  # the mocks' account
        assert deny["Resource"] == [bucket_arn, f"{bucket_arn}/*"] and deny["Principal"] == "*"
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        ("eu-central-1", {"AWS": "arn:aws:iam::054676820928:root"}),
        ("ap-southeast-3", {"AWS": "arn:aws:iam::589379963580:root"}),  # Jakarta: before August 2022
        ("us-gov-west-1", {"AWS": "arn:aws-us-gov:iam::048591011584:root"}),
        ("eu-central-2", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),  # Zurich, November 2022
        ("me-central-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),  # UAE, August 2022
    ],
)
def test_legacy_regions_name_the_elb_account_and_newer_ones_the_service(region: str, principal: dict) -> None:
    partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
    assert log_delivery_principal(region, partition) == principal
    document = json.loads(bucket_policy(region, partition, "111122223333", "arn:aws:s3:::b", ("a", "a", "z")))
    assert document["Statement"][0]["Resource"] == [
        "arn:aws:s3:::b/a/AWSLogs/111122223333/*",
        "arn:aws:s3:::b/z/AWSLogs/111122223333/*",
    ]


def test_china_is_not_guessed() -> None:
    assert not supported("cn-north-1")
    with pytest.raises(ValueError, match="not known"):
        log_delivery_principal("cn-north-1", "aws-cn")


def test_the_order_routing_internal_albs_log_too() -> None:
    g = graph("order-routing@prod")
    albs = g.of_type(LB)
    assert albs and all(r.inputs["internal"] is True and r.inputs["accessLogs"]["enabled"] for r in albs)
    policy = json.loads(_in(g, POLICY, "eu-west-1").inputs["policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}


def test_dev_writes_none_unless_the_spec_asks() -> None:
    dev = graph("support-agent@dev")
    assert not [r for r in dev.of_type(BUCKET) if "-access-logs-" in r.name]
    assert all("accessLogs" not in r.inputs for r in dev.of_type(LB))
    on = graph("logs-on-dev")
    bucket = _in(on, BUCKET, "us-east-1")
    rules = {r["id"]: r for r in _bucket_children(on, bucket)["BucketLifecycleConfiguration"].inputs["rules"]}
    assert rules["expire-access-logs"]["expiration"] == {"days": 30}
    (alb,) = [r for r in on.of_type(LB) if r.inputs["loadBalancerType"] == "application"]
    assert alb.inputs["accessLogs"]["enabled"] is True


def test_turned_off_in_the_spec_nothing_is_built_in_prod() -> None:
    g = graph("logs-off")
    assert not [r for r in g.of_type(BUCKET) if "-access-logs-" in r.name]
    assert all("accessLogs" not in r.inputs for r in g.of_type(LB))
