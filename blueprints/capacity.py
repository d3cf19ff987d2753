"""Capacity arithmetic shared by the spec rules and the planner (pure, no I/O)."""

from __future__ import annotations

import ipaddress
import math

# Fargate task sizes: vCPU -> (min GiB, max GiB, step GiB); 0.25 vCPU allows 0.5, 1 or 2 GiB.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_SIZES: dict[float, tuple[float, float, float]] = {
    0.5: (1, 4, 1),
    1: (2, 8, 1),
    2: (4, 16, 1),
    4: (8, 30, 1),
    8: (16, 60, 4),
    16: (32, 120, 8),
}
FARGATE_QUARTER = (512, 1024, 2048)
FARGATE_VCPUS = (0.25, *FARGATE_SIZES)
"""Every vCPU count Fargate offers, smallest first."""


def fargate_memory_options(cpu: float) -> list[int]:
    """Memory sizes (MiB) Fargate accepts for a vCPU count; empty when the vCPU count is not offered."""
    if cpu == 0.25:
        return list(FARGATE_QUARTER)
    if cpu not in FARGATE_SIZES:
        return []
    low, high, step = FARGATE_SIZES[cpu]
    count = int((high - low) / step) + 1
    return [int((low + k * step) * 1024) for k in range(count)]


def replicas_for_zone_loss(minimum: int, zones: int) -> int:
    """Smallest total T ≥ max(min, zones), spread evenly, that keeps ≥ min after losing the fullest zone.

    With T replicas spread as evenly as possible over N zones the fullest zone holds ceil(T/N), so
    T - ceil(T/N) must be ≥ min. For min 3 over 3 zones that is 5 (2+2+1), not the 6 a naive
    ceil(min/(N-1)) per zone gives.
    """
    total = max(minimum, zones)
    if zones < 2:
        return total
    while total - math.ceil(total / zones) < minimum:
        total += 1
    return total


def spread(total: int, zones: int) -> list[int]:
    """Spread `total` replicas over `zones` zones as evenly as possible, fuller zones first."""
    if zones <= 0:
        return []
    base, extra = divmod(total, zones)
    return [base + (1 if i < extra else 0) for i in range(zones)]


def survivors_after_zone_loss(per_zone: list[int]) -> int:
    """Replicas left after losing the fullest zone."""
    return sum(per_zone) - max(per_zone, default=0) if len(per_zone) > 1 else 0


def synchronous_durability(instances: int, zones: int) -> str:
    """A synchronous PostgreSQL store's `dataDurability`: `required` only where losing any one zone leaves
    the primary a synchronous standby.

    With `required`, a commit waits until a standby has it, and waits forever when none is left: two
    instances (or three over two zones) lose every standby with one zone, and writes stop until the
    zone returns. Three instances over three zones (one per zone) keep one through any zone's loss.
    Elsewhere `preferred`: commits wait for the standby while it is up (a lost primary zone still loses
    nothing) and go on alone while it is down.
    """
    return "required" if instances >= 3 and zones >= 3 else "preferred"


def region_vpc_range(cidr: str, index: int) -> ipaddress.IPv4Network:
    """The VPC range of the `index`-th region: the next block of the same size after `cidr`.

    Consecutive blocks never overlap, so the VPCs of every region can be peered. Raises ValueError
    when the block would run past 255.255.255.255 (the spec rule `network-cidr` reports it first).
    """
    base = ipaddress.IPv4Network(cidr)
    return ipaddress.IPv4Network((int(base.network_address) + index * base.num_addresses, base.prefixlen))
