"""Redis stores on Kubernetes encrypt every connection: clients, replication and Sentinel.

The redis-operator turns TLS on from `spec.TLS` (its Secret mounted at /tls). That alone is not
enough with the OT-CONTAINER-KIT images: their entrypoints do not make a Sentinel dial Redis and the
other Sentinels over TLS (nor, before OT-CONTAINER-KIT/redis#86, a replica dial its primary), so the
additional configuration each custom resource includes last must say `tls-replication yes` and close
the plain port (`port 0`). A plain port left open is a way around TLS; a Sentinel without
`tls-replication` cannot reach a TLS-only Redis, which stops failover.
"""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import UNKNOWN, Subject, get, violation

REPLICATION = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication"
SENTINEL = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
INCLUDED = {REPLICATION: "redis-additional.conf", SENTINEL: "redis-sentinel-additional.conf"}
"""The file each image's entrypoint includes from the mounted ConfigMap (EXTERNAL_CONFIG_FILE)."""
REQUIRED = (("port", "0"), ("tls-replication", "yes"))
CONFIG_FIELD = {
    REPLICATION: ("redisConfig", "additionalRedisConfig"),
    SENTINEL: ("redisSentinelConfig", "additionalSentinelConfig"),
}


def _directives(text: str) -> dict[str, str]:
    """A Redis configuration file's directives; the last value of each wins, as in Redis."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            out[words[0].lower()] = " ".join(words[1:])
    return out


def validate(args: Any, report_violation: Any) -> None:
    maps = {
        (Subject.of(r).region, get(r.props, "metadata", "namespace"), get(r.props, "metadata", "name")): r
        for r in args.resources
        if r.resource_type == CONFIG_MAP
    }
    for r in args.resources:
        if r.resource_type not in INCLUDED:
            continue
        s = Subject.of(r)
        kind = r.resource_type.rsplit(":", 1)[1]
        if not isinstance(get(r.props, "spec", "TLS", "secret", "secretName"), str):
            violation(
                report_violation,
                s,
                f"{kind} has no spec.TLS: its clients, replication and Sentinel traffic cross the network in "
                "plain text (the password included)",
                "set spec.TLS {ca: ca.crt, cert: tls.crt, key: tls.key, secret: {secretName: <store>-tls}}",
            )
            continue
        section, field = CONFIG_FIELD[r.resource_type]
        map_name = get(r.props, "spec", section, field)
        config = maps.get((s.region, get(r.props, "metadata", "namespace"), map_name))
        text = get(config.props, "data", INCLUDED[r.resource_type]) if config is not None else None
        if text is UNKNOWN or map_name is UNKNOWN:
            continue  # decided at apply time; the rendered graph (`check`) always knows it
        directives = _directives(text) if isinstance(text, str) else {}
        missing = [f"`{d} {v}`" for d, v in REQUIRED if directives.get(d) != v]
        if missing:
            violation(
                report_violation,
                s,
                f"{kind} sets spec.TLS but the configuration it includes lacks {' and '.join(missing)}: a plain "
                "port stays open, or Sentinels and replicas dial their peers in plain text (a Sentinel then "
                "cannot reach a TLS-only Redis, and failover stops)",
                f"include a ConfigMap key {INCLUDED[r.resource_type]} with `port 0` and `tls-replication yes` "
                f"through spec.{section}.{field}",
            )


RULE = StackRule(
    id="agentha-kubernetes-redis-replication-require-tls",
    description="Redis replications and Sentinels use TLS on every connection (no plain port, TLS replication).",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Agents send the store's password and their data to Redis; replicas and Sentinels carry the same "
    "data and the password between zones. Encryption in transit is the default everywhere else.",
    fix="spec.TLS with the store's TLS Secret, and an included configuration with `port 0` and `tls-replication yes`.",
    validate=validate,
)
