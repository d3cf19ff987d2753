"""Rules on state stores: engines per target, replication modes, backups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from blueprints.errors import Problem
from blueprints.region_sets import MRSC_REGION_COUNTS
from blueprints.spec.models import AWS_ENGINES, KUBERNETES_ENGINES
from blueprints.spec.rules import RuleContext, rule
from blueprints.units import format_duration as fmt

MULTI_REGION = ("active-passive", "active-active")
MULTI_WRITER_ENGINES = ("dynamodb",)
SYNC_ENGINES = ("dynamodb",)
"""Engines that replicate across regions synchronously: DynamoDB global tables with multi-region
strong consistency (three regions, or two and a witness). Aurora global database, ElastiCache global datastore,
CloudNativePG replica clusters and Redis replication are asynchronous across regions."""


@rule("engine-target", "A store's engine runs on the spec's target.")
def engine_target(ctx: RuleContext) -> Iterator[Problem]:
    allowed = AWS_ENGINES if ctx.spec.target == "aws" else KUBERNETES_ENGINES
    for i, store in enumerate(ctx.spec.stores):
        if store.engine not in allowed:
            yield ctx.problem(
                ("stores", i, "engine"),
                f"engine {store.engine} is not available on target {ctx.spec.target}",
                f"use one of: {', '.join(allowed)}",
                value=store.engine,
                allowed=", ".join(allowed),
            )


@rule("active-active-writes", "In active-active every store accepts writes in every region.")
def active_active_writes(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.topology.pattern != "active-active":
        return
    for i, store in enumerate(ctx.spec.stores):
        if store.engine not in MULTI_WRITER_ENGINES:
            yield ctx.problem(
                ("stores", i, "engine"),
                f"store '{store.name}' ({store.engine}) takes writes in one region only, but active-active "
                "writes in every region",
                "use engine dynamodb (global tables accept writes in every region), or pattern active-passive",
                value=store.engine,
                allowed=", ".join(MULTI_WRITER_ENGINES),
            )


@rule("sync-replication", "replication: sync only where the engine and region count support it.")
def sync_replication(ctx: RuleContext) -> Iterator[Problem]:
    regions = len(ctx.spec.topology.regions)
    multi = ctx.spec.topology.pattern in MULTI_REGION
    for i, store in enumerate(ctx.spec.stores):
        if store.replication != "sync":
            continue
        path = ("stores", i, "replication")
        if not multi:
            yield ctx.problem(
                path,
                f"replication: sync has no effect on a single-region pattern "
                f"({ctx.spec.topology.pattern}); it is about copies in other regions",
                "remove it, or use a multi-region pattern",
                value="sync",
                severity="warning",
            )
        elif store.engine not in SYNC_ENGINES:
            yield ctx.problem(
                path,
                f"{store.engine} replicates across regions asynchronously only",
                "use replication: async, or engine dynamodb for synchronous (strongly "
                "consistent) multi-region replication",
                value="sync",
                allowed="async",
            )
        elif regions not in MRSC_REGION_COUNTS:
            yield ctx.problem(
                path,
                f"DynamoDB multi-region strong consistency spans 3 regions (or 2 and a witness the planner "
                f"places in a third), found {regions}",
                "use 2 or 3 regions of the same region set (e.g. us-east-1, us-west-2), or replication: async",
                value=regions,
                allowed="2 or 3 regions",
            )


@rule("region-rpo-replication", "A region RPO of 0s needs synchronous cross-region replication of every store.")
def region_rpo_replication(ctx: RuleContext) -> Iterator[Problem]:
    region = ctx.spec.objectives.disruptions.region
    if region is None or region.rpo > timedelta(0) or ctx.spec.topology.pattern not in MULTI_REGION:
        return
    for i, store in enumerate(ctx.spec.stores):
        if store.replication == "async":
            could = (
                "set replication: sync (DynamoDB multi-region strong consistency: 3 regions, or 2 and a witness)"
                if store.engine in SYNC_ENGINES
                else f"{store.engine} cannot replicate across regions synchronously: move this state to "
                "dynamodb with replication: sync"
            )
            yield ctx.problem(
                ("stores", i, "replication"),
                f"objectives.disruptions.region.rpo is 0s, but store '{store.name}' replicates across "
                "regions asynchronously, so a region loss can lose its last writes",
                could + ", or relax the region RPO to the replication lag (e.g. 1m)",
                value=store.replication,
                allowed="sync",
            )


@rule("dynamodb-strong-consistency-ttl", "A DynamoDB store replicated synchronously has no ttl_attribute.")
def dynamodb_strong_consistency_ttl(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws" or ctx.spec.topology.pattern not in MULTI_REGION:
        return
    for i, store in enumerate(ctx.spec.stores):
        if store.engine == "dynamodb" and store.replication == "sync" and store.ttl_attribute is not None:
            yield ctx.problem(
                ("stores", i, "ttl_attribute"),
                f"store '{store.name}' replicates with multi-region strong consistency, which AWS offers without "
                "Time to Live: the table cannot expire items by an attribute",
                "remove ttl_attribute and delete expired items yourself (a query on the expiry), or use "
                "replication: async (eventual consistency keeps TTL)",
                value=store.ttl_attribute,
            )


@rule("backup-retention", "On aws, backups are kept 1d-35d (PITR and automated backup limits).")
def backup_retention(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    for i, store in enumerate(ctx.spec.stores):
        retention = store.backup.retention
        if not timedelta(days=1) <= retention <= timedelta(days=35) or retention.total_seconds() % 86400:
            yield ctx.problem(
                ("stores", i, "backup", "retention"),
                f"backup retention must be whole days from 1d to 35d, not {fmt(retention)}",
                "set retention between 1d and 35d",
                value=fmt(retention),
                allowed="1d-35d",
            )


@rule("engine-fields", "Store fields apply to engines that have them.")
def engine_fields(ctx: RuleContext) -> Iterator[Problem]:
    for i, store in enumerate(ctx.spec.stores):
        written = store.model_fields_set
        if store.engine != "aurora-postgresql" and "engine_version" in written:
            yield ctx.problem(
                ("stores", i, "engine_version"),
                f"`engine_version` applies to aurora-postgresql stores only, not {store.engine}",
                "remove `engine_version`",
                value=str(store.engine_version),
            )
        if store.engine != "dynamodb":
            for field in ("ttl_attribute", "keys"):
                if field in written:
                    yield ctx.problem(
                        ("stores", i, field),
                        f"`{field}` applies to dynamodb stores only, not {store.engine}",
                        f"remove `{field}`",
                        value=str(getattr(store, field)),
                    )
        if store.engine == "redis" and "replication" in written:
            yield ctx.problem(
                ("stores", i, "replication"),
                "`replication` does not apply to redis: Redis is not copied across regions; each region runs "
                "its own, and a standby region's starts empty",
                "remove `replication` (mark the store `cache: true` if it only caches), or use postgres for "
                "state that must survive a region",
                value=store.replication,
                severity="warning",
            )
        if store.engine == "dynamodb":
            for field in ("instance_class", "instances", "storage"):
                if field in written:
                    yield ctx.problem(
                        ("stores", i, field),
                        f"`{field}` does not apply to dynamodb (serverless, managed storage)",
                        f"remove `{field}`",
                        value=str(getattr(store, field)),
                        severity="warning",
                    )


@rule("aurora-zones", "On aws, an aurora-postgresql store needs regions of at least two zones (RDS subnet groups).")
def aurora_zones(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    thin = [r.name for r in ctx.spec.topology.regions if len(set(r.zones)) < 2]
    if not thin:
        return
    for i, store in enumerate(ctx.spec.stores):
        if store.engine == "aurora-postgresql":
            yield ctx.problem(
                ("stores", i, "engine"),
                f"Aurora needs a DB subnet group covering at least two zones, but {', '.join(thin)} has one "
                "(RDS rejects it with DBSubnetGroupDoesNotCoverEnoughAZs)",
                "plan two or more zones (pattern multi-zone or wider), or use engine dynamodb",
                value=store.engine,
            )
