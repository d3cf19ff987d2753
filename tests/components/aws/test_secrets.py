"""SpecSecret: containers without values, replicated to every planned region."""

from __future__ import annotations

from components.aws.secrets import replica_arn
from tests.components.aws.helpers import dependencies, graph


def test_secret_is_replicated_with_each_regions_key_and_holds_no_value() -> None:
    g = graph("support-agent")
    secret, _ = g.of_type("aws:secretsmanager/secret:Secret")  # the two model providers' keys
    assert secret.inputs["region"] == "us-east-1"
    (replica,) = secret.inputs["replicas"]
    assert replica["region"] == "us-west-2"
    west_key = next(k for k in g.of_type("aws:kms/key:Key") if k.inputs["region"] == "us-west-2")
    assert west_key.urn in dependencies(secret, "replicas")
    assert secret.inputs["recoveryWindowInDays"] == 30
    assert not [r for r in g if "secretVersion" in r.type]  # the value is set out of band


def test_single_region_secret_has_no_replicas() -> None:
    for secret in graph("support-agent@dev").of_type("aws:secretsmanager/secret:Secret"):
        assert "replicas" not in secret.inputs


def test_replica_arn_swaps_only_the_region() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:name-AbCdEf"
    assert (
        replica_arn(arn, "us-east-1", "us-west-2") == "arn:aws:secretsmanager:us-west-2:123456789012:secret:name-AbCdEf"
    )
