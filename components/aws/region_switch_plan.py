"""RegionSwitch: one ARC Region switch plan, its execution role and its approver role.

Builds exactly the workflows and steps `blueprints/plan/region_switch.py` decides (the ones
`blueprints/plan/timing.py` counts): per workflow, a manual approval (manual mode), the ECS scaling
blocks in one `Parallel` step, then each replicated store's promotion (Aurora global database
block; for a Valkey global datastore, a manual approval whose description is the command to run),
then the Route 53 health check block that moves traffic (when the pair has ingress records).

Routing: the Route 53 health check block makes Region switch vend one Route 53 health check per
region of the plan (ARC guide, "Amazon Route 53 health check execution block"). They exist once the
plan does (the provider's acceptance test reads two IDs right after creating a plan), so the stack
reads them with `get_route53_health_checks` and `components/aws/failover_routing.py` adds the ones of
`plan.gated_regions` to those regions' records (`health_check_ids`).

Triggers (automatic mode) start the failover when a region's SLO burn alarm is red; the same alarms
are the plan's application health alarms, from which Region switch measures each execution's
actual recovery time against `RecoveryTimeObjectiveMinutes` (the region RTO objective).

The execution role holds only the actions AWS documents for the blocks used (sample policies of
https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_execution_blocks.html),
on this stack's resources where the action takes a resource; the few describe/list calls that take
none (`ecs:ListServices`, `rds:DescribeGlobalClusters`, `cloudwatch:GetMetricStatistics`, Application
Auto Scaling) are on `*`, as AWS's samples have them. No wildcard action.

Execution reports: the plan delivers a report of every execution (steps, times, alarms, measured
recovery time) to an S3 bucket of its own (`reportConfiguration`, API S3ReportOutputConfiguration;
permissions from "Automatic plan execution reports permissions": `s3:PutObject`, and
`kms:GenerateDataKey`/`kms:Encrypt` for a customer managed key). The bucket lives in the region the
failover activates, where Region switch runs that execution; SSE-KMS with that region's key, versioned
(reports are evidence), public access blocked, ACLs off, TLS only; only the execution role writes.

The plan is a global resource (its ARN has no region; pulumi-aws deprecates `region` on it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_aws import arcregionswitch as rs
from pulumi_aws import iam, s3

from blueprints.plan import naming
from blueprints.plan.region_switch import (
    APPROVAL_TIMEOUT_MINUTES,
    ROUTE_TIMEOUT_MINUTES,
    SCALE_PERCENT,
    TRIGGER_MIN_DELAY_MINUTES,
    RegionSwitchPlan,
    SwitchBlock,
)
from components.aws import tags
from components.aws.buckets import ABORT_INCOMPLETE_UPLOADS, private_bucket
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.lift import lift
from components.aws.tags import TagContext

TOKEN = "agentha:aws:RegionSwitch"

CAPACITY_MONITORING = "containerInsightsMaxInLast24Hours"
"""The ECS blocks read the source region's running tasks from Container Insights (the topology's
clusters turn it on): more accurate than sampling the service, at Container Insights' cost."""

AURORA_BEHAVIOR = "failover"
"""`switchoverOnly` refuses to act when the old primary region is down; `failover` switches over
when the plan runs gracefully and fails over (data loss up to the lag) when it runs ungraceful."""


@dataclass(frozen=True)
class SwitchService:
    """An agent's ECS service in one region."""

    cluster_arn: pulumi.Input[str]
    service_arn: pulumi.Input[str]


@dataclass(frozen=True)
class SwitchDatabase:
    """An Aurora global database: its global cluster and each region's cluster."""

    global_cluster_id: pulumi.Input[str]
    global_cluster_arn: pulumi.Input[str]
    cluster_arns: Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class SwitchCache:
    """A Valkey global datastore: its id and each region's replication group id."""

    global_group_id: pulumi.Input[str]
    group_ids: Mapping[str, str]


@dataclass(frozen=True)
class SwitchAlarm:
    """A region's SLO burn alarm (trigger and application health)."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]


@dataclass(frozen=True)
class SwitchRouting:
    """The ingress records the Route 53 health check block maps to regions."""

    hosted_zone_id: pulumi.Input[str]
    record_name: str


@dataclass(frozen=True)
class SwitchReports:
    """Where the plan's execution reports go: a bucket in `region`, encrypted with `key_arn`."""

    region: str
    key_arn: pulumi.Input[str]


REPORT_PREFIX = "reports"
"""Key prefix of the execution reports in their bucket (the execution role writes only under it)."""


@dataclass(frozen=True)
class RegionSwitchArgs:
    plan: RegionSwitchPlan
    tags: TagContext
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    services: Mapping[tuple[str, str], SwitchService]
    """(agent, region) -> its service."""
    databases: Mapping[str, SwitchDatabase] = field(default_factory=dict)
    caches: Mapping[str, SwitchCache] = field(default_factory=dict)
    alarms: Mapping[str, SwitchAlarm] = field(default_factory=dict)
    """region -> its SLO burn alarm; a region without one gets no trigger and no health alarm."""
    routing: SwitchRouting | None = None
    """The ingress records (required when the plan routes traffic: `plan.record_sets`)."""
    reports: SwitchReports | None = None
    """Where execution reports go (None: no reports)."""


def failover_command(cache: str, group: Mapping[str, str], global_id: str, region: str) -> str:
    """The command that makes `region`'s replication group the global datastore's primary."""
    return (
        f"aws elasticache failover-global-replication-group --region {region} "
        f"--global-replication-group-id {global_id} --primary-region {region} "
        f"--primary-replication-group-id {group[region]}  # store {cache}"
    )


class RegionSwitch(pulumi.ComponentResource):
    """An ARC Region switch plan for two regions of the topology, with least-privilege roles."""

    plan_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    approver_role_arn: pulumi.Output[str] | None
    start_commands: dict[str, pulumi.Output[str]]
    health_check_ids: dict[str, pulumi.Output[str]]
    """region -> the Route 53 health check Region switch vends for it, for `plan.gated_regions`."""
    reports_location: pulumi.Output[str] | None
    """`s3://<bucket>/reports/`, where each execution's report lands (None without reports)."""

    def __init__(self, name: str, args: RegionSwitchArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        p = args.plan
        system = args.tags.system
        home = p.primary_region or p.regions[0]
        child = pulumi.ResourceOptions(parent=self)
        self._role = iam.Role(
            naming.join(p.name, "execution-role"),
            iam.RoleArgs(
                name=naming.fit(naming.join(p.name, "execution"), naming.LIMITS["iam-role"]),
                assume_role_policy=trust_policy("arc-region-switch.amazonaws.com", args.account_id),
                description=f"ARC Region switch plan {p.name}: runs its execution blocks",
                tags=args.tags.tags("region-switch", "execution-role", region=home, spec_path="topology.failover"),
            ),
            opts=child,
        )
        self.execution_role_arn = self._role.arn
        self.approver_role_arn = None
        approver = None
        if any(b.kind == "ManualApproval" for w in p.workflows for b in w.blocks):
            approver = iam.Role(
                naming.join(p.name, "approver-role"),
                iam.RoleArgs(
                    name=naming.fit(naming.join(p.name, "approver"), naming.LIMITS["iam-role"]),
                    # Principals of this account whose own policies let them assume it approve steps.
                    assume_role_policy=pulumi.Output.all(args.partition, args.account_id).apply(
                        lambda v: json.dumps(
                            {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Principal": {"AWS": f"arn:{v[0]}:iam::{v[1]}:root"},
                                        "Action": "sts:AssumeRole",
                                    }
                                ],
                            },
                            sort_keys=True,
                        )
                    ),
                    description=f"ARC Region switch plan {p.name}: approves its manual steps",
                    tags=args.tags.tags("region-switch", "approver-role", region=home, spec_path="topology.failover"),
                ),
                opts=child,
            )
            self.approver_role_arn = approver.arn
            iam.RolePolicy(
                naming.join(p.name, "approver-policy"),
                iam.RolePolicyArgs(
                    role=approver.id,
                    policy=policy_json(
                        [
                            Statement(
                                "ApproveSteps",
                                (
                                    "arc-region-switch:ApprovePlanExecutionStep",
                                    "arc-region-switch:GetPlanExecution",
                                    "arc-region-switch:ListPlanExecutions",
                                    "arc-region-switch:ListPlanExecutionEvents",
                                ),
                                [self._plan_arn_pattern()],
                            )
                        ]
                    ),
                ),
                opts=child,
            )
        alarms = self._associated_alarms()
        bucket = self._reports_bucket() if args.reports is not None else None
        self.reports_location = bucket.id.apply(lambda b: f"s3://{b}/{REPORT_PREFIX}/") if bucket else None
        # The execution policy exists before the plan: Region switch evaluates a plan as soon as it is created.
        policy = self._policy(bucket)
        plan = rs.Plan(
            naming.join(p.name, "plan"),
            rs.PlanArgs(
                name=p.name,
                execution_role=self._role.arn,
                recovery_approach=p.approach,
                regions=list(p.regions),
                primary_region=p.primary_region,
                recovery_time_objective_minutes=p.rto_minutes,
                description=f"{system}: fail over between {' and '.join(p.regions)} (generated from the spec)",
                associated_alarms=alarms or None,
                triggers=[
                    rs.PlanTriggerArgs(
                        action=t.action,
                        target_region=t.region,
                        min_delay_minutes_between_executions=TRIGGER_MIN_DELAY_MINUTES,
                        description=f"{t.action} {t.region} when {t.alarm_region}'s SLO burn alarm is red",
                        conditions=[
                            rs.PlanTriggerConditionArgs(
                                associated_alarm_name=f"trigger-{t.alarm_region}", condition="red"
                            )
                        ],
                    )
                    for t in p.triggers
                    if t.alarm_region in args.alarms
                ]
                or None,
                workflows=[
                    rs.PlanWorkflowArgs(
                        workflow_target_action=w.action,
                        workflow_target_region=w.region,
                        workflow_description=f"{w.action} {w.region or 'either region'}",
                        steps=[self._step(group, approver, w.region) for group in w.steps] or None,
                    )
                    for w in p.workflows
                ],
                report_configurations=[
                    rs.PlanReportConfigurationArgs(
                        report_outputs=[
                            rs.PlanReportConfigurationReportOutputArgs(
                                s3_configurations=[
                                    rs.PlanReportConfigurationReportOutputS3ConfigurationArgs(
                                        # checked at delivery: the bucket must still be this account's
                                        bucket_owner=args.account_id,
                                        bucket_path=bucket.id.apply(lambda b: f"{b}/{REPORT_PREFIX}"),
                                    )
                                ]
                            )
                        ]
                    )
                ]
                if bucket is not None
                else None,
                tags=args.tags.tags("region-switch", "plan", region=home, spec_path="topology.failover"),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.plan_arn = plan.arn
        self.health_check_ids = self._vended_checks(plan) if p.routes_traffic else {}
        self.start_commands = {
            f"{action}-{region}": plan.arn.apply(
                lambda arn, action=action, region=region: (
                    f"aws arc-region-switch start-plan-execution --region {self._args.plan.endpoint(action, region)} "
                    f"--plan-arn {arn} --target-region {region} --action {action}"
                )
            )
            for action, region in p.executions
        }
        self.register_outputs(
            {
                "plan_arn": self.plan_arn,
                "execution_role_arn": self.execution_role_arn,
                "approver_role_arn": self.approver_role_arn,
                "start_commands": self.start_commands,
                "health_check_ids": self.health_check_ids,
                "reports_location": self.reports_location,
            }
        )

    # --- pieces ---------------------------------------------------------------------------------

    def _reports_bucket(self) -> s3.Bucket:
        args = self._args
        reports = args.reports
        assert reports is not None
        region = reports.region
        name = args.plan.name
        tags = args.tags.tags("region-switch", "reports", region=region, spec_path="topology.failover")
        # Reports are evidence of recoveries: deleting the stack keeps them (never force-destroyed).
        return private_bucket(
            lambda role: naming.join(name, "reports", role),
            parent=self,
            region=region,
            bucket_prefix=naming.fit(naming.join(name, "rep"), 36) + "-",
            tags=tags,
            kms_key_arn=reports.key_arn,
            lifecycle=[ABORT_INCOMPLETE_UPLOADS],
        ).bucket

    def _vended_checks(self, plan: rs.Plan) -> dict[str, pulumi.Output[str]]:
        """The health check Region switch vends for each gated region (ListRoute53HealthChecks on the
        plan; the plan is global, so its control-plane call takes no region)."""
        routing = self._args.routing
        assert routing is not None
        found = rs.get_route53_health_checks_output(plan_arn=plan.arn, opts=pulumi.InvokeOutputOptions(parent=self))
        record = routing.record_name.rstrip(".")

        def pick(result: rs.GetRoute53HealthChecksResult, region: str) -> str:
            ids = [
                h.health_check_id
                for h in result.health_checks
                if h.region == region and h.record_name.rstrip(".") == record
            ]
            if len(ids) != 1:
                raise ValueError(
                    f"Region switch plan {self._args.plan.name}: expected one vended health check for {record} "
                    f"in {region}, found {len(ids)}"
                )
            return ids[0]

        return {r: found.apply(lambda res, r=r: pick(res, r)) for r in self._args.plan.gated_regions}

    def _plan_arn_pattern(self) -> pulumi.Output[str]:
        """This plan's ARN, `arn:<partition>:arc-region-switch::<account>:plan/<name>:<6 chars>`
        (API reference, Plan.arn): the suffix is only known once created, and the roles come first."""
        name = self._args.plan.name
        return pulumi.Output.all(self._args.partition, self._args.account_id).apply(
            lambda v: f"arn:{v[0]}:arc-region-switch::{v[1]}:plan/{name}:*"
        )

    def _associated_alarms(self) -> list[rs.PlanAssociatedAlarmArgs]:
        args = self._args
        out = []
        for region in args.plan.regions:
            alarm = args.alarms.get(region)
            if alarm is None:
                continue
            out.append(
                rs.PlanAssociatedAlarmArgs(
                    map_block_key=f"health-{region}", alarm_type="applicationHealth", resource_identifier=alarm.arn
                )
            )
            if any(t.alarm_region == region for t in args.plan.triggers):
                out.append(
                    rs.PlanAssociatedAlarmArgs(
                        map_block_key=f"trigger-{region}", alarm_type="trigger", resource_identifier=alarm.arn
                    )
                )
        return out

    def _step(
        self, group: Sequence[SwitchBlock], approver: iam.Role | None, region: str | None
    ) -> rs.PlanWorkflowStepArgs:
        if len(group) == 1:
            return self._block(group[0], approver, region)
        inner = [self._block(b, approver, region) for b in group]
        return rs.PlanWorkflowStepArgs(
            name="-".join(("side-by-side", group[0].purpose)),
            execution_block_type="Parallel",
            description="; ".join(b.name for b in group),
            parallel_configs=[
                rs.PlanWorkflowStepParallelConfigArgs(
                    steps=[
                        rs.PlanWorkflowStepParallelConfigStepArgs(
                            name=s.name,
                            execution_block_type=s.execution_block_type,
                            description=s.description,
                            ecs_capacity_increase_configs=_nested_ecs(s),
                            global_aurora_configs=_nested_aurora(s),
                            execution_approval_configs=_nested_approval(s),
                        )
                        for s in inner
                    ]
                )
            ],
        )

    def _block(self, block: SwitchBlock, approver: iam.Role | None, target: str | None) -> rs.PlanWorkflowStepArgs:
        """One block of a workflow that activates (or deactivates) `target` (None: either region)."""
        args = self._args
        regions = args.plan.regions
        if block.kind == "ManualApproval":
            assert approver is not None
            description: pulumi.Input[str] = "Approve to fail over (topology.failover.mode: manual)"
            if block.purpose == "promote-manually":
                cache = args.caches[block.target]
                description = lift(
                    cache.global_group_id,
                    lambda gid, c=cache, b=block: (
                        "Region switch has no ElastiCache block: run "
                        + " | ".join(
                            failover_command(b.target, c.group_ids, gid, r)
                            for r in ([target] if target is not None else regions)
                        )
                        + " - then approve."
                    ),
                )
            return rs.PlanWorkflowStepArgs(
                name=block.name,
                execution_block_type="ManualApproval",
                description=description,
                execution_approval_configs=[
                    rs.PlanWorkflowStepExecutionApprovalConfigArgs(
                        approval_role=approver.arn, timeout_minutes=APPROVAL_TIMEOUT_MINUTES
                    )
                ],
            )
        if block.kind == "ECSServiceScaling":
            return rs.PlanWorkflowStepArgs(
                name=block.name,
                execution_block_type="ECSServiceScaling",
                description=f"scale {block.target} to {SCALE_PERCENT}% of the other region's tasks",
                ecs_capacity_increase_configs=[
                    rs.PlanWorkflowStepEcsCapacityIncreaseConfigArgs(
                        capacity_monitoring_approach=CAPACITY_MONITORING,
                        target_percent=SCALE_PERCENT,
                        services=[
                            rs.PlanWorkflowStepEcsCapacityIncreaseConfigServiceArgs(
                                cluster_arn=args.services[(block.target, r)].cluster_arn,
                                service_arn=args.services[(block.target, r)].service_arn,
                            )
                            for r in regions
                        ],
                    )
                ],
            )
        if block.kind == "Route53HealthCheck":
            routing = args.routing
            assert routing is not None
            return rs.PlanWorkflowStepArgs(
                name=block.name,
                execution_block_type="Route53HealthCheck",
                description=f"move {routing.record_name} to the activated region (flips the vended health checks)",
                route53_health_check_configs=[
                    rs.PlanWorkflowStepRoute53HealthCheckConfigArgs(
                        hosted_zone_id=routing.hosted_zone_id,
                        record_name=routing.record_name,
                        timeout_minutes=ROUTE_TIMEOUT_MINUTES,
                        # Explicit: our set identifiers name the region, but mapping them needs no guess.
                        record_sets=[
                            rs.PlanWorkflowStepRoute53HealthCheckConfigRecordSetArgs(
                                record_set_identifier=ident, region=region
                            )
                            for region, ident in args.plan.record_sets
                        ],
                    )
                ],
            )
        database = args.databases[block.target]
        return rs.PlanWorkflowStepArgs(
            name=block.name,
            execution_block_type="AuroraGlobalDatabase",
            description=f"switch over (graceful) or fail over (ungraceful) store {block.target}",
            global_aurora_configs=[
                rs.PlanWorkflowStepGlobalAuroraConfigArgs(
                    behavior=AURORA_BEHAVIOR,
                    global_cluster_identifier=database.global_cluster_id,
                    database_cluster_arns=[database.cluster_arns[r] for r in regions],
                    ungracefuls=[rs.PlanWorkflowStepGlobalAuroraConfigUngracefulArgs(ungraceful="failover")],
                )
            ],
        )

    def _policy(self, bucket: s3.Bucket | None) -> iam.RolePolicy:
        args = self._args
        p = args.plan
        blocks = [b for w in p.workflows for b in w.blocks]
        statements = [
            Statement("PlanEvaluation", ("iam:SimulatePrincipalPolicy",), [self._role.arn]),
            Statement(
                "ReadPlan",
                (
                    "arc-region-switch:GetPlan",
                    "arc-region-switch:GetPlanExecution",
                    "arc-region-switch:ListPlanExecutions",
                ),
                [self._plan_arn_pattern()],
            ),
        ]
        alarm_arns = [args.alarms[r].arn for r in p.regions if r in args.alarms]
        if alarm_arns:
            statements.append(
                Statement("ReadAlarms", ("cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"), alarm_arns)
            )
        scaled = sorted({b.target for b in blocks if b.kind == "ECSServiceScaling"})
        if scaled:
            services = [args.services[(a, r)] for a in scaled for r in p.regions]
            statements += [
                Statement(
                    "ScaleServices", ("ecs:DescribeServices", "ecs:UpdateService"), [s.service_arn for s in services]
                ),
                Statement(
                    "DescribeClusters",
                    ("ecs:DescribeClusters",),
                    list({id(s.cluster_arn): s.cluster_arn for s in services}.values()),
                ),
                # No resource-level permissions on these (AWS's sample policy has them on *).
                Statement(
                    "FindScalingTargets",
                    ("ecs:ListServices", "application-autoscaling:DescribeScalableTargets"),
                    ["*"],
                ),
                # Scalable targets get their ARN from AWS (scalable-target/<id>), so the grant is on * but
                # only for this system's targets: the agents' targets carry its agentha:system tag, and
                # Application Auto Scaling authorises by resource tag (ABAC with Application Auto Scaling).
                Statement(
                    "ScalingTargets",
                    ("application-autoscaling:RegisterScalableTarget",),
                    ["*"],
                    {"StringEquals": {f"aws:ResourceTag/{tags.SYSTEM}": args.tags.system}},
                ),
            ]
        if scaled or alarm_arns:
            statements.append(Statement("ReadCapacity", ("cloudwatch:GetMetricStatistics",), ["*"]))
        if bucket is not None and args.reports is not None:
            via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{args.reports.region}.amazonaws.com"}}
            statements += [
                Statement("WriteReports", ("s3:PutObject",), [bucket.arn.apply(lambda b: f"{b}/{REPORT_PREFIX}/*")]),
                Statement("EncryptReports", ("kms:GenerateDataKey", "kms:Encrypt"), [args.reports.key_arn], via_s3),
            ]
        if any(b.kind == "Route53HealthCheck" for b in blocks):
            routing = args.routing
            assert routing is not None
            # Region switch finds the record sets of the record name (sample policy of the block).
            statements.append(
                Statement(
                    "ReadRecords",
                    ("route53:ListResourceRecordSets",),
                    [
                        pulumi.Output.all(args.partition, routing.hosted_zone_id).apply(
                            lambda v: f"arn:{v[0]}:route53:::hostedzone/{v[1]}"
                        )
                    ],
                )
            )
        promoted = sorted({b.target for b in blocks if b.kind == "AuroraGlobalDatabase"})
        if promoted:
            dbs = [args.databases[s] for s in promoted]
            statements += [
                # Clusters are found by listing (the wildcard-resource rule's documented discovery exception);
                # the global clusters are known by ARN.
                Statement("FindDatabases", ("rds:DescribeDBClusters",), ["*"]),
                Statement("DescribeDatabases", ("rds:DescribeGlobalClusters",), [d.global_cluster_arn for d in dbs]),
                Statement(
                    "PromoteDatabases",
                    ("rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"),
                    [d.global_cluster_arn for d in dbs] + [d.cluster_arns[r] for d in dbs for r in p.regions],
                ),
            ]
        return iam.RolePolicy(
            naming.join(p.name, "execution-policy"),
            iam.RolePolicyArgs(role=self._role.id, policy=policy_json(statements)),
            opts=pulumi.ResourceOptions(parent=self),
        )


def _nested_ecs(
    s: rs.PlanWorkflowStepArgs,
) -> list[rs.PlanWorkflowStepParallelConfigStepEcsCapacityIncreaseConfigArgs] | None:
    configs = s.ecs_capacity_increase_configs
    if not configs:
        return None
    out = []
    for c in configs:  # type: ignore[union-attr]
        assert isinstance(c, rs.PlanWorkflowStepEcsCapacityIncreaseConfigArgs)
        out.append(
            rs.PlanWorkflowStepParallelConfigStepEcsCapacityIncreaseConfigArgs(
                capacity_monitoring_approach=c.capacity_monitoring_approach,
                target_percent=c.target_percent,
                services=[
                    rs.PlanWorkflowStepParallelConfigStepEcsCapacityIncreaseConfigServiceArgs(
                        cluster_arn=svc.cluster_arn, service_arn=svc.service_arn
                    )
                    for svc in c.services  # type: ignore[union-attr]
                    if isinstance(svc, rs.PlanWorkflowStepEcsCapacityIncreaseConfigServiceArgs)
                ],
            )
        )
    return out


def _nested_aurora(
    s: rs.PlanWorkflowStepArgs,
) -> list[rs.PlanWorkflowStepParallelConfigStepGlobalAuroraConfigArgs] | None:
    configs = s.global_aurora_configs
    if not configs:
        return None
    out = []
    for c in configs:  # type: ignore[union-attr]
        assert isinstance(c, rs.PlanWorkflowStepGlobalAuroraConfigArgs)
        out.append(
            rs.PlanWorkflowStepParallelConfigStepGlobalAuroraConfigArgs(
                behavior=c.behavior,
                global_cluster_identifier=c.global_cluster_identifier,
                database_cluster_arns=c.database_cluster_arns,
                ungracefuls=[
                    rs.PlanWorkflowStepParallelConfigStepGlobalAuroraConfigUngracefulArgs(ungraceful="failover")
                ],
            )
        )
    return out


def _nested_approval(
    s: rs.PlanWorkflowStepArgs,
) -> list[rs.PlanWorkflowStepParallelConfigStepExecutionApprovalConfigArgs] | None:
    configs = s.execution_approval_configs
    if not configs:
        return None
    out = []
    for c in configs:  # type: ignore[union-attr]
        assert isinstance(c, rs.PlanWorkflowStepExecutionApprovalConfigArgs)
        out.append(
            rs.PlanWorkflowStepParallelConfigStepExecutionApprovalConfigArgs(
                approval_role=c.approval_role, timeout_minutes=c.timeout_minutes
            )
        )
    return out
