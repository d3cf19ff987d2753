"""SpecSecret: a Secrets Manager secret per spec secret, replicated to every region the plan names.

Only the secret's container is created: no value, no secret version. Its value is set out of band,
once, in the primary region (Secrets Manager copies it to the replicas):

    aws secretsmanager put-secret-value --region <primary> --secret-id <arn> --secret-string file://value.txt

so the value never appears in the spec, the program, the Pulumi state or a shell history. Each
region's copy is encrypted with that region's key; task definitions in a region read that region's
replica, so a failover does not depend on the primary region being reachable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import secretsmanager

from blueprints.plan import naming
from blueprints.plan.models import SecretPlan
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:SpecSecret"
RECOVERY_WINDOW_DAYS = 30
"""A deleted secret can be restored for 30 days (the maximum)."""


@dataclass(frozen=True)
class SpecSecretArgs:
    secret: SecretPlan
    tags: TagContext
    key_arns: Mapping[str, pulumi.Input[str]]
    """The customer managed key of every region the secret lives in."""


def replica_arn(arn: str, primary: str, region: str) -> str:
    """A replica's ARN: the primary's with the region swapped (Secrets Manager keeps name and suffix)."""
    return arn.replace(f":secretsmanager:{primary}:", f":secretsmanager:{region}:", 1)


class SpecSecret(pulumi.ComponentResource):
    """A secret without a value, replicated to the plan's other regions."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    arns: dict[str, pulumi.Output[str]]
    """The ARN to read in each region (the primary's, or that region's replica)."""
    primary_region: str

    def __init__(self, name: str, args: SpecSecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.secret
        primary = s.primary_region
        secret = secretsmanager.Secret(
            naming.resource(args.tags.system, s.name, "secret"),
            secretsmanager.SecretArgs(
                description=s.description or f"{args.tags.system}: {s.name} (value set out of band)",
                kms_key_id=args.key_arns[primary],
                recovery_window_in_days=RECOVERY_WINDOW_DAYS,
                replicas=[
                    secretsmanager.SecretReplicaArgs(region=r, kms_key_id=args.key_arns[r]) for r in s.replica_regions
                ]
                or None,
                region=primary,
                tags=args.tags.tags(s.name, "secret", region=primary, spec_path=spec_path("secrets", s.name)),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.primary_region = primary
        self.arn = secret.arn
        self.name = secret.name
        self.arns = {primary: secret.arn}
        for region in s.replica_regions:
            self.arns[region] = secret.arn.apply(lambda arn, r=region: replica_arn(arn, primary, r))
        self.register_outputs({"arn": self.arn, "name": self.name, "arns": self.arns})

    def put_value_command(self) -> pulumi.Output[str]:
        """The command that sets the value (documented, exported; never run by the program)."""
        primary = self.primary_region
        return self.arn.apply(
            lambda arn: (
                f"aws secretsmanager put-secret-value --region {primary} --secret-id {arn} "
                "--secret-string file://<file holding the value>"
            )
        )
