"""StorePlacement: where a store's regional copy sits (not a component).

Aurora clusters and Valkey replication groups are placed alike in each region: the network's
private subnets, the store's security group, the region's key and its alert topic. One record, so
the topology builds it once for either engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class StorePlacement:
    """Where a store sits in one region."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    topic_arn: pulumi.Input[str]
