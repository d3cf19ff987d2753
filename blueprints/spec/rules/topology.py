"""Rules on regions, zones, patterns and failover."""

from __future__ import annotations

import re
from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.spec.rules import RuleContext, rule

AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
MULTI_REGION = ("active-passive", "active-active")
MAX_ZONES = 8
"""Each VPC is cut into 16 equal slices: a private and a public subnet for at most 8 zones."""


@rule("region-name", "On target aws, region names look like us-east-1 and appear once.")
def region_names(ctx: RuleContext) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, region in enumerate(ctx.spec.topology.regions):
        path = ("topology", "regions", i, "name")
        if region.name in seen:
            yield ctx.problem(
                path, f"region '{region.name}' is listed twice", "list each region once", value=region.name
            )
        seen.add(region.name)
        if ctx.spec.target == "aws" and not AWS_REGION.match(region.name):
            yield ctx.problem(
                path,
                f"'{region.name}' is not an AWS region name",
                "use an AWS region code such as us-east-1, eu-west-1 or ap-southeast-2",
                value=region.name,
                allowed="AWS region code, e.g. us-east-1",
            )


@rule("zone-in-region", "Zones belong to their region (on aws: the region code plus a letter) and appear once.")
def zones_in_region(ctx: RuleContext) -> Iterator[Problem]:
    for i, region in enumerate(ctx.spec.topology.regions):
        seen: set[str] = set()
        for j, zone in enumerate(region.zones):
            path = ("topology", "regions", i, "zones", j)
            if zone in seen:
                yield ctx.problem(
                    path, f"zone '{zone}' is listed twice in region '{region.name}'", "list each zone once", value=zone
                )
            seen.add(zone)
            if ctx.spec.target == "aws" and not re.fullmatch(re.escape(region.name) + r"[a-z]", zone):
                yield ctx.problem(
                    path,
                    f"zone '{zone}' does not belong to region '{region.name}'",
                    f"use zones of {region.name}, such as {region.name}a, {region.name}b, {region.name}c",
                    value=zone,
                    allowed=f"{region.name}<letter>",
                )


@rule("zone-count", "single-zone uses exactly one zone; every other pattern 2 to 8 zones per region.")
def zone_count(ctx: RuleContext) -> Iterator[Problem]:
    pattern = ctx.spec.topology.pattern
    for i, region in enumerate(ctx.spec.topology.regions):
        path = ("topology", "regions", i, "zones")
        count = len(region.zones)
        if pattern == "single-zone" and count != 1:
            yield ctx.problem(
                path,
                f"pattern single-zone uses exactly one zone, region '{region.name}' lists {count}",
                "list one zone, or use pattern multi-zone",
                value=count,
                allowed="1",
            )
        elif pattern != "single-zone" and count < 2:
            yield ctx.problem(
                path,
                f"pattern {pattern} needs at least 2 zones in region '{region.name}', found {count}",
                "add zones (3 is best: losing one still leaves two), or use pattern single-zone",
                value=count,
                allowed="≥ 2",
            )
        elif count > MAX_ZONES:
            yield ctx.problem(
                path,
                f"region '{region.name}' lists {count} zones; the network plan has room for {MAX_ZONES}",
                f"use at most {MAX_ZONES} zones (3 already survive the loss of one)",
                value=count,
                allowed=f"≤ {MAX_ZONES}",
            )


@rule("pattern-regions", "Region count and roles fit the pattern.")
def pattern_regions(ctx: RuleContext) -> Iterator[Problem]:
    topo = ctx.spec.topology
    regions = topo.regions
    path = ("topology", "regions")
    roles = [r.role for r in regions]
    if topo.pattern in ("single-zone", "multi-zone"):
        if len(regions) != 1:
            yield ctx.problem(
                path,
                f"pattern {topo.pattern} runs in one region, found {len(regions)}",
                "keep one region, or use pattern active-passive / active-active for several",
                value=len(regions),
                allowed="1",
            )
        for i, r in enumerate(regions):
            if r.role != "primary":
                yield ctx.problem(
                    ("topology", "regions", i, "role"),
                    f"the only region of pattern {topo.pattern} must have role primary",
                    "set `role: primary`",
                    value=r.role,
                    allowed="primary",
                )
    elif topo.pattern == "active-passive":
        primaries = roles.count("primary")
        if primaries != 1:
            yield ctx.problem(
                path,
                f"active-passive needs exactly one primary region, found {primaries}",
                "give exactly one region `role: primary`",
                value=primaries,
                allowed="1",
            )
        if roles.count("standby") < 1:
            yield ctx.problem(
                path,
                "active-passive needs at least one standby region",
                "add a region with `role: standby`",
                value=roles.count("standby"),
                allowed="≥ 1",
            )
        for i, r in enumerate(regions):
            if r.role == "active":
                yield ctx.problem(
                    ("topology", "regions", i, "role"),
                    "role active belongs to pattern active-active",
                    "use role primary or standby",
                    value=r.role,
                    allowed="primary, standby",
                )
    elif topo.pattern == "active-active":
        if len(regions) < 2:
            yield ctx.problem(
                path,
                f"active-active needs at least 2 regions, found {len(regions)}",
                "add a region, or use pattern multi-zone",
                value=len(regions),
                allowed="≥ 2",
            )
        for i, r in enumerate(regions):
            if r.role != "active":
                yield ctx.problem(
                    ("topology", "regions", i, "role"),
                    "every region of an active-active topology serves traffic",
                    "set `role: active`",
                    value=r.role,
                    allowed="active",
                )


@rule("standby-pattern", "`standby` applies to active-passive only.")
def standby_pattern(ctx: RuleContext) -> Iterator[Problem]:
    topo = ctx.spec.topology
    if topo.standby is not None and topo.pattern != "active-passive":
        yield ctx.problem(
            ("topology", "standby"),
            f"`standby` only applies to pattern active-passive, not {topo.pattern}",
            "remove `standby`, or use pattern active-passive",
            value=topo.standby,
        )


@rule("route53-interval", "On aws, failover health checks run every 10s or 30s (Route 53's only intervals).")
def health_check_interval(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws" or ctx.spec.topology.pattern not in MULTI_REGION:
        return
    seconds = ctx.spec.topology.failover.health_check.interval.total_seconds()
    if seconds not in (10, 30):
        yield ctx.problem(
            ("topology", "failover", "health_check", "interval"),
            f"Route 53 health checks run every 10s or 30s, not {seconds:g}s",
            "set interval to 10s (fast) or 30s (standard)",
            value=f"{seconds:g}s",
            allowed="10s, 30s",
        )


@rule("drill-pattern", "A region-outage drill needs a second region to fail over to.")
def drill_pattern(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.topology.pattern in MULTI_REGION:
        return
    for i, drill in enumerate(ctx.spec.chaos.drills):
        if drill == "region-outage":
            yield ctx.problem(
                ("chaos", "drills", i),
                f"a region-outage drill needs a second region; pattern is {ctx.spec.topology.pattern}",
                "drop the drill in this environment, or use pattern active-passive",
                value=drill,
            )


@rule(
    "failover-primary",
    "kubernetes active-passive, and kubernetes active-active with a `writes: primary-region` PostgreSQL store: "
    "`failover.current_primary` and `failover.fenced` name regions of the topology, and the region that takes "
    "writes is not fenced.",
)
def failover_primary(ctx: RuleContext) -> Iterator[Problem]:
    topo = ctx.spec.topology
    failover = topo.failover
    if failover.current_primary is None and not failover.fenced:
        return
    names = [r.name for r in topo.regions]
    where = ("topology", "failover")
    single_writer = any(
        s.engine == "postgres" and s.writes == "primary-region" for s in ctx.spec.stores
    )  # kubernetes active-active: the region whose PostgreSQL takes every region's writes
    drives = ctx.spec.target == "kubernetes" and (
        topo.pattern == "active-passive" or (topo.pattern == "active-active" and single_writer)
    )
    if not drives:
        key = "current_primary" if failover.current_primary is not None else "fenced"
        yield ctx.problem(
            (*where, key),
            f"`failover.{key}` drives the CloudNativePG failover of target kubernetes with pattern "
            "active-passive (or active-active with a `writes: primary-region` PostgreSQL store), not target "
            f"{ctx.spec.target} with pattern {topo.pattern}"
            + (" and no such store" if ctx.spec.target == "kubernetes" and topo.pattern == "active-active" else ""),
            "remove it (on aws, fail over with the stack's Region switch plan as documented in docs/aws.md)",
            value=getattr(failover, key),
        )
        return
    current = failover.current_primary
    if current is not None and current not in names:
        yield ctx.problem(
            (*where, "current_primary"),
            f"current primary '{current}' is not a region of the topology",
            f"name one of {', '.join(names)}",
            value=current,
            allowed=", ".join(names),
        )
        return
    # The region that takes writes: the spec's primary (active-passive) or first region (active-active).
    primary = current or next((r.name for r in topo.regions if r.role in ("primary", "active")), None)
    seen: set[str] = set()
    for i, region in enumerate(failover.fenced):
        path = (*where, "fenced", i)
        if region not in names:
            yield ctx.problem(
                path,
                f"fenced region '{region}' is not a region of the topology",
                f"name one of {', '.join(n for n in names if n != primary)}",
                value=region,
            )
        elif region in seen:
            yield ctx.problem(path, f"region '{region}' is fenced twice", "list each region once", value=region)
        elif region == primary:
            # Fencing the primary leaves no writable database and no region serving: never what is meant.
            yield ctx.problem(
                path,
                f"region '{region}' is the current primary and cannot be fenced: no region would take writes",
                "set `failover.current_primary` to the region that took over, and fence the old primary",
                value=region,
            )
        seen.add(region)
