"""One explicit AWS provider for the whole topology, so nothing depends on ambient `aws:region`.

Every regional resource also names its region with pulumi-aws v7's `region=` argument; the
provider's own region (the plan's primary region) only anchors global services (IAM, Route 53) and
data-source calls. Assumed role and allowed accounts come from the stack settings.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws


def topology_provider(
    name: str,
    *,
    region: str,
    assume_role_arn: str | None = None,
    allowed_account_ids: Sequence[str] = (),
    opts: pulumi.ResourceOptions | None = None,
) -> aws.Provider:
    """The provider every resource of the topology uses (passed down through the component tree)."""
    return aws.Provider(
        name,
        aws.ProviderArgs(
            region=region,
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=assume_role_arn, session_name="agentha-blueprint")]
            if assume_role_arn
            else None,
            allowed_account_ids=list(allowed_account_ids) or None,
        ),
        opts=opts,
    )
