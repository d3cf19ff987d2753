"""Agents calling through the model gateway do not retry when the gateway retries too (nested retry loops)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from policies.model import StackRule
from policies.resources import Subject, violation
from policies.rules._gateway import URL_ENV, WORKLOAD_TYPES, gateway_config, plain_env

ATTEMPTS_ENV = "AGENTHA_RETRY_MAX_ATTEMPTS"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def validate(args: Any, report_violation: Any) -> None:
    gateways: dict[str | None, int] = {}
    callers: dict[str | None, list[tuple[Subject, int]]] = defaultdict(list)
    for r in args.resources:
        if r.resource_type not in WORKLOAD_TYPES:
            continue
        subject = Subject.of(r)
        env = plain_env(r.resource_type, r.props)
        config = gateway_config(env)
        if config is not None:
            retries = _int((config.get("router_settings") or {}).get("num_retries"))
            gateways[subject.region] = retries or 0
        elif URL_ENV in env:
            attempts = _int(env.get(ATTEMPTS_ENV))
            if attempts is not None and attempts > 1:
                callers[subject.region].append((subject, attempts))
    for region, retries in sorted(gateways.items(), key=lambda kv: str(kv[0])):
        if retries <= 0:
            continue
        for subject, attempts in callers.get(region, []):
            violation(
                report_violation,
                subject,
                f"{subject.name} retries its calls {attempts} times and the model gateway it calls retries each "
                f"{retries} more: up to {attempts * (retries + 1)} calls per request reach a provider that is "
                "already failing or throttling (a retry storm)",
                "retry in one place: set gateway.retries to 0 (the gateway still falls back), or the caller's "
                "retries.max_attempts to 1",
                spec_path="gateway.retries",
            )


RULE = StackRule(
    id="agentha-stack-gateway-disallow-nested-retries",
    description="Agents calling through the model gateway do not retry when the gateway retries too.",
    severity="high",
    topics=("availability",),
    # Mandatory (issue 13's review: an availability rule is advisory only with a written reason, and none
    # applies here): every generated example complies, and nested retries turn throttling into an outage.
    enforcement="mandatory",
    why="Retry loops stacked in the agent and the gateway multiply: a throttled provider receives "
    "attempts × (retries + 1) calls per request, which turns 429s into an outage.",
    fix="Keep one retry loop: gateway.retries: 0, or retries.max_attempts: 1 on the agents that call it.",
    validate=validate,
)
