"""Capacity arithmetic: Fargate sizes, zone-loss replica counts, spreads, VPC blocks."""

from __future__ import annotations

import ipaddress
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blueprints.capacity import (
    fargate_memory_options,
    region_vpc_range,
    replicas_for_zone_loss,
    spread,
    survivors_after_zone_loss,
)


def test_fargate_memory_options() -> None:
    assert fargate_memory_options(0.25) == [512, 1024, 2048]
    assert fargate_memory_options(0.5) == [1024, 2048, 3072, 4096]
    assert fargate_memory_options(1)[0] == 2048 and fargate_memory_options(1)[-1] == 8192
    assert fargate_memory_options(8) == [16384 + 4096 * k for k in range(12)]
    assert fargate_memory_options(16)[-1] == 120 * 1024
    assert fargate_memory_options(3) == [] and fargate_memory_options(0.75) == []


@pytest.mark.parametrize(
    ("minimum", "zones", "total"),
    [(3, 3, 5), (2, 2, 4), (2, 3, 3), (1, 2, 2), (4, 3, 6), (5, 3, 8), (6, 3, 9), (3, 2, 6), (1, 1, 1), (3, 1, 3)],
)
def test_replicas_for_zone_loss(minimum: int, zones: int, total: int) -> None:
    assert replicas_for_zone_loss(minimum, zones) == total


@given(st.integers(1, 200), st.integers(2, 8))
def test_replicas_for_zone_loss_is_the_smallest_that_survives(minimum: int, zones: int) -> None:
    total = replicas_for_zone_loss(minimum, zones)
    assert total >= max(minimum, zones)
    assert total - math.ceil(total / zones) >= minimum
    smaller = total - 1
    assert smaller < max(minimum, zones) or smaller - math.ceil(smaller / zones) < minimum


@given(st.integers(0, 500), st.integers(1, 8))
def test_spread_is_even_fuller_zones_first(total: int, zones: int) -> None:
    parts = spread(total, zones)
    assert sum(parts) == total and len(parts) == zones
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)


def test_spread_edge_cases() -> None:
    assert spread(5, 3) == [2, 2, 1]
    assert spread(3, 0) == []


def test_survivors_after_zone_loss() -> None:
    assert survivors_after_zone_loss([2, 2, 1]) == 3
    assert survivors_after_zone_loss([3]) == 0  # one zone: nothing survives its loss
    assert survivors_after_zone_loss([]) == 0


def test_region_vpc_range() -> None:
    assert region_vpc_range("10.20.0.0/16", 0) == ipaddress.IPv4Network("10.20.0.0/16")
    assert region_vpc_range("10.20.0.0/16", 2) == ipaddress.IPv4Network("10.22.0.0/16")
    assert region_vpc_range("10.0.0.0/24", 1) == ipaddress.IPv4Network("10.0.1.0/24")
    with pytest.raises(ValueError):
        region_vpc_range("255.255.0.0/16", 1)
