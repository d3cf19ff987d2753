"""Runbooks: one Markdown page per failure mode of a planned system, plus an index.

Each page says how the failure is detected (the alarms and dashboards this environment builds, by
their names in the synthesized graph), what the system does by itself and how long it takes (the
steps of `plan.timing`, the numbers `plan` and `blast-radius` show), what a person does (exact
`aws` / `kubectl` / `pulumi` commands; names Pulumi generates are read from the stack at run time,
blueprints/analysis/commands.py), how to verify recovery, how to fail back, and the drill that
rehearses it: the drill's steps, hypothesis and expected RTO/RPO are the plan's `DrillPlan`, built
from blueprints/plan/failure_modes.py — the same text the FIS templates and Chaos Mesh schedules
carry. What each failure breaks is the blast radius (blast_radius.py), quoted, not rewritten.

Pages: zone loss; region failover and failback (multi-region); one per store (its engine's
failover); queues (broker outage, dead-letter redrive); bad deploy; one per external dependency;
secret rotation. Deterministic: same spec, environment and graph → same bytes.
"""

# ruff: noqa: E501, RUF005 -- the shell commands below read (and are reviewed) best as whole lines.
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from blueprints.plan.gateway import GATEWAY, METRICS_SILENT, PROVIDER_SLIS
from blueprints.plan.models import DrillPlan, StorePlan, TopologyPlan
from blueprints.plan.region_switch import RegionSwitchPlan
from blueprints.spec.models import HASpec
from blueprints.units import format_duration

from . import commands
from .blast_radius import BlastRadius, Disruption

INDEX = "index.md"


@dataclass(frozen=True)
class Alarm:
    """An alarm this environment builds: where, for which part, its name and how to read its state."""

    region: str | None
    part: str
    name: str
    check: str
    role: str = ""
    """aws: the alarm's `agentha:role` tag (`alarm-<sli>`), e.g. `alarm-model-api-error-rate`."""


@dataclass(frozen=True)
class Names:
    """Names read from the synthesized graph (the explicit ones) and its exports."""

    alarms: tuple[Alarm, ...]
    dashboards: tuple[tuple[str, str], ...]
    """(region, dashboard name)."""
    health_checks: tuple[tuple[str, str], ...]
    """(region, logical name of its Route 53 health check)."""
    logical: tuple[tuple[str, str, str, str], ...]
    """(type, spec path, region, logical name) of every custom resource, to find ids by."""
    kubernetes: dict[str, Any]
    """The stack output `kubernetes` (namespace, contexts, broker and store object names)."""
    queues: tuple[tuple[str, str, str], ...] = ()
    """kubernetes: (spec queue, RabbitMQ queue name, vhost) of each queue and dead-letter queue."""

    def alarms_for(self, parts: Iterable[str], region: str | None = None) -> list[Alarm]:
        wanted = set(parts)
        return [a for a in self.alarms if a.part in wanted and (region is None or a.region in (region, None))]

    def dashboard(self, region: str) -> str | None:
        return dict(self.dashboards).get(region)

    def find(self, type_prefix: str, spec_path: str, region: str | None = None) -> str | None:
        return next(
            (
                name
                for t, path, r, name in self.logical
                if t.startswith(type_prefix) and path == spec_path and (region is None or r == region)
            ),
            None,
        )


def names(graph: Iterable[Any], target: str, exports: dict[str, Any] | None = None) -> Names:
    """The names a runbook cites, from a captured graph (stacks.graph.ResourceGraph)."""
    from . import scope

    alarms: list[Alarm] = []
    dashboards: list[tuple[str, str]] = []
    checks: list[tuple[str, str]] = []
    logical: list[tuple[str, str, str, str]] = []
    queues: list[tuple[str, str, str]] = []
    for r in graph:
        if not getattr(r, "custom", True):
            continue
        where = scope.locate(r)
        inputs = r.inputs or {}
        tags = inputs.get("tags") or {}
        region = tags.get("agentha:region") or where.region
        logical.append((r.type, where.spec_path, region or "", r.name))
        part = tags.get("agentha:part", "")
        if (
            r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
            or r.type == "aws:cloudwatch/compositeAlarm:CompositeAlarm"
        ):
            explicit = inputs.get("alarmName")
            kind = "composite-alarms" if "composite" in r.type else "metric-alarms"
            if explicit:
                check = (
                    f"aws cloudwatch describe-alarms --region {region} --alarm-names {explicit} "
                    f"--alarm-types {'CompositeAlarm' if 'composite' in r.type else 'MetricAlarm'} "
                    f"--query '{'CompositeAlarms' if 'composite' in r.type else 'MetricAlarms'}[].StateValue'"
                )
                alarms.append(Alarm(region, part, explicit, check, tags.get("agentha:role", "")))
            else:
                # Pulumi names it `<logical>-<7 hex>`: the logical name is an exact prefix.
                check = (
                    f"aws cloudwatch describe-alarms --region {region} --alarm-name-prefix {r.name}- "
                    f"--query '{'CompositeAlarms' if kind == 'composite-alarms' else 'MetricAlarms'}[].[AlarmName,StateValue]'"
                )
                alarms.append(Alarm(region, part, f"{r.name}-*", check, tags.get("agentha:role", "")))
        elif r.type == "aws:cloudwatch/dashboard:Dashboard" and region:
            dashboards.append((region, inputs.get("dashboardName") or r.name))
        elif r.type == "aws:route53/healthCheck:HealthCheck":
            checks.append((tags.get("agentha:region", ""), r.name))
        elif r.type.endswith("monitoring.coreos.com/v1:PrometheusRule"):
            for group in (inputs.get("spec") or {}).get("groups", []):
                for rule in group.get("rules", []):
                    if not rule.get("alert"):
                        continue
                    labels = rule.get("labels") or {}
                    rpart = labels.get("agent") or labels.get("queue") or labels.get("store") or "observability"
                    alarms.append(
                        Alarm(
                            labels.get("region") or where.region,
                            rpart,
                            f"{rule['alert']}{{{', '.join(f'{k}={v}' for k, v in sorted(labels.items()) if k in ('agent', 'queue', 'store'))}}}",
                            'Alertmanager / Prometheus: ALERTS{alertname="' + rule["alert"] + '"}',
                        )
                    )
        elif r.type.endswith("core/v1:ConfigMap") and where.spec_path == "observability" and where.region:
            dashboards.append((where.region, f"Grafana dashboard ConfigMap {inputs['metadata']['name']}"))
        elif r.type.endswith("rabbitmq.com/v1beta1:Queue"):
            spec = inputs.get("spec") or {}
            queues.append((where.spec_path.removeprefix("queues."), spec.get("name", ""), spec.get("vhost", "")))
    return Names(
        alarms=tuple(sorted(set(alarms), key=lambda a: (a.region or "", a.part, a.name))),
        dashboards=tuple(sorted(set(dashboards))),
        health_checks=tuple(sorted(set(checks))),
        logical=tuple(sorted(set(logical))),
        kubernetes=dict((exports or {}).get("kubernetes") or {}),
        queues=tuple(sorted(set(queues))),
    )


# --- page building -----------------------------------------------------------------------------------


@dataclass
class _Page:
    slug: str
    title: str
    summary: str
    drill: str | None
    lines: list[str]

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _d(value: float | None) -> str:
    return "unbounded" if value is None else format_duration(value)


def _sh(*lines: str) -> list[str]:
    return ["```sh", *lines, "```", ""]


class _Writer:
    def __init__(self, spec: HASpec, plan: TopologyPlan, br: BlastRadius, n: Names, stack: str | None) -> None:
        self.spec, self.plan, self.br, self.n, self.stack = spec, plan, br, n, stack
        self.timing = plan.timing
        assert self.timing is not None
        self.serving = [r for r in plan.regions if r.serving] or [plan.primary_region]
        self.aws = plan.target == "aws"

    # -- shared pieces -------------------------------------------------------------------------

    def header(self, title: str, what: str) -> list[str]:
        env = f", environment `{self.plan.environment}`" if self.plan.environment else ""
        return [
            f"# {title}",
            "",
            f"{self.plan.system}{env} ({self.plan.target}, {self.plan.pattern}). {what}",
            "",
            "Generated by `agentha-blueprint runbook` from the spec; numbers are the plan's (`agentha-blueprint "
            "plan --explain`). Commands read names Pulumi generated from the stack"
            + (f" `{self.stack}`" if self.stack else "")
            + " at run time (`pulumi stack output`, `pulumi stack export`, `jq`).",
            "",
        ]

    def detect(
        self, parts: Sequence[str], regions: Sequence[str] | None = None, roles: frozenset[str] = frozenset()
    ) -> list[str]:
        """The dashboards and alarms of `parts` (and of observability) per region; `roles` adds the model
        gateway's alarms with those `agentha:role` tags (one provider's SLIs, not every provider's)."""
        lines = ["## Detect", ""]
        regions = list(regions) if regions is not None else [r.name for r in self.serving]
        for region in regions:
            board = self.n.dashboard(region)
            if board:
                lines.append(f"- Dashboard ({region}): `{board}`")
        shown = []
        for region in regions:
            shown += [a for a in self.n.alarms_for([*parts, "observability"], region) if a not in shown]
            shown += [a for a in self.n.alarms_for([GATEWAY], region) if a.role in roles and a not in shown]
        for a in shown:
            lines.append(f"- Alarm{f' ({a.region})' if a.region else ''}: `{a.name}` — state: `{a.check}`")
        if not shown:
            lines.append("- No alarm watches this directly: the SLO burn alarm and the callers' error rate show it.")
        lines.append("")
        return lines

    def breaks(self, d: Disruption | None) -> list[str]:
        if d is None:
            return []
        lines = ["## What it breaks", "", f"RTO {_d(d.rto_s)}, RPO {_d(d.rpo_s)} ({d.basis})."]
        if d.covered:
            lines[-1] += " " + (
                f"**Breaches the objective: {'; '.join(d.breaches)}.**" if d.breaches else "Within the objective."
            )
        lines.append("")
        for e in d.effects:
            if e.status in ("degraded", "down") and e.detail:
                lines.append(f"- {e.detail}.")
        lines.append("")
        return lines

    def drill(self, name: str) -> tuple[list[str], str | None]:
        drill = next((d for d in self.plan.chaos.drills if d.name == name), None)
        if drill is None:
            return (
                [
                    "## Drill",
                    "",
                    f"No `{name}` drill in this environment's `chaos.drills`: add it to rehearse this page.",
                    "",
                ],
                None,
            )
        return self._drill(drill), drill.name

    def _drill(self, drill: DrillPlan) -> list[str]:
        lines = [
            "## Drill",
            "",
            f"`{drill.name}` ({self.plan.chaos.schedule}): {drill.target}; expected RTO {_d(drill.expected_rto_s)}, "
            f"RPO {_d(drill.expected_rpo_s)}.",
        ]
        if drill.expects:
            lines.append(f"Hypothesis (the FIS template's description carries the same words): {drill.expects}.")
        lines.append("")
        lines += [f"{i}. {step}" for i, step in enumerate(drill.runbook, 1)]
        lines.append("")
        if self.aws and drill.name in ("agent-crash", "zone-outage", "store-failover"):
            sel = commands.selector(self.stack)
            lines += ["Start it (FIS template built by the stack):", ""]
            lines += _sh(f"$(pulumi stack output{sel} chaos_drills --json | jq -r '.[\"{drill.name}\"]')")
        return lines

    def ecs(self, region: str, agent: str) -> str:
        return (
            f'--cluster "{commands.output_of(self.stack, region, "cluster")}" '
            f'--service "{commands.output_of(self.stack, region, "agents", agent, "service")}"'
        )

    def kind(self, region: str, agent: str) -> str:
        """The Kubernetes workload kind of an agent (Rollout with a progressive rollout, else Deployment)."""
        regions = self.n.kubernetes.get("regions", {})
        return str(regions.get(region, {}).get("agents", {}).get(agent, {}).get("kind", "Deployment"))

    def restart(self, region: str, agent: str) -> str:
        k, obj = self.kctx(region), f"{self.plan.system}-{agent}"
        if self.kind(region, agent) == "Rollout":
            return f"kubectl argo rollouts {k} restart {obj}"
        return f"kubectl {k} rollout restart deployment/{obj}"

    def kctx(self, region: str) -> str:
        regions = self.n.kubernetes.get("regions", {})
        ctx = regions.get(region, {}).get("context", f"{self.plan.system}-{region}")
        ns = regions.get(region, {}).get("namespace", self.plan.system)
        return f"--context {ctx} -n {ns}"

    # -- pages ---------------------------------------------------------------------------------

    def zone(self) -> _Page | None:
        zones = [(r.name, z) for r in self.serving for z in r.zones]
        if len(self.serving[0].zones) < 2:
            return None
        region = self.serving[0].name
        zone = self.serving[0].zones[0]
        d = self.br.disruption(f"zone:{zone}")
        lines = self.header("Zone loss", "One availability zone of a serving region stops.")
        lines += self.detect([f"{a.name}" for a in self.plan.agents])
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        for step in self.timing.zone_recovery:  # type: ignore[union-attr]
            lines.append(f"- {step.label}: {_d(step.seconds)} ({step.mechanism})")
        rto = next(e for e in self.plan.estimates if e.kind == "rto" and e.disruption == "zone")
        lines += ["", f"Every part serves again within {_d(rto.value)} (the slowest step).", ""]
        lines += ["## What you do", ""]
        if self.aws:
            lb = (
                self.n.find("aws:lb/loadBalancer:", f"agents.{self.plan.routing.agent}", region)
                if self.plan.routing
                else None
            )
            lines.append(
                "Nothing is required: the load balancers stop sending to the zone and each service keeps its "
                "planned survivors. If the zone is impaired rather than gone (gray failure), move traffic out of it "
                f"(example: {zone} in {region}):"
            )
            lines.append("")
            cmds = [
                f"ZONE_ID=$(aws ec2 describe-availability-zones --region {region} --zone-names {zone} --query 'AvailabilityZones[0].ZoneId' --output text)"
            ]
            for r, logical in sorted(
                {
                    (rr, nm)
                    for t, path, rr, nm in self.n.logical
                    if t.startswith("aws:lb/loadBalancer:") and rr == region
                }
            ):
                cmds.append(
                    f"aws arc-zonal-shift start-zonal-shift --region {r} --resource-identifier "
                    f'"{commands.resource_id(self.stack, logical)}" --away-from "$ZONE_ID" --expires-in 2h '
                    f'--comment "zone {zone} impaired"'
                )
            lines += _sh(*cmds)
            lines.append("Check that every agent still runs its minimum:")
            lines.append("")
            lines += _sh(
                *[
                    f"aws ecs describe-services --region {region} {self.ecs(region, a.name)} "
                    "--query 'services[0].[runningCount,desiredCount]'"
                    for a in self.plan.agents
                    if a.placement(region) is not None
                ]
            )
            del lb
        else:
            lines.append(f"Keep new pods out of the zone while it is impaired (example: {zone}):")
            lines.append("")
            k = self.kctx(region)
            ctx = k.split(" -n ")[0]
            lines += _sh(
                f"kubectl {ctx} cordon -l topology.kubernetes.io/zone={zone}",
                f"kubectl {k} get pods -l app.kubernetes.io/part-of={self.plan.system} -o wide",
            )
        lines += ["## Verify", ""]
        lines += [
            f"- {effect.detail}." for a in self.plan.agents if (effect := d.effect(f"agent:{a.name}")) is not None
        ]  # type: ignore[union-attr]
        lines += ["- The alarms above are back to OK; the SLO burn alarm did not fire.", ""]
        lines += ["## Fail back", ""]
        if self.aws:
            lines += _sh(
                f"aws arc-zonal-shift list-zonal-shifts --region {region} --status ACTIVE",
                f"aws arc-zonal-shift cancel-zonal-shift --region {region} --zonal-shift-id <id from the list>",
            )
            lines.append("ECS places new tasks across the zones again as it replaces or scales them.")
        else:
            ctx = self.kctx(region).split(" -n ")[0]
            lines += _sh(f"kubectl {ctx} uncordon -l topology.kubernetes.io/zone={zone}")
            lines.append("The scheduler spreads new pods over the zones again; existing pods stay where they are.")
        lines.append("")
        drill, name = self.drill("zone-outage")
        lines += drill
        del zones
        return _Page("zone-loss", "Zone loss", f"RTO {_d(d.rto_s)}, RPO {_d(d.rpo_s)}", name, lines)

    def region(self) -> _Page | None:
        if self.plan.pattern not in ("active-passive", "active-active") or len(self.plan.regions) < 2:
            return None
        t = self.timing
        assert t is not None
        primary = self.plan.primary_region.name
        others = [r.name for r in self.plan.regions if r.name != primary]
        d = self.br.disruption(f"region:{primary}")
        lines = self.header(
            "Region failover and failback", f"Region {primary} fails; users move to {', '.join(others)}."
        )
        lines += self.detect([a.name for a in self.plan.agents], [primary])
        for region, logical in self.n.health_checks:
            lines.append(
                f"- Route 53 health check for {region}: `aws route53 get-health-check-status --health-check-id "
                f'"{commands.resource_id(self.stack, logical)}"`'
            )
        if self.n.health_checks:
            lines.append("")
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        lines.append(f"- Detection: {t.region_detection.label}: {_d(t.region_detection.seconds)}.")
        if t.manual_response_s is not None:
            lines.append(f"- Failover is manual: the plan counts {_d(t.manual_response_s)} for someone to act.")
        lines.append(f"- Switch: {t.region_switch.label}: {_d(t.region_switch.seconds)}.")
        if t.standby_start is not None:
            lines.append(f"- {t.standby_start.label}: {_d(t.standby_start.seconds)}.")
        for step in t.store_promotion:
            lines.append(f"- {step.label}: {_d(step.seconds)} — by the command below, not by DNS.")
        lines += ["", f"Users are served again after {_d(t.region_failover_s)} (detection + switch).", ""]
        for note in t.notes:
            lines.append(f"> {note}")
        lines += ["", "## What you do", ""]
        switch = self.switch_plan(others[0])
        if self.aws and switch is not None:
            lines += self.start_switch(switch, failover=True)
            lines += [
                "By hand, only if the Region switch plan cannot run (the same steps, in the same order):",
                "",
            ]
        if self.aws:
            checks = dict(self.n.health_checks)
            if primary in checks:
                lines.append(
                    f"To fail over now (or to keep users in {others[0]} while {primary} recovers), make the primary's "
                    "health check report unhealthy:"
                )
                lines.append("")
                lines += _sh(
                    f'aws route53 update-health-check --health-check-id "{commands.resource_id(self.stack, checks[primary])}" --inverted'
                )
            for store in self.plan.stores:
                lines += self.promote(store, primary, others[0])
            for agent in self.plan.agents:
                p = agent.placement(others[0])
                if p is not None and p.max:
                    lines.append(f"Scale `{agent.name}` in {others[0]} up front if its autoscaling lags:")
                    lines.append("")
                    lines += _sh(
                        f"aws ecs update-service --region {others[0]} {self.ecs(others[0], agent.name)} "
                        f"--desired-count {max(p.desired, p.max // 2)}"
                    )
        else:
            lines.append(
                "Kubernetes: k8gb moves users by itself when the ingress agent is not ready. For a PostgreSQL store "
                "in several regions, follow FAILOVER.md (written by `agentha-blueprint render`): promote, fence the "
                "old primary when it returns, rebuild it as a replica"
                + (
                    "; every region's agents write to the promoted region once its folder is applied."
                    if self.plan.pattern == "active-active"
                    else "."
                )
            )
            lines.append("")
        lines += ["## Verify", ""]
        if self.plan.routing is not None:
            lines += _sh(
                f"dig +short {self.plan.routing.domain}",
                f"curl -fsS https://{self.plan.routing.domain}{self.plan.routing.health_path}",
            )
        lines += [f"- The alarms of {others[0]} are OK and its dashboard shows the traffic.", ""]
        lines += ["## Fail back", ""]
        lines.append(
            f"Once {primary} is healthy and its stores caught up (replication-lag alarms OK): "
            + (
                "Route 53 sends users back as soon as the primary's health check passes again, so first bring "
                "the stores back, then remove the inversion."
                if self.aws and switch is None
                else "run the Region switch plan's failback workflow: it switches the stores back, then "
                + (
                    "lets the primary's record answer again (the plan's own health check gates it)."
                    if switch is not None and switch.routes_traffic
                    else "Route 53 sends users back once the primary's health check passes."
                )
                if self.aws
                else (
                    "switch the writer back (FAILOVER.md, planned switch back): every region's agents then write "
                    "there again."
                    if self.plan.pattern == "active-active"
                    else "move k8gb's primary back (FAILOVER.md, planned switch back)."
                )
            )
        )
        lines.append("")
        if self.aws and switch is not None:
            lines += self.start_switch(switch, failover=False)
            lines += ["By hand, only if the Region switch plan cannot run:", ""]
        if self.aws:
            checks = dict(self.n.health_checks)
            for store in self.plan.stores:
                lines += self.switch_back(store, primary)
            if primary in checks:
                lines += _sh(
                    f'aws route53 update-health-check --health-check-id "{commands.resource_id(self.stack, checks[primary])}" --no-inverted'
                )
        drill, name = self.drill("region-outage")
        lines += drill
        return _Page(
            "region-failover", "Region failover and failback", f"RTO {_d(d.rto_s)}, RPO {_d(d.rpo_s)}", name, lines
        )

    def switch_plan(self, other: str) -> RegionSwitchPlan | None:
        """The ARC Region switch plan the stack builds for the primary and `other` (aws), if any."""
        if not self.aws:
            return None
        from blueprints.plan.region_switch import region_switch_plans

        return next((p for p in region_switch_plans(self.plan) if other in p.regions), None)

    def start_switch(self, switch: RegionSwitchPlan, failover: bool) -> list[str]:
        """Start the plan's failover (or failback) workflow with the command the stack exports, and watch it."""
        primary = self.plan.primary_region.name
        if switch.approach == "activePassive":
            standby = next(r for r in switch.regions if r != primary)
            action, region = "activate", (standby if failover else primary)
        else:
            action, region = ("deactivate" if failover else "activate"), primary
        output = f"pulumi stack output{commands.selector(self.stack)} region_switch --json"
        start = f'$({output} | jq -r \'.["{switch.name}"]["start"]["{action}-{region}"]\')'
        arn = f'$({output} | jq -r \'.["{switch.name}"]["plan_arn"]\')'
        what = "failover" if failover else "failback"
        lines = [
            f"Start the {what} workflow of the ARC Region switch plan `{switch.name}` ({action} {region}): it runs "
            "the steps the plan's region RTO adds up (scale, promote or switch over each store, move traffic)"
            + (
                ", waiting for your approval where `failover.mode` is manual"
                if any(b.kind == "ManualApproval" for b in switch.failover.blocks)
                else ""
            )
            + ". Then follow it:",
            "",
        ]
        lines += _sh(
            f'eval "{start}"',
            f'aws arc-region-switch list-plan-executions --region {switch.endpoint(action, region)} --plan-arn "{arn}"',
        )
        return lines

    def promote(self, store: StorePlan, primary: str, to: str) -> list[str]:
        if store.primary_region != primary or to not in store.regions:
            return []
        if store.engine == "aurora-postgresql":
            global_id = self.n.find("aws:rds/globalCluster:", f"stores.{store.name}")
            cluster = self.n.find("aws:rds/cluster:", f"stores.{store.name}", to)
            if global_id and cluster:
                return [
                    f"Promote `{store.name}` (Aurora global database) in {to}; writes since the last replicated "
                    "one are lost (the region RPO):",
                    "",
                ] + _sh(
                    f'aws rds failover-global-cluster --region {to} --global-cluster-identifier "{commands.resource_id(self.stack, global_id)}" '
                    f'--target-db-cluster-identifier "$(aws rds describe-db-clusters --region {to} --db-cluster-identifier '
                    f"{commands.resource_id(self.stack, cluster)} --query 'DBClusters[0].DBClusterArn' --output text)\" --allow-data-loss"
                )
        if store.engine == "valkey":
            group = self.n.find("aws:elasticache/globalReplicationGroup:", f"stores.{store.name}")
            replica = self.n.find("aws:elasticache/replicationGroup:", f"stores.{store.name}", to)
            if group and replica:
                return [f"Promote `{store.name}` (ElastiCache global datastore) in {to}:", ""] + _sh(
                    f'aws elasticache failover-global-replication-group --region {to} --global-replication-group-id "{commands.resource_id(self.stack, group)}" '
                    f'--primary-region {to} --primary-replication-group-id "{commands.resource_id(self.stack, replica)}"'
                )
        if store.engine == "dynamodb":
            return [f"`{store.name}` (DynamoDB global table): nothing to promote; {to}'s replica takes writes.", ""]
        if store.engine == "aurora-dsql":
            return [
                f"`{store.name}` (Aurora DSQL multi-Region cluster): nothing to promote; {to}'s peered cluster "
                "takes writes (strongly consistent, the witness keeps the quorum).",
                "",
            ]
        return []

    def switch_back(self, store: StorePlan, primary: str) -> list[str]:
        if store.engine == "aurora-postgresql":
            global_id = self.n.find("aws:rds/globalCluster:", f"stores.{store.name}")
            cluster = self.n.find("aws:rds/cluster:", f"stores.{store.name}", primary)
            if global_id and cluster:
                return [f"Switch `{store.name}` back to {primary} (planned: no data loss):", ""] + _sh(
                    f'aws rds switchover-global-cluster --region {primary} --global-cluster-identifier "{commands.resource_id(self.stack, global_id)}" '
                    f'--target-db-cluster-identifier "$(aws rds describe-db-clusters --region {primary} --db-cluster-identifier '
                    f"{commands.resource_id(self.stack, cluster)} --query 'DBClusters[0].DBClusterArn' --output text)\""
                )
        return []

    def store(self, store: StorePlan) -> _Page:
        region = store.primary_region
        d = next((x for x in self.br.disruptions if x.id == f"store:{store.name}"), None)
        users = [a.name for a in self.plan.agents if store.name in a.uses or a.idempotency_store == store.name]
        lines = self.header(
            f"Store {store.name} ({store.engine}) failover", f"The primary of `{store.name}` in {region} fails."
        )
        lines += self.detect([store.name, *users], [region])
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        step = next((s for s in self.timing.zone_recovery if s.part == f"store:{store.name}"), None)  # type: ignore[union-attr]
        if step is not None:
            lines.append(f"- {step.label}: {_d(step.seconds)} ({step.mechanism}); {store.on_zone_loss}.")
        lines.append(f"- Region loss: {store.on_region_loss}.")
        lines += ["", "## What you do", ""]
        sel_path = f"stores.{store.name}"
        if store.engine == "aurora-postgresql":
            cluster = self.n.find("aws:rds/cluster:", sel_path, region)
            if cluster:
                lines += ["Fail the writer over to a reader (planned, or when it is stuck):", ""]
                lines += _sh(
                    f'aws rds failover-db-cluster --region {region} --db-cluster-identifier "{commands.resource_id(self.stack, cluster)}"'
                )
        elif store.engine == "valkey":
            group = self.n.find("aws:elasticache/replicationGroup:", sel_path, region)
            if group:
                lines += ["Fail the primary over to a replica:", ""]
                lines += _sh(
                    f'aws elasticache test-failover --region {region} --replication-group-id "{commands.resource_id(self.stack, group)}" --node-group-id 0001'
                )
        elif store.engine == "dynamodb":
            table = self.n.find("aws:dynamodb/table:", sel_path)
            lines.append("DynamoDB has no primary to fail over. To undo bad writes, restore a copy to a point in time:")
            lines.append("")
            if table and store.point_in_time_recovery:
                lines += _sh(
                    f'aws dynamodb restore-table-to-point-in-time --region {region} --source-table-name "{commands.resource_id(self.stack, table)}" '
                    f'--target-table-name "{store.name}-restored" --restore-date-time <UTC time before the bad writes>'
                )
            else:
                lines.append("Point-in-time recovery is off for this table: only on-demand backups can be restored.")
                lines.append("")
        elif store.engine == "aurora-dsql":
            lines.append(
                "Aurora DSQL has no primary to fail over, and no point-in-time recovery: undo bad writes from an "
                "AWS Backup recovery point (the blueprint builds no backup plan for it)."
            )
            lines.append("")
        elif store.engine == "postgres":
            obj = (
                self.n.kubernetes.get("regions", {})
                .get(region, {})
                .get("stores", {})
                .get(store.name, f"{self.plan.system}-{store.name}")
            )
            k = self.kctx(region)
            lines += ["CloudNativePG fails over by itself; to switch over by hand (cnpg kubectl plugin):", ""]
            lines += _sh(
                f"kubectl {k} get cluster {obj} -o jsonpath='{{.status.currentPrimary}}'",
                f"kubectl cnpg {k} promote {obj} <instance, e.g. {obj}-2>",
            )
        elif store.engine == "redis":
            obj = f"{self.plan.system}-{store.name}"
            k = self.kctx(region)
            lines += [
                "Sentinel fails over by itself; to force it (master group `myMaster`, the operator's default):",
                "",
            ]
            lines += _sh(
                f"kubectl {k} exec statefulset/{obj}-sentinel -- redis-cli -p 26379 SENTINEL FAILOVER myMaster"
            )
        lines += [
            "## Verify",
            "",
            f"- Writes from {', '.join(users) or 'the agents'} succeed; their error-rate alarms are OK.",
        ]
        if d is not None and d.rpo_s:
            lines.append(
                f"- Up to {_d(d.rpo_s)} of acknowledged writes may be missing: reconcile from the callers' retries and idempotency keys."
            )
        lines += [
            "",
            "## Fail back",
            "",
            "Nothing to do: the old primary rejoins as a replica; a planned switchover puts it back if you want it there.",
            "",
        ]
        drill, name = self.drill("store-failover")
        lines += drill
        summary = f"RTO {_d(d.rto_s)}, RPO {_d(d.rpo_s)}" if d else "no primary (managed)"
        return _Page(f"store-{store.name}", f"Store {store.name} ({store.engine})", summary, name, lines)

    def queues(self) -> _Page | None:
        if not self.plan.queues:
            return None
        region = self.serving[0].name
        d = next((x for x in self.br.disruptions if x.id == f"broker:{region}"), None)
        lines = self.header(
            "Queues: broker outage and dead-letter redrive",
            "The message broker fails, or messages pile up in dead-letter queues.",
        )
        lines += self.detect([q.name for q in self.plan.queues])
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        for q in self.plan.queues:
            lines.append(
                f"- `{q.name}`: a message not deleted within {_d(q.visibility_timeout_s)} is delivered again; after "
                f"{q.max_receive_count} receives it moves to the dead-letter queue (kept {_d(q.dead_letter_retention_s)})."
            )
        lines += [
            "",
            "## What you do",
            "",
            "Fix the cause first (a bad deploy: [bad-deploy.md](bad-deploy.md)), then move the dead letters back:",
            "",
        ]
        if self.aws:
            cmds = ["ACCOUNT=$(aws sts get-caller-identity --query Account --output text)"]
            for r in self.serving:
                for q in self.plan.queues:
                    cmds.append(
                        f"aws sqs get-queue-attributes --region {r.name} --queue-url https://sqs.{r.name}.amazonaws.com/$ACCOUNT/{q.dead_letter_physical_name} --attribute-names ApproximateNumberOfMessages"
                    )
                    cmds.append(
                        f"aws sqs start-message-move-task --region {r.name} --source-arn arn:aws:sqs:{r.name}:$ACCOUNT:{q.dead_letter_physical_name} "
                        f"--destination-arn arn:aws:sqs:{r.name}:$ACCOUNT:{q.physical_name}"
                    )
            lines += _sh(*cmds)
        else:
            broker = self.n.kubernetes.get("regions", {}).get(region, {}).get("broker", f"{self.plan.system}-rabbitmq")
            k = self.kctx(region)
            names = {q: (name, vhost) for q, name, vhost in self.n.queues}
            cmds = [
                f"kubectl {k} exec {broker}-server-0 -- rabbitmq-plugins enable rabbitmq_shovel  # not kept across restarts"
            ]
            for q in self.plan.queues:
                src = next(
                    (nm for spec_q, nm, _ in self.n.queues if spec_q == q.name and nm.endswith(".dlq")), f"{q.name}.dlq"
                )
                dst, vhost = names.get(q.name, (q.name, self.plan.system))
                dst = next(
                    (nm for spec_q, nm, _ in self.n.queues if spec_q == q.name and not nm.endswith(".dlq")), q.name
                )
                cmds.append(
                    f"kubectl {k} exec {broker}-server-0 -- rabbitmq-queues quorum_status {dst} --vhost {vhost}"
                )
                cmds.append(
                    f"kubectl {k} exec {broker}-server-0 -- rabbitmqctl set_parameter --vhost {vhost} shovel redrive-{q.name} "
                    f'\'{{"src-protocol": "amqp091", "src-uri": "amqp://", "src-queue": "{src}", "dest-protocol": "amqp091", '
                    f'"dest-uri": "amqp://", "dest-queue": "{dst}", "src-delete-after": "queue-length"}}\''
                )
            lines += _sh(*cmds)
            lines += [
                "`amqp://` is the node itself with the broker's default user; if that user cannot connect, put the "
                f"credentials of the `{broker}-default-user` Secret in both URIs.",
                "",
            ]
        lines += ["## Verify", "", "- The dead-letter alarms are back to OK and the oldest-message age falls.", ""]
        lines += [
            "## Fail back",
            "",
            "Nothing to fail back: messages accepted during the outage are delivered when the broker returns.",
            "",
        ]
        drill, name = self.drill("queue-outage")
        lines += drill
        return _Page(
            "queues", "Queues: broker outage, dead-letter redrive", f"RTO {_d(d.rto_s) if d else '—'}", name, lines
        )

    def deploy(self) -> _Page:
        rto = next(e for e in self.plan.estimates if e.kind == "rto" and e.disruption == "application")
        d = self.br.disruption(f"deploy:{self.plan.agents[0].name}") if self.plan.agents else None
        r = self.plan.rollout
        lines = self.header("Bad deploy: roll back", "A new version of an agent fails (errors, latency, crash loop).")
        lines += self.detect([a.name for a in self.plan.agents])
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        lines.append(
            f"- {r.strategy} rollout (steps {', '.join(f'{s} %' for s in r.steps)}, bake {_d(r.bake_s)}); "
            + ("rolled back automatically" if r.auto_rollback else "no automatic rollback")
            + f": recovered within {_d(rto.value)} ({rto.formula})."
        )
        lines += ["", "## What you do", ""]
        primary = self.serving[0].name
        for agent in self.plan.agents:
            lines.append(f"`{agent.name}`:")
            lines.append("")
            if self.aws:
                cmds = []
                for reg in self.serving:
                    cmds.append(
                        f"DEPLOYMENT=$(aws ecs list-service-deployments --region {reg.name} {self.ecs(reg.name, agent.name)} "
                        "--status IN_PROGRESS --query 'serviceDeployments[0].serviceDeploymentArn' --output text)"
                    )
                    cmds.append(
                        f'aws ecs stop-service-deployment --region {reg.name} --service-deployment-arn "$DEPLOYMENT" --stop-type ROLLBACK'
                    )
                lines += _sh(*cmds)
            else:
                k = self.kctx(primary)
                obj = f"{self.plan.system}-{agent.name}"
                if self.kind(primary, agent.name) == "Rollout":
                    lines += _sh(f"kubectl argo rollouts {k} abort {obj}", f"kubectl argo rollouts {k} undo {obj}")
                else:
                    lines += _sh(f"kubectl {k} rollout undo deployment/{obj}")
        lines.append(
            f"Then pin the previous image in the spec and apply it, so the next `pulumi up` does not roll forward again: "
            f"`pulumi up{commands.selector(self.stack)}`."
        )
        lines += ["", "## Verify", "", "- The running version is the previous one; the SLO burn alarm is OK.", ""]
        lines += ["## Fail back", "", "Roll forward with a fixed version through the same rollout.", ""]
        drill, name = self.drill("agent-crash")
        lines += drill
        return _Page("bad-deploy", "Bad deploy: roll back", f"RTO {_d(rto.value)}", name, lines)

    def dependency(self, name: str) -> _Page:
        dep = next(x for x in self.plan.dependencies if x.name == name)
        d = next((x for x in self.br.disruptions if x.id == f"dependency:{name}"), None)
        gw = self.plan.gateway if dep.kind == "model-provider" else None
        lines = self.header(f"Dependency {name} ({dep.kind}) outage", f"`{name}` stops answering.")
        # aws: the gateway's alarms on this provider, and the one that says they can see; on kubernetes the
        # `ModelProvider*` and `ModelGateway*` alerts are listed with the other observability alerts.
        roles = (
            frozenset(f"alarm-{name}-{sli}" for sli in PROVIDER_SLIS) | {f"alarm-{METRICS_SILENT}"}
            if gw is not None
            else frozenset()
        )
        lines += self.detect(list(dep.callers), roles=roles)
        lines += self.breaks(d)
        lines += ["## What the system does by itself", ""]
        fallback = ", ".join(dep.fallback)
        if gw is not None:
            attempts = f"{gw.retries + 1} attempt(s) of up to {_d(gw.timeout(name))} each"
            lines.append(
                f"- The model gateway ({GATEWAY}, every region) gives each call {attempts} on `{name}`"
                + (
                    f", then answers it from {fallback} ({_d(dep.switch_s)} at the most); after "
                    f"{gw.allowed_fails} failures in a minute it takes `{name}` out of rotation for "
                    f"{_d(gw.cooldown_s)} and sends calls straight to {fallback}, then tries `{name}` again."
                    if dep.switch_s is not None
                    else "; with no fallback the call fails after them, for as long as the outage lasts."
                )
            )
        for agent in self.plan.agents:
            if agent.name not in dep.callers:
                continue
            b = agent.circuit_breaker
            lines.append(
                f"- `{agent.name}`: retries up to {agent.retries.max_attempts} times"
                + (
                    f"; its circuit breaker opens at {b.failure_rate_percent:g} % failures over {_d(b.window_s)} and "
                    f"stays open {_d(b.open_for_s)}"
                    if b
                    else "; no circuit breaker"
                )
                + (f"; falls back to {fallback}" if dep.fallback and gw is None else "")
                + (" (through the gateway, which does the falling back)" if gw is not None else "")
                + "."
            )
        lines += ["", "## What you do", ""]
        lines.append(
            f"Confirm the provider's status page; failing over regions does not help (every region calls `{name}`). "
            + (
                "The fallback carries the calls: watch its quota and cost."
                if dep.fallback
                else "With no fallback, "
                "shed load or switch the callers to another provider (spec `dependencies[].fallback`)."
            )
        )
        verify = ["- The callers' error-rate alarms are OK; the breaker closed again."]
        if gw is not None:
            verify.append(
                f"- The gateway's alarms for `{name}` (error rate, falling back) are OK again, and its "
                "metrics-silent alarm (or `ModelGatewayMetricsMissing`) is OK: the gateway's metrics still arrive."
            )
        lines += ["", "## Verify", "", *verify, ""]
        lines += [
            "## Fail back",
            "",
            "Nothing: the callers return to the primary provider when its calls succeed again.",
            "",
        ]
        drill, dname = self.drill("network-latency")
        lines += drill
        return _Page(
            f"dependency-{name}",
            f"Dependency {name}",
            "callers fall back" if dep.fallback else "in series",
            dname,
            lines,
        )

    def secrets(self) -> _Page | None:
        if not self.plan.secrets:
            return None
        lines = self.header("Secret rotation", "A secret value must change (leak, expiry, provider rotation).")
        lines += ["## What you do", ""]
        if self.aws:
            for step in commands.secret_steps(self.plan, self.stack):
                lines.append(f"`{step['name']}` (read by {', '.join(step['agents']) or 'no agent'}):")
                lines.append("")
                lines += _sh(step["set"], *step["check"], *step["restart"])
        else:
            for s in self.plan.secrets:
                lines.append(f"`{s.name}` (read by {', '.join(s.users) or 'no agent'}), in every cluster:")
                lines.append("")
                cmds = []
                for reg in self.plan.regions:
                    k = self.kctx(reg.name)
                    cmds.append(
                        f"kubectl {k} create secret generic {s.resource} --from-file=value={s.name}.txt "
                        "--dry-run=client -o yaml | kubectl " + k + " apply -f -"
                    )
                    cmds += [self.restart(reg.name, a) for a in s.users]
                lines += _sh(*cmds)
        lines += ["## Verify", "", "- New tasks/pods start and pass readiness; the error-rate alarms stay OK.", ""]
        lines += ["## Fail back", "", "Set the previous value again the same way.", ""]
        return _Page("secret-rotation", "Secret rotation", "no downtime (rolling restart)", None, lines)


def runbook_files(spec: HASpec, plan: TopologyPlan, br: BlastRadius, n: Names, stack: str | None) -> dict[str, str]:
    """File name → Markdown: every page and the index."""
    w = _Writer(spec, plan, br, n, stack)
    built: list[_Page | None] = [w.zone(), w.region()]
    built += [w.store(s) for s in plan.stores]
    built += [w.queues(), w.deploy()]
    fallbacks = {name for d in plan.dependencies for name in d.fallback}
    built += [w.dependency(d.name) for d in spec.dependencies if d.name not in fallbacks or d.callers]
    built.append(w.secrets())
    pages = [p for p in built if p is not None]
    files = {f"{p.slug}.md": p.text() for p in pages}
    index = [
        f"# Runbooks: {plan.system}" + (f" ({plan.environment})" if plan.environment else ""),
        "",
        "Generated by `agentha-blueprint runbook`; regenerate after every spec change. What each failure "
        "breaks, row by row: `agentha-blueprint blast-radius`.",
        "",
        "| failure mode | recovery | drill |",
        "|---|---|---|",
    ]
    for p in pages:
        index.append(f"| [{p.title}]({p.slug}.md) | {p.summary} | {p.drill or '—'} |")
    files[INDEX] = "\n".join(index) + "\n"
    return dict(sorted(files.items()))
