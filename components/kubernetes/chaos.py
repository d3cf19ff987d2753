"""ChaosDrills: the spec's drills as Chaos Mesh `Schedule`s in the primary region.

Each drill breaks what its runbook says, for a bounded time, on a cron in UTC; drills of one system
are an hour apart and never overlap themselves (`concurrencyPolicy: Forbid`). `manual` schedules
create nothing: an experiment object starts the moment it is applied, which a GitOps sync must never
do by surprise. The runbooks and expected RTO/RPO come from the plan (`agentha-blueprint plan`).

A region-outage drill of a system with a PostgreSQL store held in several regions is not scheduled:
taking the primary's ingress down moves users to the standby, whose database is a read-only replica
cluster until someone promotes it, so writes would fail (and queued work be retried into dead letters)
for the whole drill. Chaos Mesh cannot promote it, and promoting without then rebuilding the old primary
splits the database. That drill is the planned switchover and switch-back in the FAILOVER.md runbook
`render` writes (promotion with a demotion token: nothing lost, one primary at every step).

| drill | experiment |
|---|---|
| zone-outage | PodChaos `pod-failure` on every pod of the system in one zone, 10 minutes |
| region-outage | PodChaos `pod-failure` on the ingress agent, 15 minutes (k8gb fails over) — only where no
  database would be left read-only in the standby region (see below) |
| agent-crash | PodChaos `pod-kill` of half of one agent's pods |
| store-failover | PodChaos `pod-kill` of a store's primary instance |
| queue-outage | NetworkChaos `partition` between the agents and the broker, 5 minutes |
| network-latency | NetworkChaos `delay` of 200 ms on the agents' outgoing traffic, 10 minutes |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints.plan.models import DrillPlan
from components.kubernetes.meta import RegionScope, custom_resource, object_name

FIRST_HOUR = 10
"""Drills start at 10:00 UTC, each one an hour after the previous, in working hours."""
CRON = {
    "daily": "0 {hour} * * 1-5",
    "weekly": "0 {hour} * * 2",
    "monthly": "0 {hour} 8 * *",
}


@dataclass(frozen=True)
class ChaosDrillsArgs:
    scope: RegionScope
    drills: tuple[DrillPlan, ...]
    schedule: str
    """daily, weekly, monthly or manual."""
    zone: str
    """The zone a zone-outage drill takes down."""
    crash_target: str | None = None
    """`app.kubernetes.io/instance` of the agent an agent-crash drill kills."""
    ingress_target: str | None = None
    """`app.kubernetes.io/instance` of the ingress agent (region-outage)."""
    postgres_cluster: str | None = None
    replicated_stores: tuple[str, ...] = ()
    """PostgreSQL stores held in several regions (read-only outside the primary until promoted)."""
    redis_replication: str | None = None
    broker: str | None = None


def cron(schedule: str, index: int) -> str | None:
    pattern = CRON.get(schedule)
    return pattern.format(hour=(FIRST_HOUR + index) % 24) if pattern else None


class ChaosDrills(pulumi.ComponentResource):
    """Scheduled fault experiments (see the module docstring)."""

    schedules: list[str]
    skipped: list[str]

    def __init__(self, name: str, args: ChaosDrillsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:ChaosDrills", name, None, opts)
        scope = args.scope
        self.schedules = []
        self.skipped = []
        ns = [scope.namespace]
        agents = {"app.kubernetes.io/part-of": scope.system, "app.kubernetes.io/component": "agent"}
        for index, drill in enumerate(args.drills):
            when = cron(args.schedule, index)
            experiment = self._experiment(drill, args, ns, agents)
            if when is None or experiment is None:
                self.skipped.append(drill.name)
                continue
            kind, body = experiment
            obj = object_name(scope.system, "drill", drill.name)
            field = kind[0].lower() + kind[1:]
            custom_resource(
                scope.resource_name("drill", drill.name),
                api_version="chaos-mesh.org/v1alpha1",
                kind="Schedule",
                metadata=scope.metadata(
                    obj,
                    labels=scope.labels(name=drill.name, instance=obj, component="chaos"),
                    spec_path=f"chaos.drills.{drill.name}",
                ),
                spec={
                    "schedule": when,
                    "type": kind,
                    "historyLimit": 5,
                    "concurrencyPolicy": "Forbid",
                    "startingDeadlineSeconds": 600,
                    field: body,
                },
                opts=scope.opts(self),
            )
            self.schedules.append(obj)
        self.register_outputs({"schedules": self.schedules, "skipped": self.skipped})

    @staticmethod
    def _experiment(
        drill: DrillPlan, args: ChaosDrillsArgs, ns: list[str], agents: dict[str, str]
    ) -> tuple[str, dict[str, Any]] | None:
        def pods(labels: dict[str, str]) -> dict[str, Any]:
            return {"namespaces": ns, "labelSelectors": labels}

        if drill.name == "zone-outage":
            return "PodChaos", {
                "action": "pod-failure",
                "mode": "all",
                "duration": "10m",
                "selector": {"namespaces": ns, "nodeSelectors": {"topology.kubernetes.io/zone": args.zone}},
            }
        if drill.name == "region-outage" and args.ingress_target and not args.replicated_stores:
            return "PodChaos", {
                "action": "pod-failure",
                "mode": "all",
                "duration": "15m",
                "selector": pods({"app.kubernetes.io/instance": args.ingress_target}),
            }
        if drill.name == "agent-crash" and args.crash_target:
            return "PodChaos", {
                "action": "pod-kill",
                "mode": "fixed-percent",
                "value": "50",
                "selector": pods({"app.kubernetes.io/instance": args.crash_target}),
            }
        if drill.name == "store-failover":
            if args.postgres_cluster:
                target = {"cnpg.io/cluster": args.postgres_cluster, "cnpg.io/instanceRole": "primary"}
            elif args.redis_replication:
                # The operator labels the current master `redis-role: master` (replicas `slave`): kill
                # that one, so Sentinel has a failover to do, not a replica to resync.
                target = {"app": args.redis_replication, "redis-role": "master"}
            else:
                return None
            return "PodChaos", {"action": "pod-kill", "mode": "one", "selector": pods(target)}
        if drill.name == "queue-outage" and args.broker:
            return "NetworkChaos", {
                "action": "partition",
                "mode": "all",
                "direction": "to",
                "duration": "5m",
                "selector": pods(agents),
                "target": {"mode": "all", "selector": pods({"app.kubernetes.io/name": args.broker})},
            }
        if drill.name == "network-latency":
            return "NetworkChaos", {
                "action": "delay",
                "mode": "all",
                "direction": "to",
                "duration": "10m",
                "delay": {"latency": "200ms", "jitter": "50ms", "correlation": "25"},
                "selector": pods(agents),
            }
        return None
