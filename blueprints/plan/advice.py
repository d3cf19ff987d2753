"""For every objective a plan misses, the cheapest change that would meet it.

Candidate changes are listed per estimate from cheapest to dearest (a setting, then more of the
same resources, then a different pattern). Each candidate is applied to a copy of the spec, checked
by the spec's own rules (a change the target cannot build is never offered), and planned again in
full under the same model as the plan itself (timing, availability, RPO: the planner is pure and
fast); the first one that meets the objective is suggested, with the value it would reach. A change
that changes nothing once deployed is not a candidate (e.g. `failover.dns_ttl` on AWS, where alias
records keep a fixed 60 s TTL). When no single change is enough, the suggestion says so and names
the change that comes closest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from blueprints.plan.models import Estimate
from blueprints.plan.timing import ingress_mechanism
from blueprints.region_sets import MRSC_REGION_COUNTS, region_set
from blueprints.spec.models import HASpec, Region
from blueprints.units import format_duration, format_percent

Change = Callable[[HASpec], HASpec | None]

# A nearby region to suggest as a standby when a single-region spec misses a region objective.
PARTNER_REGIONS = {
    "us-east-1": "us-west-2",
    "us-east-2": "us-west-2",
    "us-west-1": "us-east-1",
    "us-west-2": "us-east-1",
    "ca-central-1": "us-east-1",
    "eu-west-1": "eu-central-1",
    "eu-west-2": "eu-west-1",
    "eu-west-3": "eu-central-1",
    "eu-central-1": "eu-west-1",
    "eu-north-1": "eu-central-1",
    "ap-southeast-1": "ap-southeast-2",
    "ap-southeast-2": "ap-southeast-1",
    "ap-northeast-1": "ap-northeast-3",
    "ap-northeast-2": "ap-northeast-1",
    "ap-south-1": "ap-southeast-1",
    "sa-east-1": "us-east-1",
}


def _set(model: BaseModel, path: tuple[str, ...], value: Any) -> Any:
    """A copy of a frozen model with the field at `path` replaced."""
    head, *rest = path
    new = value if not rest else _set(getattr(model, head), tuple(rest), value)
    return model.model_copy(update={head: new})


def _each_agent(spec: HASpec, fn: Callable[[Any], Any]) -> HASpec:
    return spec.model_copy(update={"agents": [fn(a) for a in spec.agents]})


def _standby(spec: HASpec, pattern: str = "active-passive") -> HASpec | None:
    if spec.target != "aws" or spec.topology.pattern in ("active-passive", "active-active"):
        return None
    primary = spec.topology.regions[0]
    partner = PARTNER_REGIONS.get(primary.name)
    if partner is None:
        return None
    zones = [f"{partner}{letter}" for letter in "abc"[: max(2, len(primary.zones))]]
    role = "active" if pattern == "active-active" else "standby"
    regions = [
        primary.model_copy(update={"role": "active" if role == "active" else "primary"}),
        Region(name=partner, role=role, zones=zones),
    ]  # type: ignore[arg-type]
    topo = spec.topology.model_copy(
        update={"pattern": pattern, "regions": regions, "standby": "warm" if pattern == "active-passive" else None}
    )
    return spec.model_copy(update={"topology": topo})


def _zone_name(region: str, existing: list[str], letter: str) -> str | None:
    """The next zone's name in the style the region's zones are written in (`us-east-1c` on AWS,
    `europe-west4-c` on GKE); None when the style cannot be told."""
    if not existing:
        return f"{region}{letter}" if region[-1:].isdigit() else None
    last = existing[-1]
    if last.startswith(region + "-") and len(last) == len(region) + 2:
        return f"{region}-{letter}"
    if last.startswith(region) and len(last) == len(region) + 1:
        return f"{region}{letter}"
    return None


def _more_zones(spec: HASpec) -> HASpec | None:
    """Three zones per region (on any target; on Kubernetes the nodes must exist there too)."""
    regions = []
    changed = False
    for r in spec.topology.regions:
        zones = list(r.zones)
        while len(zones) < 3:
            letter = next(c for c in "abcdefgh" if not any(z.endswith(c) for z in zones))
            name = _zone_name(r.name, zones, letter)
            if name is None:
                return None
            zones.append(name)
            changed = True
        regions.append(r.model_copy(update={"zones": zones}))
    if not changed:
        return None
    pattern = "multi-zone" if spec.topology.pattern == "single-zone" else spec.topology.pattern
    return spec.model_copy(
        update={"topology": spec.topology.model_copy(update={"regions": regions, "pattern": pattern})}
    )


def _covers_everything(spec: HASpec) -> HASpec | None:
    """The ingress agent's readiness covers every store, queue and dependency it uses (only right if
    its readiness endpoint really checks them, which the suggestion says)."""
    if spec.ingress is None:
        return None
    agent = spec.agent(spec.ingress.agent)
    if agent is None or agent.probes.readiness is None:
        return None
    parts = list(
        dict.fromkeys(
            list(agent.uses)
            + list(agent.consumes)
            + list(agent.produces)
            + [d.name for d in spec.dependencies if not d.callers or agent.name in d.callers]
        )
    )
    if not parts or set(agent.probes.readiness.covers or ()) >= set(parts):
        return None
    changed = _set(agent, ("probes", "readiness", "covers"), parts)
    return spec.model_copy(update={"agents": [changed if a.name == agent.name else a for a in spec.agents]})


def _covers_text(spec: HASpec) -> str:
    agent = spec.agent(spec.ingress.agent) if spec.ingress else None
    path = agent.probes.readiness.path if agent and agent.probes.readiness else "/readyz"
    return (
        f"make the ingress agent's {path} check its stores, queues and dependencies and list them under "
        "probes.readiness.covers (then their outages fail the region over instead of staying in series)"
    )


def _cache_stores(spec: HASpec) -> HASpec | None:
    """Mark in-memory stores (valkey, redis) as caches: only right if they hold nothing that cannot
    be rebuilt, which the suggestion says."""
    stores = [
        st.model_copy(update={"cache": True}) if st.engine in ("valkey", "redis") and not st.cache else st
        for st in spec.stores
    ]
    if stores == list(spec.stores):
        return None
    return spec.model_copy(update={"stores": stores})


def _when(condition: Callable[[HASpec], bool], change: Change) -> Change:
    return lambda spec: change(spec) if condition(spec) else None


def _failover(**fields: Any) -> Change:
    def change(spec: HASpec) -> HASpec:
        failover = spec.topology.failover
        for key, value in fields.items():
            if key in ("interval", "failure_threshold"):
                failover = _set(failover, ("health_check", key), value)
            else:
                failover = _set(failover, (key,), value)
        return _set(spec, ("topology", "failover"), failover)

    return change


def _multi(spec: HASpec) -> bool:
    return spec.topology.pattern in ("active-passive", "active-active")


COVERS_CHANGE = "readiness covers"
"""Shown with the spec's own readiness path (see _covers_text)."""

CACHE_CHANGE = "cache: true on the valkey/redis stores (only if they hold nothing that cannot be rebuilt)"

CANDIDATES: dict[tuple[str, str | None], list[tuple[str, Change]]] = {
    ("availability", None): [
        (
            "failover.mode: automatic",
            _when(lambda s: _multi(s) and s.topology.failover.mode == "manual", _failover(mode="automatic")),
        ),
        (COVERS_CHANGE, _when(_multi, _covers_everything)),
        ("three zones per region", _more_zones),
        ("add a warm standby region (pattern active-passive)", _standby),
        (
            "pattern active-active",
            lambda s: _standby(s, "active-active") if all(st.engine == "dynamodb" for st in s.stores) else None,
        ),
    ],
    ("rto", "zone"): [
        (
            "replicas.static_stability: true on every agent",
            _when(
                lambda s: any(not a.replicas.static_stability for a in s.agents),
                lambda s: _each_agent(s, lambda a: _set(a, ("replicas", "static_stability"), True)),
            ),
        ),
        (
            "readiness probes every 5s, failing after 2",
            lambda s: _each_agent(
                s,
                lambda a: (
                    a
                    if a.probes.readiness is None
                    else _set(
                        _set(a, ("probes", "readiness", "period"), timedelta(seconds=5)),
                        ("probes", "readiness", "failure_threshold"),
                        2,
                    )
                ),
            ),
        ),
        ("three zones per region", _more_zones),
    ],
    ("rto", "region"): [
        (
            "failover.mode: automatic",
            _when(lambda s: s.topology.failover.mode == "manual", _failover(mode="automatic")),
        ),
        (
            # Only k8gb builds failover.dns_ttl (the Gslb's dnsTtlSeconds); AWS alias records keep 60 s.
            "dns_ttl: 30s",
            _when(
                lambda s: s.target == "kubernetes" and s.topology.failover.dns_ttl > timedelta(seconds=30),
                _failover(dns_ttl=timedelta(seconds=30)),
            ),
        ),
        (
            # Only a Route 53 HTTPS check (public AWS ingress) reads failover.health_check.
            "health_check interval 10s, failure_threshold 2",
            _when(
                lambda s: ingress_mechanism(s) == "route53-https",
                _failover(interval=timedelta(seconds=10), failure_threshold=2),
            ),
        ),
        (
            "standby: warm",
            _when(lambda s: s.topology.standby == "pilot-light", lambda s: _set(s, ("topology", "standby"), "warm")),
        ),
        (
            "standby: hot",
            _when(
                lambda s: s.topology.pattern == "active-passive" and s.topology.standby != "hot",
                lambda s: _set(s, ("topology", "standby"), "hot"),
            ),
        ),
        ("add a warm standby region (pattern active-passive)", _standby),
    ],
    ("rto", "application"): [
        (
            "rollout.auto_rollback: true",
            _when(lambda s: not s.rollout.auto_rollback, lambda s: _set(s, ("rollout", "auto_rollback"), True)),
        ),
        (
            "rollout canary [10, 50, 100] with auto_rollback",
            lambda s: s.model_copy(
                update={
                    "rollout": s.rollout.model_copy(
                        update={"strategy": "canary", "steps": [10, 50, 100], "auto_rollback": True}
                    )
                }
            ),
        ),
    ],
    ("rpo", "region"): [
        (
            "replication: sync on every dynamodb store (multi-region strong consistency)",
            _when(
                lambda s: (
                    s.target == "aws"
                    and _multi(s)
                    and bool(s.stores)
                    and len(s.topology.regions) in MRSC_REGION_COUNTS
                    and region_set([r.name for r in s.topology.regions]) is not None
                    and all(st.engine == "dynamodb" for st in s.stores)
                ),
                lambda s: s.model_copy(
                    update={"stores": [st.model_copy(update={"replication": "sync"}) for st in s.stores]}
                ),
            ),
        ),
        (CACHE_CHANGE, _cache_stores),
        ("add a warm standby region (pattern active-passive)", _standby),
    ],
    ("rpo", "zone"): [(CACHE_CHANGE, _cache_stores)],
    ("rpo", "application"): [],
}

FALLBACK = {
    ("rpo", "zone"): "keep this state in an engine that replicates synchronously across zones (dynamodb, "
    "aurora-postgresql, or postgres with a zone RPO of 0s)",
    ("rpo", "region"): "replicate every store to a second region (pattern active-passive) and keep state in "
    "engines with cross-region replication",
    ("availability", None): "add regions (active-passive or active-active) and zones; or relax the objective",
}


FALLBACK_MULTI_REGION_RPO = (
    "relax the region RPO to the replication lag, or keep this state in dynamodb with replication: sync "
    "(multi-region strong consistency: 3 regions, or 2 and a witness, of one AWS region set; no ttl_attribute)"
)
"""The region RPO fallback when the spec already replicates to another region."""

FALLBACK_KUBERNETES_REGION_RPO = (
    "relax the region RPO to the replication lag: CloudNativePG replica clusters and Redis replicate "
    "asynchronously across regions"
)


def _show(est: Estimate, value: float | None) -> str:
    if value is None:
        return "unbounded"
    return format_percent(value) if est.kind == "availability" else format_duration(value)


def with_advice(spec: HASpec, environment: str | None, estimates: tuple[Estimate, ...]) -> tuple[Estimate, ...]:
    """Attach a suggestion to every missed estimate."""
    return tuple(
        dataclasses.replace(e, suggestion=suggest(spec, environment, e)) if e.met is False else e for e in estimates
    )


def _buildable(spec: HASpec) -> bool:
    """The changed spec passes the spec's own rules (a change the target cannot build is no advice)."""
    from blueprints.spec.document import Document
    from blueprints.spec.rules import check

    return not any(p.severity == "error" for p in check(spec, Document(file="<advice>", data={})))


def replan(spec: HASpec, environment: str | None, key: tuple[str, str | None]) -> Estimate:
    """The estimate `key` of a changed spec, planned in full under the same model as the plan."""
    from blueprints.plan.planner import plan

    return next(e for e in plan(spec, environment, advise=False).estimates if (e.kind, e.disruption) == key)


def suggest(spec: HASpec, environment: str | None, est: Estimate) -> str:
    key = (est.kind, est.disruption)
    closest: tuple[str, float | None] | None = None
    for description, change in CANDIDATES.get(key, []):
        changed = change(spec)
        if changed is None or changed == spec:  # not applicable, or already what the spec says
            continue
        if not _buildable(changed):
            continue
        redo = replan(changed, environment, key)
        if description == COVERS_CHANGE:
            description = _covers_text(spec)
        if redo.met:
            return f"cheapest change that meets it: {description} (gives {_show(est, redo.value)})"
        if redo.value is None or (est.value is not None and not _better(est, redo.value, est.value)):
            continue  # no better than the plan as it is: a change that buys nothing is no advice
        if closest is None or closest[1] is None or _better(est, redo.value, closest[1]):
            closest = (description, redo.value)
    text = FALLBACK.get(key, "relax the objective, or change the topology")
    if key == ("rpo", "region") and _multi(spec):
        text = FALLBACK_MULTI_REGION_RPO if spec.target == "aws" else FALLBACK_KUBERNETES_REGION_RPO
    elif key == ("rpo", "zone") and spec.target == "kubernetes":
        text = "keep this state in postgres with a zone RPO of 0s (a synchronous standby), or relax the objective"
    if closest is not None:
        return f"no single change meets it; closest: {closest[0]} (gives {_show(est, closest[1])}); or {text}"
    return f"no single change meets it: {text}"


def _better(est: Estimate, new: float, old: float) -> bool:
    return new > old if est.kind == "availability" else new < old
