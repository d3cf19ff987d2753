"""The exact commands an operator runs against one stack, with that stack's names.

Pure: from the plan (and the stack name). Physical names Pulumi generates (a random suffix) are read
at run time from the stack's outputs (`pulumi stack output`) or its state (`pulumi stack export`), so
every command is exact for the stack it names. Used by `secrets` and by the runbooks.
"""

from __future__ import annotations

import shlex
from typing import Any


def selector(stack: str | None) -> str:
    """` -s <stack>` for pulumi commands (empty: the selected stack)."""
    return f" -s {shlex.quote(stack)}" if stack else ""


def regions_output(stack: str | None) -> str:
    return f"pulumi stack output{selector(stack)} regions --json"


def output_of(stack: str | None, *path: str) -> str:
    """`$(...)`: a value of the `regions` stack output (aws), e.g. ("us-east-1", "cluster")."""
    keys = "".join(f'["{p}"]' for p in path)
    return f"$({regions_output(stack)} | jq -r '.{keys}')"


def resource_id(stack: str | None, logical: str) -> str:
    """`$(...)`: the provider id of the resource named `logical` in the stack's state (an ARN, a
    table name, a cluster identifier: whatever the provider uses as its id)."""
    return (
        f"$(pulumi stack export{selector(stack)} | jq -r '.deployment.resources[] "
        f'| select(.urn | endswith("::{logical}")) | .id\')'
    )


def secret_steps(plan: Any, stack: str | None) -> list[dict[str, Any]]:
    """Per spec secret: who reads it, where it lives, and the commands that set and check it."""
    sel = f" -s {shlex.quote(stack)}" if stack else ""
    regions_json = f"pulumi stack output{sel} regions --json"
    out = []
    for s in plan.secrets:
        arn = f"$(pulumi stack output{sel} secrets --json | jq -r '.[\"{s.name}\"]')"
        regions = (s.primary_region, *s.replica_regions)
        entry: dict[str, Any] = {
            "name": s.name,
            "description": s.description,
            "agents": list(s.users),
            "primary_region": s.primary_region,
            "replica_regions": list(s.replica_regions),
        }
        if plan.target == "aws":
            entry["set"] = (
                f'aws secretsmanager put-secret-value --region {s.primary_region} --secret-id "{arn}" '
                f"--secret-string file://{s.name}.txt"
            )
            # Secrets Manager copies the value to each replica; this shows each one's status.
            entry["check"] = (
                [
                    f'aws secretsmanager describe-secret --region {s.primary_region} --secret-id "{arn}" '
                    "--query 'ReplicationStatus[].[Region,Status]' --output text"
                ]
                if s.replica_regions
                else []
            )
            entry["restart"] = [
                f"aws ecs update-service --region {r} "
                f'--cluster "$({regions_json} | jq -r \'.["{r}"].cluster\')" '
                f'--service "$({regions_json} | jq -r \'.["{r}"].agents["{a}"].service\')" '
                "--force-new-deployment"
                for r in regions
                for a in s.users
                if (agent := plan.workload(a)).placement(r) is not None and agent.placement(r).desired > 0
            ]
        out.append(entry)
    return out
