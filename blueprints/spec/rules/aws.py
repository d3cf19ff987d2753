"""Rules that only AWS imposes: tag syntax, names its services refuse, instance classes, region sets."""

from __future__ import annotations

from collections.abc import Iterator

from blueprints.engine_versions import (
    AURORA_GLOBAL_MIN_MINOR,
    AURORA_POSTGRESQL_MAJORS,
    AURORA_WRITE_FORWARDING_MIN_MINOR,
    aurora_major,
    aurora_minor,
)
from blueprints.errors import Problem
from blueprints.region_sets import MRSC_REGION_COUNTS, MRSC_REGION_SETS, region_set
from blueprints.spec.rules import RuleContext, rule

TAG_PUNCTUATION = set(" _.:/=+-@")
"""Besides letters and digits, the characters AWS allows in tag keys and values."""

GLOBAL_ENGINES = ("aurora-postgresql", "valkey")
BURSTABLE_PREFIXES = ("db.t", "cache.t")


def _bad_tag_text(text: str) -> list[str]:
    return sorted({c for c in text if not (c.isalnum() or c in TAG_PUNCTUATION)})


@rule("aws-tags", "On aws, tags use the characters and lengths AWS allows and no reserved `aws:` prefix.")
def aws_tags(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    tags = dict(ctx.spec.metadata.tags)
    for key, value in tags.items():
        path = ("metadata", "tags", key)
        bad = _bad_tag_text(key) + _bad_tag_text(value)
        if bad:
            yield ctx.problem(
                path,
                f"tag {key}: {value!r} uses {', '.join(repr(c) for c in bad)}, which AWS refuses",
                "use letters, digits, spaces and _ . : / = + - @ only",
                value=value,
            )
        if len(key) > 128 or len(value) > 256:
            yield ctx.problem(
                path, f"tag {key} is too long for AWS (keys ≤ 128, values ≤ 256 characters)", "shorten it", value=value
            )
        if key.lower().startswith("aws:"):
            yield ctx.problem(
                path, f"tag key {key} starts with aws:, which AWS reserves", "choose another prefix", value=key
            )
    if ctx.spec.metadata.owner is not None and _bad_tag_text(ctx.spec.metadata.owner):
        yield ctx.problem(
            ("metadata", "owner"),
            "owner becomes a tag value, and AWS refuses some of its characters",
            "use letters, digits, spaces and _ . : / = + - @ only",
            value=ctx.spec.metadata.owner,
        )


@rule("aws-system-name", "On aws, the system name does not start with `internal` (ELB refuses such names).")
def aws_system_name(ctx: RuleContext) -> Iterator[Problem]:
    name = ctx.spec.metadata.name
    if ctx.spec.target == "aws" and name.startswith("internal"):
        yield ctx.problem(
            ("metadata", "name"),
            f"load balancer names begin with the system name, and ELB refuses names that begin "
            f"with 'internal-' ({name})",
            "choose a name that does not start with 'internal'",
            value=name,
        )


@rule("global-store-instance-class", "Stores replicated across regions use an instance class global databases allow.")
def global_store_instance_class(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws" or ctx.spec.topology.pattern not in ("active-passive", "active-active"):
        return
    for i, store in enumerate(ctx.spec.stores):
        cls = store.instance_class or ""
        if store.engine in GLOBAL_ENGINES and cls.startswith(BURSTABLE_PREFIXES):
            kind = "Aurora global databases" if store.engine == "aurora-postgresql" else "ElastiCache global datastores"
            yield ctx.problem(
                ("stores", i, "instance_class"),
                f"{kind} do not run on burstable instances ({cls})",
                "use a memory-optimized class such as db.r6g.large or cache.r7g.large",
                value=cls,
            )


@rule("dynamodb-region-set", "DynamoDB replication: sync keeps its regions in one AWS region set.")
def dynamodb_region_set(ctx: RuleContext) -> Iterator[Problem]:
    regions = {r.name for r in ctx.spec.topology.regions}
    if ctx.spec.target != "aws" or len(regions) not in MRSC_REGION_COUNTS or region_set(regions) is not None:
        return
    for i, store in enumerate(ctx.spec.stores):
        if store.engine == "dynamodb" and store.replication == "sync":
            sets = "; ".join(f"{name}: {', '.join(sorted(r))}" for name, r in MRSC_REGION_SETS.items())
            yield ctx.problem(
                ("stores", i, "replication"),
                f"multi-region strong consistency keeps its replicas (and a two-region table's witness) in "
                f"one region set; {', '.join(sorted(regions))} spans several",
                f"choose regions of one set ({sets}), or replication: async",
                value="sync",
            )


@rule("aurora-engine-version", "An Aurora store's engine_version is a major (or major.minor) AWS offers new clusters.")
def aurora_engine_version(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    majors = ", ".join(str(m) for m in AURORA_POSTGRESQL_MAJORS)
    multi = ctx.spec.topology.pattern in ("active-passive", "active-active")
    for i, store in enumerate(ctx.spec.stores):
        version = store.engine_version
        if store.engine != "aurora-postgresql" or version is None:
            continue
        path = ("stores", i, "engine_version")
        major = aurora_major(version)
        if major is None:
            yield ctx.problem(
                path,
                f"engine_version {version!r} is not a PostgreSQL major or major.minor version",
                "write a major (17) or a major.minor (17.6), as a string in quotes",
                value=version,
                allowed="e.g. 17, 16.10",
            )
        elif major not in AURORA_POSTGRESQL_MAJORS:
            yield ctx.problem(
                path,
                f"Aurora PostgreSQL {major} is not in AWS standard support for new clusters (supported majors: "
                f"{majors})",
                f"use one of {majors}; a major alone takes AWS's current default minor of it",
                value=version,
                allowed=majors,
            )
        elif multi and (minor := aurora_minor(version)) is not None and minor < AURORA_GLOBAL_MIN_MINOR[major]:
            yield ctx.problem(
                path,
                f"store '{store.name}' is an Aurora global database, which needs PostgreSQL "
                f"{major}.{AURORA_GLOBAL_MIN_MINOR[major]} or later, not {version}",
                f"use {major} (AWS's default minor) or {major}.{AURORA_GLOBAL_MIN_MINOR[major]} or later",
                value=version,
            )
        elif (
            ctx.spec.topology.pattern == "active-active"
            and store.writes == "primary-region"
            and (minor := aurora_minor(version)) is not None
            and minor < AURORA_WRITE_FORWARDING_MIN_MINOR[major]
        ):
            least = f"{major}.{AURORA_WRITE_FORWARDING_MIN_MINOR[major]}"
            yield ctx.problem(
                path,
                f"store '{store.name}' writes through the primary region (global write forwarding), which Aurora "
                f"PostgreSQL offers from {least}, not {version}",
                f"use {major} (AWS's default minor) or {least} or later",
                value=version,
            )
