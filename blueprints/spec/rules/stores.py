"""Rules on state stores: engines per target, replication modes, backups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from blueprints.errors import Problem
from blueprints.region_sets import DSQL_REGION_SETS, MRSC_REGION_COUNTS, dsql_witness_region
from blueprints.spec.models import AWS_ENGINES, KUBERNETES_ENGINES, Store, Writes
from blueprints.spec.rules import RuleContext, rule
from blueprints.units import format_duration as fmt

MULTI_REGION = ("active-passive", "active-active")
MULTI_WRITER_ENGINES: dict[str, tuple[str, ...]] = {"aws": ("aurora-dsql", "dynamodb"), "kubernetes": ("cockroachdb",)}
"""Engines that take writes for the same data in every region, per target (what `writes: multi-region`
needs). On kubernetes: one CockroachDB cluster whose nodes run in every region's Kubernetes cluster,
joined over a flat pod network (docs/kubernetes.md: what is built, what the user provides)."""
PRIMARY_REGION_ENGINES: dict[str, tuple[str, ...]] = {"aws": ("aurora-postgresql",), "kubernetes": ("postgres",)}
"""Engines with one writer region whose other regions read a replica and send writes to the primary
(what `writes: primary-region` needs): on aws an Aurora global database with write forwarding; on
kubernetes CloudNativePG replica clusters, the agents of every region writing to the primary region's
PostgreSQL over the cross-region pod network and reading their own region's replica."""
NOT_BUILT: dict[str, str] = {}
"""Targets on which active-active holds no store at all (none today)."""
CROSS_REGION_NETWORK_ENGINES = ("cockroachdb", "postgres")
"""kubernetes engines whose pods or clients talk across regions' clusters in active-active."""
CRDB_MIN_REGIONS = 3
"""CockroachDB keeps a range while a majority of its replicas is up: with 2 regions one of them holds the
majority of each range's replicas, so losing it stops reads and writes of those ranges (the docs: "at
least three database regions are required to survive region failures")."""
CRDB_MIN_NODES = 3
"""Nodes per region: three, one per zone, so a region keeps serving (and re-replicating) after a zone loss."""
ALWAYS_SYNC_ENGINES = ("aurora-dsql", "cockroachdb")
"""Engines that replicate across their regions synchronously whatever `replication` says."""
SYNC_ENGINES = ("dynamodb", *ALWAYS_SYNC_ENGINES)
"""Engines that replicate across regions synchronously: DynamoDB global tables with multi-region
strong consistency (three regions, or two and a witness) and Aurora DSQL multi-Region clusters (two
regions and a witness), CockroachDB (raft: a write commits on a majority of its replicas, one per region).
Aurora global database, ElastiCache global datastore, CloudNativePG replica
clusters and Redis replication are asynchronous across regions."""


def store_writes(store: Store, target: str) -> Writes | None:
    """The active-active write shape of a store: what the spec says, else multi-region for an engine
    that writes in every region; None when it cannot be decided (a single-writer engine unstated)."""
    if store.writes is not None:
        return store.writes
    return "multi-region" if store.engine in MULTI_WRITER_ENGINES.get(target, ()) else None


def _choices(target: str) -> str:
    multi = MULTI_WRITER_ENGINES[target]
    primary = " or ".join(PRIMARY_REGION_ENGINES[target])
    if not multi and not primary:
        return "use pattern active-passive: the standby region's replica is promoted on failover"
    parts = [
        f"`writes: primary-region` with engine {primary} (every region reads and runs agents; writes go to "
        "the primary region and stop when it is lost, until a secondary is promoted)"
    ]
    if multi:
        parts.append(f"engine {' or '.join(multi)} (every region writes, `writes: multi-region`)")
    parts.append("or pattern active-passive")
    return "; ".join(parts)


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


@rule(
    "active-active-writes",
    "In active-active every store says how regions write it (`writes`), with an engine of the target that does so.",
)
def active_active_writes(ctx: RuleContext) -> Iterator[Problem]:
    target = ctx.spec.target
    engines = AWS_ENGINES if target == "aws" else KUBERNETES_ENGINES
    active_active = ctx.spec.topology.pattern == "active-active"
    multi = MULTI_WRITER_ENGINES[target]
    primary = PRIMARY_REGION_ENGINES[target]
    for i, store in enumerate(ctx.spec.stores):
        if store.engine not in engines:
            continue  # engine-target says which engines this target has; nothing here may contradict it
        if not active_active:
            if store.writes is not None:
                yield ctx.problem(
                    ("stores", i, "writes"),
                    f"`writes` applies to active-active only; pattern {ctx.spec.topology.pattern} writes in "
                    "one region at a time",
                    "remove `writes`",
                    value=store.writes,
                    severity="warning",
                )
            continue
        writes = store_writes(store, target)
        name = f"store '{store.name}' ({store.engine})"
        if target in NOT_BUILT:
            yield ctx.problem(
                ("stores", i, "writes" if store.writes is not None else "engine"),
                f"{name}: {NOT_BUILT[target]}",
                _choices(target),
                value=store.writes or store.engine,
            )
            continue
        if writes is None:
            what = "is not copied across regions" if store.engine == "redis" else "takes writes in one region only"
            fix = (
                _choices(target)
                if store.engine in primary
                else f"{_choices(target)}; a cache can stay per region only on another pattern"
            )
            yield ctx.problem(
                ("stores", i, "engine"),
                f"{name} {what}, but active-active runs agents in every region: say how regions write it",
                fix,
                value=store.engine,
                allowed=", ".join((*multi, *(f"{e} with writes: primary-region" for e in primary))),
            )
        elif writes == "multi-region" and store.engine not in multi:
            why = (
                f"no engine on {target} takes writes in every region (docs/kubernetes.md says why)"
                if not multi
                else f"{store.engine} has one writer region"
            )
            yield ctx.problem(
                ("stores", i, "writes"),
                f"{name}: writes: multi-region, but {why}",
                _choices(target)
                if store.engine in primary or not multi
                else f"use engine {' or '.join(multi)}, "
                "or `writes: primary-region` with engine " + " or ".join(primary),
                value=writes,
                allowed="primary-region" if store.engine in primary or not multi else "multi-region",
            )
        elif writes == "primary-region" and store.engine not in primary:
            yield ctx.problem(
                ("stores", i, "writes"),
                f"{name}: writes: primary-region, but {store.engine} "
                + ("takes writes in every region" if store.engine in multi else "has no replica in other regions"),
                ("remove `writes` (or say multi-region)" if store.engine in multi else _choices(target)),
                value=writes,
                allowed="multi-region" if store.engine in multi else "primary-region",
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
        elif store.engine in ALWAYS_SYNC_ENGINES:
            continue
        elif store.engine not in SYNC_ENGINES:
            if ctx.spec.target == "aws":
                sync_here = [e for e in SYNC_ENGINES if e in AWS_ENGINES]
                how = ""
            else:  # CockroachDB is one cluster over every region: active-active only
                sync_here = ["cockroachdb"]
                how = " (pattern active-active, 3 or more regions)"
            yield ctx.problem(
                path,
                f"{store.engine} replicates across regions asynchronously only",
                f"use replication: async, or engine {' or '.join(sync_here)}{how} for synchronous (strongly "
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
        if store.replication == "async" and store.engine not in ALWAYS_SYNC_ENGINES:
            if store.engine in SYNC_ENGINES:
                could = (
                    "set replication: sync (DynamoDB multi-region strong consistency: 3 regions, or 2 and a witness)"
                )
            elif ctx.spec.target == "aws":
                could = (
                    f"{store.engine} cannot replicate across regions synchronously: move this state to aurora-dsql "
                    "(relational) or dynamodb with replication: sync"
                )
            else:
                could = (
                    f"{store.engine} cannot replicate across regions synchronously: move this state to cockroachdb "
                    "(active-active, 3 or more regions)"
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
        if store.engine in ALWAYS_SYNC_ENGINES and store.replication == "async" and "replication" in written:
            yield ctx.problem(
                ("stores", i, "replication"),
                f"{store.engine} replicates synchronously across its regions (strongly consistent); "
                "replication: async changes nothing",
                "remove `replication`",
                value=store.replication,
                severity="warning",
            )
        if store.engine == "aurora-dsql" and store.backup.point_in_time_recovery:
            yield ctx.problem(
                ("stores", i, "backup", "point_in_time_recovery"),
                "Aurora DSQL has no point-in-time recovery: the blueprint backs each region's cluster up with a "
                "daily AWS Backup plan kept `backup.retention`, so up to a day of changes can be lost to a restore",
                "set backup.point_in_time_recovery: false to acknowledge it",
                value=True,
                severity="warning",
            )
        if store.engine == "cockroachdb" and store.backup.point_in_time_recovery:
            yield ctx.problem(
                ("stores", i, "backup", "point_in_time_recovery"),
                "CockroachDB backups are SQL schedules (CREATE SCHEDULE ... FOR BACKUP), not a field of the "
                "operator's CrdbCluster: the blueprint does not build them, so this store is not backed up",
                "set backup.point_in_time_recovery: false to acknowledge it, and create a backup schedule with "
                "revision_history in SQL (docs/kubernetes.md shows one)",
                value=True,
                severity="warning",
            )
        if store.engine in ("dynamodb", "aurora-dsql"):
            for field in ("instance_class", "instances", "storage"):
                if field in written:
                    yield ctx.problem(
                        ("stores", i, field),
                        f"`{field}` does not apply to {store.engine} (serverless, managed storage)",
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


@rule(
    "dsql-regions",
    "An aurora-dsql store over several regions spans two peered regions of one region set (a witness takes the third).",
)
def dsql_regions(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws" or ctx.spec.topology.pattern not in MULTI_REGION:
        return
    regions = [r.name for r in ctx.spec.topology.regions]
    for i, store in enumerate(ctx.spec.stores):
        if store.engine != "aurora-dsql":
            continue
        if len(regions) != 2:
            yield ctx.problem(
                ("stores", i, "engine"),
                f"an Aurora DSQL multi-Region cluster peers two regions (and a witness in a third), found "
                f"{len(regions)} regions",
                "plan two regions of one region set (e.g. us-east-1 and us-east-2), or use dynamodb",
                value=len(regions),
                allowed="2 regions",
            )
        elif dsql_witness_region(regions) is None:
            sets = "; ".join(f"{name}: {', '.join(sorted(m))}" for name, m in DSQL_REGION_SETS.items())
            yield ctx.problem(
                ("stores", i, "engine"),
                f"Aurora DSQL peers regions of one region set only, and {' and '.join(regions)} are not in one "
                "(or leave no third region for the witness)",
                f"pick two regions of one set ({sets})",
                value=", ".join(regions),
            )


@rule(
    "cockroachdb-topology",
    "A cockroachdb store runs in one region or active-active over 3 or more, with 3 or more nodes in each.",
)
def cockroachdb_topology(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "kubernetes":
        return
    pattern = ctx.spec.topology.pattern
    regions = len(ctx.spec.topology.regions)
    for i, store in enumerate(ctx.spec.stores):
        if store.engine != "cockroachdb":
            continue
        if pattern == "active-passive":
            yield ctx.problem(
                ("stores", i, "engine"),
                "cockroachdb is one cluster over every region (every region writes), which has no standby region "
                "to promote: it is built for active-active (3 or more regions) and for one region",
                "use engine postgres (CloudNativePG replica clusters) on active-passive, or pattern active-active "
                "over 3 or more regions",
                value=store.engine,
                allowed="postgres, redis",
            )
        elif pattern == "active-active" and regions < CRDB_MIN_REGIONS:
            yield ctx.problem(
                ("stores", i, "engine"),
                f"store '{store.name}': CockroachDB keeps a range available while a majority of its replicas is "
                f"up, and with {regions} region(s) one region holds that majority: losing it stops reads and writes "
                f"in every region until it returns. It survives a region loss from {CRDB_MIN_REGIONS} regions on",
                "add a region (3 or more), or use `writes: primary-region` with engine postgres (writes stop "
                "until a replica region is promoted, reads go on)",
                value=regions,
                allowed=f"{CRDB_MIN_REGIONS} or more regions",
            )
        if store.instances is not None and store.instances < CRDB_MIN_NODES:
            yield ctx.problem(
                ("stores", i, "instances"),
                f"a CockroachDB region needs {CRDB_MIN_NODES} nodes or more (one per zone) to keep serving and "
                f"re-replicate after a zone loss, found {store.instances}",
                f"set instances to {CRDB_MIN_NODES} or more, or leave it out",
                value=store.instances,
                allowed=f"{CRDB_MIN_NODES}-15",
            )


@rule(
    "cross-region-network",
    "On kubernetes, a store reached across regions (cockroachdb, postgres with writes: primary-region) needs "
    "every region's pod_cidrs.",
)
def cross_region_network(ctx: RuleContext) -> Iterator[Problem]:
    regions = ctx.spec.topology.regions
    if ctx.spec.target != "kubernetes":
        for j, region in enumerate(regions):
            if region.pod_cidrs:
                yield ctx.problem(
                    ("topology", "regions", j, "pod_cidrs"),
                    "`pod_cidrs` applies to target kubernetes only",
                    "remove `pod_cidrs`",
                    value=", ".join(region.pod_cidrs),
                    severity="warning",
                )
        return
    if ctx.spec.topology.pattern != "active-active":
        return
    crossing = [
        s.name
        for s in ctx.spec.stores
        if s.engine == "cockroachdb" or (s.engine == "postgres" and store_writes(s, "kubernetes") == "primary-region")
    ]
    if not crossing:
        return
    for j, region in enumerate(regions):
        if not region.pod_cidrs:
            yield ctx.problem(
                ("topology", "regions", j),
                f"region {region.name}: store(s) {', '.join(crossing)} connect pods across regions' clusters, and "
                "their NetworkPolicies admit the other regions by address: this region's pod address ranges are "
                "not given",
                "set `pod_cidrs` to the pod CIDRs of this region's cluster (routable from the other regions' "
                "clusters: see docs/kubernetes.md, cross-region network)",
                value=region.name,
            )
