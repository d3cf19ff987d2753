"""The ARC Region switch plans of a topology plan: which workflows, which steps, in which order.

Pure: decided from the plan before any resource exists; `components/aws/region_switch_plan.py`
builds exactly these steps and `blueprints/plan/timing.py` counts exactly these (one model of time).

A Region switch plan spans exactly two regions (API `Plan.regions`: "Fixed number of 2 items",
https://docs.aws.amazon.com/arc-region-switch/latest/api/API_Plan.html), so a topology of more
regions gets one plan per pair of the primary region with each other region.

Steps of a workflow that activates (or, active-active, keeps serving from) a region, in order:

1. `ManualApproval` when `topology.failover.mode: manual` (someone approves the failover).
2. `ECSServiceScaling`, one block per agent (the block expects one service per region), in one
   `Parallel` step: the target region's services scale to 100 % of the source region's running
   tasks (the most sampled in the last 24 h) before anything else moves.
3. Stores with cross-region replication, in one `Parallel` step:
   - Aurora global database: an `AuroraGlobalDatabase` block (switchover when graceful, failover
     when run ungraceful).
   - Valkey global datastore: Region switch has no ElastiCache block, so a `ManualApproval` step
     whose description is the exact `aws elasticache failover-global-replication-group` command:
     someone runs it, then approves. This remains manual.
   - DynamoDB global tables: every replica takes writes already (multi-Region strong consistency
     or last writer wins); nothing to promote, no step.

4. Traffic, last (once the target region can serve and write): a `Route53HealthCheck` block on the
   ingress records (`route` below). Region switch vends one Route 53 health check per region of the
   plan and flips them when it runs (STOP pattern: active/passive starts primary healthy, standby
   unhealthy; active/active starts all healthy and a deactivate marks that region unhealthy; ARC
   guide, "Amazon Route 53 health check execution block"). `components/aws/failover_routing.py`
   puts the vended check of each region in `gated_regions` into that region's record as one more
   child of a calculated check that also needs the endpoint's own checks healthy, so:
   - automatic DNS failover keeps working: the endpoint check failing still takes the record out;
   - a Region switch run moves traffic even while the old region's endpoint is healthy;
   - active/passive gates only the PRIMARY record: gating the SECONDARY too would leave both
     records unhealthy when the primary endpoint fails before any plan ran, and Route 53 then
     answers with the primary ("If the health check status for all resource record sets in the
     group is unhealthy, Route 53 considers all resource record sets in the group healthy",
     ChangeResourceRecordSets `HealthCheckId`) - the automatic failover would be lost;
   - after a failover the primary stays out until the failback workflow runs (its check is set
     healthy again), so traffic no longer returns by itself to a region whose database is now the
     secondary.
   Only pairs whose two regions both have an ingress record get it (active/passive routes DNS to
   the primary and the first standby only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from blueprints.plan import naming
from blueprints.plan.models import TopologyPlan

BlockKind = Literal["ManualApproval", "ECSServiceScaling", "AuroraGlobalDatabase", "Route53HealthCheck"]
Purpose = Literal["approve", "scale", "promote", "promote-manually", "route"]

PLAN_NAME_LIMIT = 32
"""`Plan.name`: 1-32 characters of [a-zA-Z0-9-] (API reference, Plan)."""

SCALE_PERCENT = 100
"""ECS blocks scale the target region to 100 % of the source region's tasks (full capacity)."""

ROUTE_TIMEOUT_MINUTES = 10
"""How long the Route 53 health check block may take before the step fails (API
`Route53HealthCheckConfiguration.timeoutMinutes`; the provider's acceptance test uses 10)."""

APPROVAL_TIMEOUT_MINUTES = 60
"""How long a manual approval waits before the step times out (the console's usual value)."""

TRIGGER_MIN_DELAY_MINUTES = 60
"""Minimum delay between two executions a trigger starts: one failover per hour, never a flap."""


@dataclass(frozen=True)
class SwitchBlock:
    """One execution block of a workflow."""

    name: str
    kind: BlockKind
    purpose: Purpose
    target: str = ""
    """The agent (scale) or store (promote) the block acts on; empty for the failover approval."""
    engine: str = ""


@dataclass(frozen=True)
class SwitchWorkflow:
    """A workflow: activate (or deactivate) `region`; its steps run in order, the blocks of a
    step side by side (a step of more than one block is built as a `Parallel` step)."""

    action: Literal["activate", "deactivate"]
    region: str | None
    """The region it acts on; None for an active/active plan, whose one activate and one deactivate
    workflow serve either region (ARC guide, "Region switch components": "For a plan that you
    configure for an active/active approach, you create one workflow to activate your Regions and
    one workflow to deactivate your Regions")."""
    steps: tuple[tuple[SwitchBlock, ...], ...]

    @property
    def blocks(self) -> tuple[SwitchBlock, ...]:
        return tuple(b for step in self.steps for b in step)


@dataclass(frozen=True)
class SwitchTrigger:
    """Start `action` on `region` when `alarm_region`'s SLO burn alarm is red (automatic mode)."""

    action: Literal["activate", "deactivate"]
    region: str
    alarm_region: str


@dataclass(frozen=True)
class RegionSwitchPlan:
    """One Region switch plan: two regions, its workflows, triggers and recovery time objective."""

    name: str
    regions: tuple[str, str]
    primary_region: str | None
    approach: Literal["activePassive", "activeActive"]
    rto_minutes: int | None
    workflows: tuple[SwitchWorkflow, ...]
    triggers: tuple[SwitchTrigger, ...]
    manual: bool
    gated_regions: tuple[str, ...] = ()
    """Regions whose ingress record also needs this plan's vended Route 53 health check healthy
    (empty: the plan has no Route 53 block)."""
    record_sets: tuple[tuple[str, str], ...] = ()
    """(region, record set identifier) of the ingress records the Route 53 block maps."""

    @property
    def routes_traffic(self) -> bool:
        return bool(self.record_sets)

    def workflow(self, action: str, region: str | None) -> SwitchWorkflow:
        return next(w for w in self.workflows if w.action == action and w.region == region)

    def endpoint(self, action: str, region: str) -> str:
        """Region switch's data plane to call: the region being activated, or, to deactivate a
        region, the other (healthy) one (StartPlanExecution API reference)."""
        if action == "activate":
            return region
        return next(r for r in self.regions if r != region)

    @property
    def failover(self) -> SwitchWorkflow:
        """The workflow a region outage runs: activate the standby, or deactivate the lost active region."""
        if self.approach == "activePassive":
            standby = next(r for r in self.regions if r != self.primary_region)
            return self.workflow("activate", standby)
        return self.workflow("deactivate", None)

    @property
    def executions(self) -> tuple[tuple[str, str], ...]:
        """(action, target region) pairs a person can start: failover and failback (active/passive),
        or taking either region out and back in (active/active)."""
        if self.approach == "activePassive":
            return tuple((w.action, w.region) for w in self.workflows if w.region is not None)
        return tuple((w.action, r) for r in self.regions for w in self.workflows)


def plan_name(plan: TopologyPlan, other: str) -> str:
    """The plan's physical name, `<system>-<env>-<region code>` fitted to 32 characters."""
    return naming.fit(naming.join(plan.system, plan.environment, "switch", naming.region_code(other)), PLAN_NAME_LIMIT)


def region_objective_minutes(plan: TopologyPlan) -> int | None:
    """The region RTO objective, rounded up to whole minutes (`RecoveryTimeObjectiveMinutes`)."""
    rto = next((e for e in plan.estimates if e.kind == "rto" and e.disruption == "region"), None)
    if rto is None or rto.objective is None:
        return None
    return max(1, math.ceil(rto.objective / 60))


def _record_sets(plan: TopologyPlan, regions: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """The ingress records of the pair, when both regions have one (none: no Route 53 block)."""
    routing = plan.routing
    if routing is None or routing.mode == "single":
        return ()
    ids = {r.region: r.set_identifier for r in routing.records}
    if not all(r in ids for r in regions):
        return ()
    return tuple((r, ids[r]) for r in regions)


def _steps(
    plan: TopologyPlan, regions: tuple[str, str], manual: bool, route: bool
) -> tuple[tuple[SwitchBlock, ...], ...]:
    steps: list[tuple[SwitchBlock, ...]] = []
    if manual:
        steps.append((SwitchBlock(name="approve-failover", kind="ManualApproval", purpose="approve"),))
    scale = tuple(
        SwitchBlock(name=f"scale-{a.name}", kind="ECSServiceScaling", purpose="scale", target=a.name)
        for a in plan.agents
        if all(a.placement(r) is not None for r in regions)
    )
    if scale:
        steps.append(scale)
    stores: list[SwitchBlock] = []
    for s in plan.stores:
        if not set(regions) <= set(s.regions):
            continue
        if s.engine == "aurora-postgresql":
            stores.append(
                SwitchBlock(
                    name=f"promote-{s.name}",
                    kind="AuroraGlobalDatabase",
                    purpose="promote",
                    target=s.name,
                    engine=s.engine,
                )
            )
        elif s.engine == "valkey":
            stores.append(
                SwitchBlock(
                    name=f"promote-{s.name}",
                    kind="ManualApproval",
                    purpose="promote-manually",
                    target=s.name,
                    engine=s.engine,
                )
            )
    if stores:
        steps.append(tuple(stores))
    if route:
        steps.append((SwitchBlock(name="route-traffic", kind="Route53HealthCheck", purpose="route"),))
    return tuple(steps)


def region_switch_plans(plan: TopologyPlan, manual: bool | None = None) -> tuple[RegionSwitchPlan, ...]:
    """The Region switch plans an AWS multi-region plan gets (none for one region or Kubernetes).

    `manual`: `topology.failover.mode == "manual"`; None reads it from the finished plan."""
    if plan.target != "aws" or plan.pattern not in ("active-passive", "active-active") or len(plan.regions) < 2:
        return ()
    if manual is None:
        manual = _manual(plan)
    primary = plan.primary_region.name
    active = plan.pattern == "active-active"
    out = []
    for other in (r.name for r in plan.regions if r.name != primary):
        regions = (primary, other)
        record_sets = _record_sets(plan, regions)
        steps = _steps(plan, regions, manual, route=bool(record_sets))
        if active:
            workflows = tuple(
                SwitchWorkflow(action=action, region=None, steps=steps) for action in ("activate", "deactivate")
            )
            triggers = () if manual else tuple(SwitchTrigger("deactivate", r, r) for r in regions)
        else:
            workflows = tuple(SwitchWorkflow(action="activate", region=r, steps=steps) for r in (other, primary))
            triggers = () if manual else (SwitchTrigger("activate", other, primary),)
        out.append(
            RegionSwitchPlan(
                name=plan_name(plan, other),
                regions=regions,
                primary_region=None if active else primary,
                approach="activeActive" if active else "activePassive",
                rto_minutes=region_objective_minutes(plan),
                workflows=workflows,
                triggers=triggers,
                manual=manual,
                gated_regions=(regions if active else (primary,)) if record_sets else (),
                record_sets=record_sets,
            )
        )
    return tuple(out)


def _manual(plan: TopologyPlan) -> bool:
    """Failover mode as the plan records it (the routing's `automatic`; without ingress, the findings)."""
    if plan.routing is not None:
        return not plan.routing.automatic
    return plan.timing is not None and plan.timing.manual_response_s is not None
