"""Planner findings about what the AWS components build (or cannot build) from a spec.

Pure: they read the spec and the planned regions and agents, nothing else.

- `dynamodb-replica-pitr`: the provider's global-table replica block has no PITR retention field
  (pulumi-aws 7.51 `TableReplicaArgs`; hashicorp/terraform-provider-aws#41504), so a replica with
  point-in-time recovery keeps DynamoDB's default of 35 days whatever `backup.retention` says.
- `zone-evacuation`: what moving traffic out of one zone (ARC zonal shift on the load balancers,
  built on every multi-zone region) leaves serving, from the static-stability placement.
- `port-without-callers`: an agent with a port that neither users nor another agent call gets no
  load balancer (nobody could reach one).
"""

from __future__ import annotations

from blueprints.plan.models import AgentPlan, Finding, RegionPlan
from blueprints.spec.models import HASpec

MULTI_REGION = ("active-passive", "active-active")
PITR_DEFAULT_DAYS = 35
"""What DynamoDB keeps when PITR is enabled without RecoveryPeriodInDays (the replicas' case)."""


def aws_findings(spec: HASpec, regions: tuple[RegionPlan, ...], agents: tuple[AgentPlan, ...]) -> list[Finding]:
    if spec.target != "aws":
        return []
    return [*_replica_pitr(spec, regions), *_zone_evacuation(spec, regions, agents), *_unreached_ports(spec, agents)]


def _replica_pitr(spec: HASpec, regions: tuple[RegionPlan, ...]) -> list[Finding]:
    if spec.topology.pattern not in MULTI_REGION or len(regions) < 2:
        return []
    replicas = [r.name for r in regions[1:]]
    out = []
    for i, store in enumerate(spec.stores):
        days = round(store.backup.retention.total_seconds() / 86400)
        if store.engine != "dynamodb" or not store.backup.point_in_time_recovery or days >= PITR_DEFAULT_DAYS:
            continue
        commands = "; ".join(
            f"aws dynamodb update-continuous-backups --region {r} --table-name <its name: pulumi stack output tables> "
            f"--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays={days}"
            for r in replicas
        )
        out.append(
            Finding(
                "warning",
                "dynamodb-replica-pitr",
                f"store '{store.name}': the table keeps {days} days of point-in-time recovery, but its replicas in "
                f"{', '.join(replicas)} keep {PITR_DEFAULT_DAYS} (the provider cannot set a replica's retention: "
                "hashicorp/terraform-provider-aws#41504), so deleted data stays restorable there longer than the "
                "spec says",
                f"after `pulumi up`, set it per replica: {commands} (the provider does not read it back, so it stays)",
                f"stores[{i}].backup.retention",
            )
        )
    return out


def _zone_evacuation(spec: HASpec, regions: tuple[RegionPlan, ...], agents: tuple[AgentPlan, ...]) -> list[Finding]:
    served = [a for a in agents if a.port is not None and (a.ingress or a.callers)]
    out = []
    for region in regions:
        if len(region.zones) < 2 or not served or not region.serving:
            continue
        parts = []
        short = []
        for agent in served:
            p = agent.placement(region.name)
            if p is None or p.desired == 0:
                continue
            declared = spec.agent(agent.name)
            floor = declared.replicas.min if declared is not None else p.min
            parts.append(f"{agent.name} {p.survivors_after_zone_loss} of {p.desired} tasks (min {floor})")
            if p.survivors_after_zone_loss < floor:
                short.append(agent.name)
        if not parts:
            continue
        how = (
            "zonal autoshift (AWS shifts on its own), or a zonal shift you start"
            if spec.topology.zonal_autoshift
            else "a zonal shift you start (`aws arc-zonal-shift start-zonal-shift`)"
        )
        out.append(
            Finding(
                "warning" if short else "info",
                "zone-evacuation",
                f"region {region.name}: moving traffic out of its fullest zone by {how} leaves "
                + ", ".join(parts)
                + " behind the load balancers"
                + (f"; {', '.join(short)} below min until autoscaling adds tasks" if short else "")
                + ". The shift moves load-balancer traffic only: tasks and queue workers in that zone keep running. "
                "It takes effect at once for new connections; in-progress ones may take a few minutes (AWS), and "
                "autoshift starts when AWS's monitoring sees the impairment (no published bound). The zone RTO "
                "counts a hard zone loss, which the health checks handle without a shift",
                "turn on replicas.static_stability" if short else None,
                f"topology.regions[{[r.name for r in spec.topology.regions].index(region.name)}].zones",
            )
        )
    return out


def _unreached_ports(spec: HASpec, agents: tuple[AgentPlan, ...]) -> list[Finding]:
    out = []
    for i, agent in enumerate(agents):
        if agent.port is not None and not agent.ingress and not agent.callers:
            out.append(
                Finding(
                    "info",
                    "port-without-callers",
                    f"agent '{agent.name}' serves port {agent.port}, but neither users (ingress) nor another agent "
                    "(`calls`) reach it, so it gets no load balancer; its port still serves the container health check",
                    f"list '{agent.name}' in the `calls` of the agents that call it",
                    f"agents[{i}].port",
                )
            )
    return out
