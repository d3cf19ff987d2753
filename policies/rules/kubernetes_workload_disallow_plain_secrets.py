"""Secrets reach containers only by reference (secretKeyRef / mounted Secret), never as literal env values."""

from __future__ import annotations

import re
from typing import Any

from policies.context import current
from policies.model import ResourceRule
from policies.resources import Subject, get, items, violation
from policies.rules._gateway import is_key_placeholder
from policies.rules._kubernetes import WORKLOADS, containers
from policies.rules._shared import part_name

SECRET_LIKE = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)", re.I)


def env_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    agent = current().agent(part_name(subject, "agents"))
    spec_secrets = {env_name(s): s for s in (agent.secrets if agent else ())}
    for container in containers(args.props):
        for env in items(get(container, "env")):
            name = get(env, "name")
            if not isinstance(name, str) or get(env, "value") is None:
                continue
            if name.upper() in spec_secrets or (
                SECRET_LIKE.search(name) and not is_key_placeholder(name, get(env, "value"))
            ):
                which = spec_secrets.get(name.upper())
                violation(
                    report_violation,
                    subject,
                    f"container '{get(container, 'name')}' gets {name} as a literal value"
                    + (f" although it is the spec secret '{which}'" if which else "")
                    + ": it is visible in the manifest, the Pulumi state and `kubectl describe`",
                    f"use env[].valueFrom.secretKeyRef to a Secret created out of band for {name}",
                )


RULE = ResourceRule(
    id="agentha-kubernetes-workload-disallow-plain-secrets",
    description="Secrets reach containers by secretKeyRef, never as literal environment values.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="A literal value in a pod template is stored in etcd unencrypted by default, rendered into GitOps "
    "manifests and shown to anyone who can read Deployments.",
    fix="Reference a Secret (valueFrom.secretKeyRef), created out of band or by External Secrets.",
    types=WORKLOADS,
    validate=validate,
)
