"""ResiliencePolicy: an AWS Resilience Hub resiliency policy from the spec's objectives.

The policy carries the objectives the planner checks before deploy (zone, region and application
RTO/RPO, and a tier from the availability objective), so `aws resiliencehub start-app-assessment`
measures the deployed application against the same numbers. The zone objective stands for both
`az` and `hardware` (a failed host is recovered by the same in-region mechanisms as a lost zone).

What ties the policy to the stack's resources: pulumi-aws 7.51 has no Resilience Hub *application*
resource (only `ResiliencyPolicy` and the separate "V2" system/service resources), so the stack
builds a tag-based AWS Resource Group of its resources in each region (Resilience Hub imports
resource groups as an application source) and exports the `aws resiliencehub` commands that create
the application on it, attach this policy, publish it and start an assessment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import resiliencehub, resourcegroups

from blueprints.plan import naming
from components.aws.tags import TagContext

TOKEN = "agentha:aws:ResiliencePolicy"

TIERS = ((99.99, "MissionCritical"), (99.95, "Critical"), (99.9, "Important"))
"""Availability objective (percent) -> Resilience Hub tier; below the last: NonCritical."""


def tier(availability_percent: float) -> str:
    """The Resilience Hub tier of an availability objective."""
    return next((name for floor, name in TIERS if availability_percent >= floor), "NonCritical")


def go_duration(seconds: float) -> str:
    """Seconds as the Go duration the provider takes (`300s`)."""
    return f"{round(seconds)}s"


@dataclass(frozen=True)
class Objective:
    rto_s: float
    rpo_s: float


@dataclass(frozen=True)
class ResiliencePolicyArgs:
    name: str
    """Physical name of the policy and the application (`<system>[-<env>]`)."""
    tags: TagContext
    availability_percent: float
    zone: Objective
    application: Objective
    region: Objective | None
    home_region: str
    regions: Sequence[str]


class ResiliencePolicy(pulumi.ComponentResource):
    """A Resilience Hub resiliency policy, the stack's resource groups, and the assessment commands."""

    policy_arn: pulumi.Output[str]
    group_arns: dict[str, pulumi.Output[str]]
    commands: list[pulumi.Output[str]]

    def __init__(self, name: str, args: ResiliencePolicyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def objective(o: Objective) -> dict[str, str]:
            return {"rto": go_duration(o.rto_s), "rpo": go_duration(o.rpo_s)}

        policy = resiliencehub.ResiliencyPolicy(
            naming.join(args.name, "resiliency-policy"),
            resiliencehub.ResiliencyPolicyArgs(
                name=args.name,
                description="Objectives of the HA spec (objectives.disruptions), as the planner checks them",
                tier=tier(args.availability_percent),
                policy=resiliencehub.ResiliencyPolicyPolicyArgs(
                    az=resiliencehub.ResiliencyPolicyPolicyAzArgs(**objective(args.zone)),
                    hardware=resiliencehub.ResiliencyPolicyPolicyHardwareArgs(**objective(args.zone)),
                    software=resiliencehub.ResiliencyPolicyPolicySoftwareArgs(**objective(args.application)),
                    region=resiliencehub.ResiliencyPolicyPolicyRegionArgs(**objective(args.region))
                    if args.region is not None
                    else None,
                ),
                region=args.home_region,
                tags=args.tags.tags("resilience", "policy", region=args.home_region, spec_path="objectives"),
            ),
            opts=child,
        )
        self.policy_arn = policy.arn
        scope = {"agentha:system": args.tags.system}
        if args.tags.environment:
            scope["agentha:environment"] = args.tags.environment
        query = json.dumps(
            {
                "ResourceTypeFilters": ["AWS::AllSupported"],
                "TagFilters": [{"Key": k, "Values": [v]} for k, v in sorted(scope.items())],
            },
            sort_keys=True,
        )
        self.group_arns = {}
        for region in args.regions:
            group = resourcegroups.Group(
                naming.join(args.name, "resources", region),
                resourcegroups.GroupArgs(
                    name=naming.join(args.name, "resources"),
                    description="Every resource of the stack (by its agentha tags), for Resilience Hub",
                    resource_query=resourcegroups.GroupResourceQueryArgs(query=query, type="TAG_FILTERS_1_0"),
                    region=region,
                    tags=args.tags.tags("resilience", "resource-group", region=region, spec_path="objectives"),
                ),
                opts=child,
            )
            self.group_arns[region] = group.arn
        self.commands = commands(args.name, args.home_region, policy.arn, self.group_arns)
        self.register_outputs({"policy_arn": self.policy_arn, "group_arns": self.group_arns, "commands": self.commands})


def commands(
    name: str, home: str, policy_arn: pulumi.Input[str], groups: Mapping[str, pulumi.Input[str]]
) -> list[pulumi.Output[str]]:
    """The `aws resiliencehub` commands that create the application on the resource groups, attach
    the policy, publish a version and start an assessment (in the home region)."""
    app_arn = (
        "$(aws resiliencehub list-apps --region {home} --name {name} --query 'appSummaries[0].appArn' --output text)"
    )
    app = app_arn.format(home=home, name=name)
    sources = pulumi.Output.all(*groups.values()).apply(lambda arns: " ".join(arns))
    return [
        pulumi.Output.from_input(policy_arn).apply(
            lambda arn: f"aws resiliencehub create-app --region {home} --name {name} --policy-arn {arn}"
        ),
        sources.apply(
            lambda s: (
                f"aws resiliencehub import-resources-to-draft-app-version --region {home} --app-arn {app} "
                f"--source-arns {s}"
            )
        ),
        pulumi.Output.from_input(f"aws resiliencehub publish-app-version --region {home} --app-arn {app}"),
        pulumi.Output.from_input(
            f"aws resiliencehub start-app-assessment --region {home} --app-arn {app} --app-version release "
            f"--assessment-name {name}-$(date +%Y%m%d%H%M)"
        ),
    ]
