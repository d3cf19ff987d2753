"""ChaosDrills: AWS FIS experiment templates for the spec's chaos drills, in the primary region.

One template per drill that has a verified FIS action set (nothing here starts an experiment):

    agent-crash     aws:ecs:stop-task on tasks of one agent's ECS service (target aws:ecs:task,
                    identified by the resource parameters `cluster` and `service`), COUNT(n) so
                    that the planned survivors of a zone loss keep running
    zone-outage     what losing one zone does to this topology, after AWS's "AZ Availability: Power
                    Interruption" scenario: aws:network:disrupt-connectivity (scope `all`) on the
                    zone's private subnets (target aws:ec2:subnet by ARN) for a set ISO-8601
                    duration, and at the same time the failovers the stores would see:
                    aws:rds:failover-db-cluster on every Aurora cluster of the region whose writer
                    is in that zone (target aws:rds:cluster by tags, resource parameter
                    `writerAvailabilityZoneIdentifiers`), and
                    aws:elasticache:replicationgroup-interrupt-az-power on every Valkey group of the
                    region (target aws:elasticache:replicationgroup by tags — the only selection the
                    action supports — with `availabilityZoneIdentifier`). A network ACL alone leaves
                    RDS and ElastiCache seeing healthy nodes: the drill would measure a store outage,
                    not the zone failover the plan's zone RTO counts. A store with nothing in the
                    zone resolves no target and its action is skipped (`emptyTargetResolutionMode:
                    skip`, as in AWS's scenario): a real zone loss would not fail it over either.
    store-failover  aws:rds:failover-db-cluster on the primary region's regional Aurora PostgreSQL
                    clusters with a reader to promote (target aws:rds:cluster by ARN)

Each template has its own IAM role, trusted by fis.amazonaws.com for this account only
(aws:SourceAccount), whose inline policy holds exactly the permissions the FIS actions reference
lists for its actions, scoped to the targeted resources where IAM allows it (describe/list calls
and tag:GetResources take no resource ARN; ElastiCache's InterruptClusterAzPower is granted, as in
AWS's own template, on resources carrying the targeted groups' tags).

Stop condition: the primary region's SLO burn alarm (slo_burn.py) — customers hurt beyond what the
drill's hypothesis allows — and nothing else. Never the region's composite "region health" alarm:
it ORs the unhealthy-host, running-below-minimum and dead-letter alarms that a drill trips on
purpose, so it stopped the zone outage after a few minutes and, while any dead letter was kept,
kept every drill from starting. Each template's description says what the drill expects to see,
the plan's expected RTO/RPO and what aborts it.

Not covered (no template is generated): region-outage (FIS has no action that takes a Region
down; the runbook drills it through the health checks), queue-outage, network-latency, store
failover of Aurora global databases, DynamoDB and Valkey stores, and zone-outage in an existing
VPC (the plan does not know its subnets' zones) or a one-zone region.

Sources: AWS FIS user guide, "AWS FIS Actions reference" (action ids, parameters, permissions),
"Targets for AWS FIS" (resource types, resource parameters, selection modes), the "AZ
Availability: Power Interruption" scenario; aws-samples/fis-template-library
(elasticache-az-power-interruption: tag-only targeting, the role's policy); the AWS managed
policies AWSFaultInjectionSimulatorECSAccess / NetworkAccess / RDSAccess (resource scoping).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import fis, iam

from blueprints.plan import naming
from blueprints.plan.models import AgentPlan, DrillPlan, RegionPlan, StorePlan, TopologyPlan
from blueprints.units import format_duration
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.tags import TagContext

TOKEN = "agentha:aws:ChaosDrills"

SUPPORTED = ("agent-crash", "zone-outage", "store-failover")
"""Drills with a verified FIS action set, in the order their templates are built."""

MIN_OUTAGE_S = 600.0
"""A zone outage lasts at least 10 minutes, long enough to watch failover and rebalancing."""
MAX_ACTION_S = 12 * 3600.0
"""FIS action durations run from one minute to 12 hours."""
MIN_ACTION_S = 60.0

FIS_PRINCIPAL = "fis.amazonaws.com"


# --- what each drill targets (pure, decided from the plan) ----------------------------------------


def crash_count(agent: AgentPlan, region: str) -> int:
    """Tasks an agent-crash drill stops in `region`: all but the planned survivors of a zone loss
    (at least one task keeps running); 0 when the agent cannot lose a task without going dark."""
    placement = agent.placement(region)
    if placement is None:
        return 0
    return max(0, placement.desired - max(placement.survivors_after_zone_loss, 1))


def crash_agent(plan: TopologyPlan) -> AgentPlan | None:
    """The agent an agent-crash drill hits: the first in spec order that can lose tasks in the
    primary region while keeping its planned survivors."""
    primary = plan.primary_region.name
    return next((a for a in plan.agents if crash_count(a, primary) > 0), None)


def outage_zone(region: RegionPlan) -> str | None:
    """The zone a zone-outage drill blocks: the region's first zone that has a planned private
    subnet, when the region has another zone to fail over to. None for an existing VPC (its
    subnets' zones are not in the plan) or a one-zone region (that would be a region outage)."""
    if len(region.zones) < 2 or region.network.is_existing:
        return None
    private = {s.zone for s in region.network.subnets if not s.public}
    return next((z for z in region.zones if z in private), None)


def private_subnet_index(region: RegionPlan, zone: str) -> int | None:
    """Index of `zone`'s private subnet in Network.private_subnet_ids (ordered by region zones)."""
    private = [z for z in region.zones if any(s.zone == z and not s.public for s in region.network.subnets)]
    return private.index(zone) if zone in private else None


def failover_stores(plan: TopologyPlan) -> tuple[StorePlan, ...]:
    """Regional Aurora PostgreSQL stores of the primary region with a reader to promote
    (FailoverDBCluster promotes an Aurora Replica). Global databases are left out: the FIS
    reference documents the action for Aurora DB clusters, not for a global database's members."""
    primary = plan.primary_region.name
    return tuple(
        s
        for s in plan.stores
        if s.engine == "aurora-postgresql"
        and s.primary_region == primary
        and not s.replica_regions
        and s.instances_per_region >= 2
    )


def zone_databases(plan: TopologyPlan, region: str) -> tuple[StorePlan, ...]:
    """Aurora PostgreSQL stores with a cluster in `region` that a zone outage fails over: two or more
    instances (a reader to promote). The writer's zone decides at run time (FIS target parameter
    `writerAvailabilityZoneIdentifiers`): a cluster whose writer is elsewhere is left alone."""
    return tuple(
        s
        for s in plan.stores
        if s.engine == "aurora-postgresql" and region in s.regions and s.instances_per_region >= 2
    )


def zone_caches(plan: TopologyPlan, region: str) -> tuple[StorePlan, ...]:
    """Valkey stores with a replication group in `region` (Multi-AZ, two or more nodes) whose nodes
    in the drilled zone lose power during a zone outage."""
    return tuple(s for s in plan.stores if s.engine == "valkey" and region in s.regions and s.instances_per_region >= 2)


def outage_seconds(drill: DrillPlan) -> float:
    """How long a zone outage lasts: twice the expected RTO (time to recover and to watch it hold),
    at least MIN_OUTAGE_S, within FIS's one minute to 12 hours, in whole minutes."""
    wanted = MIN_OUTAGE_S if drill.expected_rto_s is None else max(MIN_OUTAGE_S, 2 * drill.expected_rto_s)
    return float(min(MAX_ACTION_S, max(MIN_ACTION_S, math.ceil(wanted / 60) * 60)))


def iso_duration(seconds: float) -> str:
    """An ISO-8601 duration of whole minutes, as FIS parameters take it: 600 -> PT10M, 5400 -> PT1H30M."""
    minutes = max(1, math.ceil(seconds / 60))
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


DESCRIPTION_LIMIT = 512
"""FIS experiment template descriptions hold at most 512 characters."""


def describe(system: str, region: str, drill: DrillPlan, what: str, aborts: str | None = None) -> str:
    """Template description: the drill, what it does, the plan's expected RTO/RPO, what it expects to
    see and what aborts it (cut to FIS's 512 characters, the expectation and abort last)."""

    def shown(value: float | None) -> str:
        return "unbounded" if value is None else format_duration(value)

    stop = f"Aborts when {aborts}." if aborts else "No abort alarm: watch it and stop it by hand."
    text = (
        f"{system} chaos drill {drill.name} ({region}): {what}. "
        f"Expected RTO {shown(drill.expected_rto_s)}, RPO {shown(drill.expected_rpo_s)} (from the plan). "
        f"{stop} Expects: {drill.expects or 'recovery within the RTO'}."
    )
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    return text[: DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _tag_args(tags: Mapping[str, str]) -> list[fis.ExperimentTemplateTargetResourceTagArgs]:
    return [fis.ExperimentTemplateTargetResourceTagArgs(key=k, value=v) for k, v in sorted(tags.items())]


# --- args -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTarget:
    """The ECS service an agent-crash drill stops tasks of."""

    agent: str
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    stop_count: int


@dataclass(frozen=True)
class ZoneStore:
    """A store a zone-outage drill fails over: found by its tags (FIS target), its ARN scopes IAM."""

    store: str
    tags: Mapping[str, str]
    """The tags that identify it among this account's resources in the region (system, environment,
    part, role, region)."""
    arn: pulumi.Input[str] | None = None
    """Aurora: the regional cluster's ARN (rds:FailoverDBCluster is scoped to it)."""


@dataclass(frozen=True)
class ZoneTarget:
    """The zone a zone-outage drill blocks: its private subnets and their VPC, and the stores whose
    nodes in that zone fail with it."""

    zone: str
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    databases: Sequence[ZoneStore] = ()
    caches: Sequence[ZoneStore] = ()


@dataclass(frozen=True)
class DatabaseTarget:
    """An Aurora cluster a store-failover drill fails over."""

    store: str
    cluster_arn: pulumi.Input[str]


@dataclass(frozen=True)
class ChaosDrillsArgs:
    drills: Sequence[DrillPlan]
    """The plan's drills (plan.chaos.drills); those without a FIS action set are skipped."""
    region: str
    """The primary region: every template, target and role statement is scoped to it."""
    tags: TagContext
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    abort_alarm_name: pulumi.Input[str] | None
    """The stop condition: the region's SLO burn alarm (slo_burn.py), never an alarm the drills trip
    on purpose; None only where the region has no SLI to burn (then FIS's `none`)."""
    abort_condition: str = "customers are hurt beyond the drill's hypothesis"
    """What the abort alarm means, in words (written into each template's description)."""
    service: ServiceTarget | None = None
    zone: ZoneTarget | None = None
    databases: Sequence[DatabaseTarget] = ()


class ChaosDrills(pulumi.ComponentResource):
    """FIS experiment templates (and their roles) for the drills of the primary region."""

    template_ids: dict[str, pulumi.Output[str]]
    """Drill name -> experiment template id, for `aws fis start-experiment`."""
    start_commands: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: ChaosDrillsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        self.template_ids = {}
        self.start_commands = {}
        for drill in args.drills:
            built = self._drill(drill)
            if built is None:
                continue
            region = args.region
            self.template_ids[drill.name] = built.id
            self.start_commands[drill.name] = built.id.apply(
                lambda i, r=region: f"aws fis start-experiment --experiment-template-id {i} --region {r}"
            )
        self.register_outputs({"template_ids": self.template_ids, "start_commands": self.start_commands})

    # --- shared -------------------------------------------------------------------------------

    def _arn(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        a = self._args
        return pulumi.Output.concat("arn:", a.partition, f":{service}:{a.region}:", a.account_id, ":", resource)

    def _stop_conditions(self) -> list[fis.ExperimentTemplateStopConditionArgs]:
        a = self._args
        if a.abort_alarm_name is None:
            return [fis.ExperimentTemplateStopConditionArgs(source="none")]
        return [
            fis.ExperimentTemplateStopConditionArgs(
                source="aws:cloudwatch:alarm",
                value=self._arn("cloudwatch", pulumi.Output.concat("alarm:", a.abort_alarm_name)),
            )
        ]

    def _build(
        self,
        drill: DrillPlan,
        what: str,
        statements: Sequence[Statement],
        actions: Sequence[fis.ExperimentTemplateActionArgs],
        targets: Sequence[fis.ExperimentTemplateTargetArgs],
        skip_empty_targets: bool = False,
    ) -> fis.ExperimentTemplate:
        a = self._args
        system = a.tags.system
        region = a.region
        role_tags = a.tags.tags("chaos", "fis-role", region=region, spec_path="chaos.drills")
        role = iam.Role(
            naming.resource(system, drill.name, "fis-role", region),
            iam.RoleArgs(
                name=naming.physical(a.tags.scope, drill.name, "fis", "iam-role", naming.region_code(region)),
                description=f"{system}: AWS FIS runs the {drill.name} drill in {region}",
                assume_role_policy=trust_policy(FIS_PRINCIPAL, a.account_id),
                max_session_duration=3600,
                tags=role_tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = iam.RolePolicy(
            naming.resource(system, drill.name, "fis-policy", region),
            iam.RolePolicyArgs(role=role.id, policy=policy_json(statements)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        tags = a.tags.tags("chaos", "experiment-template", region=region, spec_path="chaos.drills")
        tags["Name"] = naming.join(a.tags.scope, drill.name)
        return fis.ExperimentTemplate(
            naming.resource(system, drill.name, "experiment", region),
            fis.ExperimentTemplateArgs(
                description=describe(
                    system, region, drill, what, a.abort_condition if a.abort_alarm_name is not None else None
                ),
                role_arn=role.arn,
                stop_conditions=self._stop_conditions(),
                actions=list(actions),
                targets=list(targets),
                # Without this, a target that resolves nothing (a store whose writer is in another
                # zone) fails the whole experiment; AWS's AZ scenario skips such actions too.
                experiment_options=fis.ExperimentTemplateExperimentOptionsArgs(
                    account_targeting="single-account", empty_target_resolution_mode="skip"
                )
                if skip_empty_targets
                else None,
                region=region,
                tags=tags,
            ),
            # The role must hold its permissions before an experiment can use the template.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )

    def _drill(self, drill: DrillPlan) -> fis.ExperimentTemplate | None:
        if drill.name == "agent-crash":
            return self._agent_crash(drill)
        if drill.name == "zone-outage":
            return self._zone_outage(drill)
        if drill.name == "store-failover":
            return self._store_failover(drill)
        return None

    # --- drills -------------------------------------------------------------------------------

    def _agent_crash(self, drill: DrillPlan) -> fis.ExperimentTemplate | None:
        target = self._args.service
        if target is None or target.stop_count < 1:
            return None
        tasks = self._arn("ecs", pulumi.Output.concat("task/", target.cluster_name, "/*"))
        statements = [
            Statement("StopServiceTasks", ("ecs:DescribeTasks", "ecs:StopTask"), [tasks]),
            # ListTasks is authorized on container instances, which Fargate tasks have none of: it takes
            # "*" scoped to the agent's cluster by the ecs:cluster condition key (AWS's own FIS policy
            # leaves it unscoped).
            Statement(
                "ListTasks",
                ("ecs:ListTasks",),
                ["*"],
                {"ArnEquals": {"ecs:cluster": self._arn("ecs", pulumi.Output.concat("cluster/", target.cluster_name))}},
            ),
            Statement("TargetResolution", ("tag:GetResources",), ["*"]),
        ]
        return self._build(
            drill,
            f"stop {target.stop_count} task(s) of agent {target.agent}",
            statements,
            [
                fis.ExperimentTemplateActionArgs(
                    name="stop-tasks",
                    action_id="aws:ecs:stop-task",
                    description=f"Stop {target.stop_count} task(s) of agent {target.agent}",
                    target=fis.ExperimentTemplateActionTargetArgs(key="Tasks", value="service-tasks"),
                )
            ],
            [
                fis.ExperimentTemplateTargetArgs(
                    name="service-tasks",
                    resource_type="aws:ecs:task",
                    selection_mode=f"COUNT({target.stop_count})",
                    parameters={"cluster": target.cluster_name, "service": target.service_name},
                )
            ],
        )

    def _zone_outage(self, drill: DrillPlan) -> fis.ExperimentTemplate | None:
        target = self._args.zone
        if target is None or not target.subnet_ids:
            return None
        duration = iso_duration(outage_seconds(drill))
        subnets = [self._arn("ec2", pulumi.Output.concat("subnet/", s)) for s in target.subnet_ids]
        acls = self._arn("ec2", "network-acl/*")
        vpc = self._arn("ec2", pulumi.Output.concat("vpc/", target.vpc_id))
        managed = {"StringEquals": {"aws:RequestTag/managedByFIS": "true"}}
        statements = [
            # FIS clones each subnet's network ACL (tagged managedByFIS=true), adds deny entries,
            # swaps the association, and at the end restores the original and deletes the clone.
            Statement("CreateFisNetworkAcl", ("ec2:CreateNetworkAcl",), [acls], managed),
            Statement("CreateFisNetworkAclInVpc", ("ec2:CreateNetworkAcl",), [vpc]),
            Statement(
                "TagFisNetworkAcl",
                ("ec2:CreateTags",),
                [acls],
                {"StringEquals": {"ec2:CreateAction": "CreateNetworkAcl", "aws:RequestTag/managedByFIS": "true"}},
            ),
            Statement(
                "EditFisNetworkAcl",
                ("ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"),
                [acls, vpc],
                {"StringEquals": {"ec2:ResourceTag/managedByFIS": "true"}},
            ),
            Statement("SwapSubnetNetworkAcl", ("ec2:ReplaceNetworkAclAssociation",), [*subnets, acls]),
            Statement(
                "Describe",
                (
                    "ec2:DescribeManagedPrefixLists",
                    "ec2:DescribeNetworkAcls",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ),
                ["*"],
            ),
            Statement(
                "PrefixListEntries",
                ("ec2:GetManagedPrefixListEntries",),
                [pulumi.Output.concat("arn:", self._args.partition, f":ec2:{self._args.region}:*:prefix-list/*")],
            ),
        ]
        actions = [
            fis.ExperimentTemplateActionArgs(
                name="disrupt-zone",
                action_id="aws:network:disrupt-connectivity",
                description=f"Deny all traffic in and out of the private subnets of {target.zone}",
                parameters=[
                    fis.ExperimentTemplateActionParameterArgs(key="duration", value=duration),
                    fis.ExperimentTemplateActionParameterArgs(key="scope", value="all"),
                ],
                target=fis.ExperimentTemplateActionTargetArgs(key="Subnets", value="zone-subnets"),
            )
        ]
        targets = [
            fis.ExperimentTemplateTargetArgs(
                name="zone-subnets",
                resource_type="aws:ec2:subnet",
                selection_mode="ALL",
                resource_arns=subnets,
            )
        ]
        what = [f"block the private subnets of zone {target.zone} for {duration}"]
        # Each store gets its own target: FIS ANDs the tags of one target, and the tags name one store.
        for i, db in enumerate(target.databases):
            name = f"aurora-writer-{i + 1}"
            actions.append(
                fis.ExperimentTemplateActionArgs(
                    name=f"failover-aurora-{i + 1}",
                    action_id="aws:rds:failover-db-cluster",
                    description=f"Fail over {db.store} if its writer is in {target.zone}",
                    target=fis.ExperimentTemplateActionTargetArgs(key="Clusters", value=name),
                )
            )
            targets.append(
                fis.ExperimentTemplateTargetArgs(
                    name=name,
                    resource_type="aws:rds:cluster",
                    selection_mode="ALL",
                    resource_tags=_tag_args(db.tags),
                    parameters={"writerAvailabilityZoneIdentifiers": target.zone},
                )
            )
        for i, cache in enumerate(target.caches):
            name = f"valkey-group-{i + 1}"
            actions.append(
                fis.ExperimentTemplateActionArgs(
                    name=f"interrupt-valkey-{i + 1}",
                    action_id="aws:elasticache:replicationgroup-interrupt-az-power",
                    description=f"Cut power to the {cache.store} nodes in {target.zone} (the primary fails over)",
                    parameters=[fis.ExperimentTemplateActionParameterArgs(key="duration", value=duration)],
                    target=fis.ExperimentTemplateActionTargetArgs(key="ReplicationGroups", value=name),
                )
            )
            targets.append(
                fis.ExperimentTemplateTargetArgs(
                    name=name,
                    resource_type="aws:elasticache:replicationgroup",
                    selection_mode="ALL",
                    resource_tags=_tag_args(cache.tags),
                    parameters={"availabilityZoneIdentifier": target.zone},
                )
            )
        if target.databases:
            names = ", ".join(d.store for d in target.databases)
            what.append(f"fail over Aurora {names} if its writer is there")
            statements += [
                Statement(
                    "FailoverZoneClusters",
                    ("rds:FailoverDBCluster",),
                    [d.arn for d in target.databases if d.arn is not None],
                ),
                Statement("DescribeClusters", ("rds:DescribeDBClusters",), ["*"]),
            ]
        if target.caches:
            what.append(f"cut power to Valkey {', '.join(c.store for c in target.caches)} there")
            statements += [
                # As in AWS's own template (fis-template-library, elasticache-az-power-interruption):
                # granted on resources carrying the targeted groups' tags.
                Statement(
                    f"InterruptZonePower{i + 1}",
                    ("elasticache:InterruptClusterAzPower",),
                    ["*"],
                    {"StringEquals": {f"aws:ResourceTag/{k}": v for k, v in sorted(c.tags.items())}},
                )
                for i, c in enumerate(target.caches)
            ]
            statements.append(Statement("DescribeGroups", ("elasticache:DescribeReplicationGroups",), ["*"]))
        if target.databases or target.caches:
            statements.append(Statement("TargetResolution", ("tag:GetResources",), ["*"]))
        return self._build(
            drill,
            "; ".join(what),
            statements,
            actions,
            targets,
            skip_empty_targets=bool(target.databases or target.caches),
        )

    def _store_failover(self, drill: DrillPlan) -> fis.ExperimentTemplate | None:
        databases = self._args.databases
        if not databases:
            return None
        clusters = [d.cluster_arn for d in databases]
        statements = [
            Statement("FailoverClusters", ("rds:FailoverDBCluster",), clusters),
            Statement("TargetResolution", ("rds:DescribeDBClusters", "tag:GetResources"), ["*"]),
        ]
        names = ", ".join(d.store for d in databases)
        return self._build(
            drill,
            f"fail over the Aurora cluster(s) of {names}",
            statements,
            [
                fis.ExperimentTemplateActionArgs(
                    name="failover-clusters",
                    action_id="aws:rds:failover-db-cluster",
                    description=f"Promote an Aurora Replica of {names}",
                    target=fis.ExperimentTemplateActionTargetArgs(key="Clusters", value="aurora-clusters"),
                )
            ],
            [
                fis.ExperimentTemplateTargetArgs(
                    name="aurora-clusters",
                    resource_type="aws:rds:cluster",
                    selection_mode="ALL",
                    resource_arns=clusters,
                )
            ],
        )
