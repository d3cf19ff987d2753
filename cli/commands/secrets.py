"""`secrets`: every secret value a stack needs before its agents can start, and how to set it.

Pure (spec and planner only, no Pulumi): the secrets are created empty by `pulumi up` (values never
pass through the spec, the program or the state), so a task that reads one fails until it is set.
The commands below read the secret's ARN from the stack outputs, so they work for any stack name.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from blueprints.analysis.commands import secret_steps
from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.output import EXIT_OK, console, spec_errors, write_stdout

__all__ = ["secret_steps", "secrets"]


class SecretsFormat(StrEnum):
    text = "text"
    json = "json"


def secrets(
    spec: SpecArg,
    env: EnvOpt = None,
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Pulumi stack the commands read outputs from (default: --env).")
    ] = None,
    output: Annotated[SecretsFormat, typer.Option("--output", "-o", help="text or json.")] = SecretsFormat.text,
) -> None:
    """List every secret value to set before the agents can start, with the exact commands.

    `pulumi up` creates each spec secret empty (its value never passes through the spec, the program
    or the Pulumi state) and replicates it to every region of the plan. On aws, a first deploy goes:
    `pulumi config set agentha:startAgents false`, `pulumi up`, run the `set` commands printed here,
    `pulumi config set agentha:startAgents true`, `pulumi up` (docs/deploy.md).

    [bold]Examples[/bold]

      agentha-blueprint secrets examples/support-agent/spec.yaml --env prod

      agentha-blueprint secrets spec.yaml --env dev --output json
    """
    from blueprints.plan.planner import plan_core
    from blueprints.spec.loader import load_spec

    fmt = output.value
    with spec_errors("json" if fmt == "json" else "text"):
        loaded = load_spec(spec, env)
        plan = plan_core(loaded.spec, env)
    steps = secret_steps(plan, stack or env)
    if fmt == "json":
        write_stdout(json.dumps({"target": plan.target, "secrets": steps}, indent=2))
        raise typer.Exit(EXIT_OK)
    out = console()
    if not steps:
        out.print("This spec names no secrets: nothing to set.")
        raise typer.Exit(EXIT_OK)
    for step in steps:
        where = ", ".join([step["primary_region"], *step["replica_regions"]])
        out.print(f"[bold]{step['name']}[/bold] ({step['description'] or 'no description'})", highlight=False)
        out.print(f"  read by: {', '.join(step['agents']) or 'no agent'}; lives in: {where}", highlight=False)
        if plan.target != "aws":
            out.print("  create it in every cluster: see the stack output kubernetes.requiredSecrets", highlight=False)
            continue
        out.print("  set (once, in the primary region; Secrets Manager copies it to the replicas):", highlight=False)
        out.print(f"    {step['set']}", highlight=False, soft_wrap=True)
        for check in step["check"]:
            out.print("  check the replicas:", highlight=False)
            out.print(f"    {check}", highlight=False, soft_wrap=True)
        if step["restart"]:
            out.print("  running tasks read it at start: restart them (not needed after a startAgents=false deploy):")
            for restart in step["restart"]:
                out.print(f"    {restart}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK)
