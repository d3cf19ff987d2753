"""Region sets of DynamoDB multi-region strong consistency, and where a two-region table's witness goes."""

from __future__ import annotations

import pytest

from blueprints.region_sets import MRSC_REGION_SETS, region_set, witness_region


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        (["us-east-1", "us-west-2"], "US"),
        (["eu-west-1", "eu-central-1", "eu-west-3"], "EU"),
        (["ap-northeast-1"], "AP"),
        (["us-east-1", "eu-west-1"], None),
        (["us-west-1"], None),  # not in any set
    ],
)
def test_region_set(regions: list[str], expected: str | None) -> None:
    assert region_set(regions) == expected


@pytest.mark.parametrize(
    ("regions", "witness"),
    [
        (["us-east-1", "us-west-2"], "us-east-2"),
        (["us-west-2", "us-east-1"], "us-east-2"),  # order does not matter
        (["eu-west-1", "eu-central-1"], "eu-west-2"),  # the first other region of the set by name
        (["ap-northeast-3", "ap-northeast-1"], "ap-northeast-2"),
        (["us-east-1", "us-east-2", "us-west-2"], None),  # three replicas need no witness
        (["us-east-1"], None),
        (["us-east-1", "eu-west-1"], None),  # two sets: no region qualifies
    ],
)
def test_witness_region(regions: list[str], witness: str | None) -> None:
    assert witness_region(regions) == witness


def test_every_pair_of_a_set_gets_a_witness_of_that_set_outside_the_pair() -> None:
    for members in MRSC_REGION_SETS.values():
        for a in members:
            for b in members - {a}:
                w = witness_region([a, b])
                assert w in members and w not in (a, b)


def test_dsql_witness_is_the_third_region_of_the_set() -> None:
    from blueprints.region_sets import dsql_witness_region

    assert dsql_witness_region(["us-east-1", "us-east-2"]) == "us-west-2"
    assert dsql_witness_region(["us-east-1", "eu-west-1"]) is None
    assert dsql_witness_region(["us-east-1", "us-east-2", "us-west-2"]) is None
