"""Secrets reach ECS containers only by reference (`secrets[].valueFrom`), never as plain environment values."""

from __future__ import annotations

import re
from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, violation
from policies.rules._gateway import is_key_placeholder
from policies.rules._shared import container_definitions, env_var_name, part_name

SECRET_LIKE = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)", re.I)


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    agent = current().agent(part_name(subject, "agents"))
    spec_secrets = {env_var_name(s): s for s in (agent.secrets if agent else ())}
    for container in container_definitions(args.props):
        name = container.get("name")
        plain = {e.get("name"): e.get("value") for e in container.get("environment") or [] if isinstance(e, dict)}
        referenced = {
            s.get("name") for s in container.get("secrets") or [] if isinstance(s, dict) and s.get("valueFrom")
        }
        for var in sorted(k for k in plain if isinstance(k, str)):
            if var in spec_secrets or (SECRET_LIKE.search(var) and not is_key_placeholder(var, plain[var])):
                which = spec_secrets.get(var)
                violation(
                    report_violation,
                    subject,
                    f"container '{name}' gets {var} as a plain environment value"
                    + (f" although it is the spec secret '{which}'" if which else "")
                    + ": it is readable by anyone who can describe the task definition, and kept in the state",
                    f"pass {var} under secrets with valueFrom: <the Secrets Manager secret ARN>",
                )
        # The spec's secrets are the agent's own container's; a sidecar (the trace collector) needs none.
        if agent is not None and name != agent.name:
            continue
        for var, secret in sorted(spec_secrets.items()):
            if var not in referenced and var not in plain:
                violation(
                    report_violation,
                    subject,
                    f"container '{name}' does not receive the spec secret '{secret}' (no {var} under secrets)",
                    f"add {{name: {var}, valueFrom: <secret ARN in this region>}} to the container's secrets",
                    spec_path=f"agents.{agent.name}.secrets" if agent else None,
                )


RULE = ResourceRule(
    id="agentha-aws-ecs-task-definition-disallow-plain-secrets",
    description="Spec secrets reach containers by Secrets Manager reference, never as plain environment values.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="A plain environment value is stored in the task definition, visible to every reader of ECS and in "
    "the Pulumi state; a secrets reference is resolved by ECS at task start and never stored.",
    fix="Move the value to Secrets Manager and reference it under the container's secrets.",
    types=("aws:ecs/taskDefinition:TaskDefinition",),
    validate=validate,
)
