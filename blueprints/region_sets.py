"""AWS region sets of DynamoDB multi-region strong consistency (MRSC), read by the spec rules and
the planner.

An MRSC global table keeps three replicas, or two replicas and a witness, all in one region set.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/multi-region-strong-consistency-gt.html
"""

from __future__ import annotations

from collections.abc import Collection

MRSC_REGION_SETS: dict[str, frozenset[str]] = {
    "US": frozenset({"us-east-1", "us-east-2", "us-west-2"}),
    "EU": frozenset({"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"}),
    "AP": frozenset({"ap-northeast-1", "ap-northeast-2", "ap-northeast-3"}),
}
"""Region sets a DynamoDB table with multi-region strong consistency must stay within."""

MRSC_REGION_COUNTS = (2, 3)
"""Regions holding replicas of an MRSC table: three, or two and a witness in a third."""


def region_set(regions: Collection[str]) -> str | None:
    """The name of the one region set holding every region, if there is one."""
    return next((name for name, members in MRSC_REGION_SETS.items() if set(regions) <= members), None)


def witness_region(regions: Collection[str]) -> str | None:
    """The witness for an MRSC table over two regions of one set: the set's first other region (by
    name, so the choice is stable); None for any other region count or a mix of sets."""
    name = region_set(regions)
    if name is None or len(set(regions)) != 2:
        return None
    return min(MRSC_REGION_SETS[name] - set(regions))


DSQL_REGION_SETS: dict[str, frozenset[str]] = {
    "US": frozenset({"us-east-1", "us-east-2", "us-west-2"}),
    "EU": frozenset({"eu-west-1", "eu-west-2", "eu-west-3"}),
    "AP": frozenset({"ap-northeast-1", "ap-northeast-2", "ap-northeast-3"}),
}
"""Region sets of Aurora DSQL multi-Region clusters: two peered clusters and a witness, all in one set.
The US set is the one AWS's own walk-through uses (us-east-1 and us-east-2 peered, us-west-2 the
witness: Aurora DSQL user guide, "Configuring multi-Region clusters"); the EU and AP sets are as AWS
listed them at multi-Region GA (May 2025) and could not be re-checked here: AWS adds regions, so a
region missing here may be offered by now (add it when it is)."""


def dsql_witness_region(regions: Collection[str]) -> str | None:
    """The witness of an Aurora DSQL multi-Region cluster over two regions of one set: the set's first
    other region by name (stable); None unless exactly two regions of one set."""
    chosen = set(regions)
    if len(chosen) != 2:
        return None
    for members in DSQL_REGION_SETS.values():
        if chosen <= members and members - chosen:
            return min(members - chosen)
    return None
