"""The rules as pulumi-policy `Policy` objects, for the CrossGuard pack's entry point.

`policies/__main__.py` (what `pulumi preview --policy-pack policies` runs) only hands these to
`PolicyPack(...)`. Each policy's validate function is the rule's own `check` (the type filter and
the rule's `validate`), so the engine runs exactly the code `agentha-blueprint check` runs.

Enforcement levels come from `agentha-policy.yaml` (see policies/config.py), found from the stack's
config: `agentha:policyConfig` when set, else beside the spec `agentha:spec` names, else in the
project root. Pulumi's own `--policy-pack-config` file still applies on top (the engine's
configuration wins), as for any pack.
"""

from __future__ import annotations

from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from policies.config import PolicyConfig, find_config, load_config
from policies.model import ResourceRule, Rule

PACK_NAME = "agentha-blueprint"
PACK_DESCRIPTION = (
    "High availability and security rules for agentha-blueprint topologies, checked against their HA spec."
)


def pack_config() -> PolicyConfig:
    """The enforcement config the stack's settings point at (defaults when there is none)."""
    from policies.context import current, resolve_spec_path
    from policies.registry import rules

    context = current()
    explicit = None
    if context.policy_config:
        explicit = resolve_spec_path(context.policy_config) or Path(context.policy_config)
    path = find_config(context.spec_file, explicit)
    return load_config(path, rules())


def policy(rule: Rule, config: PolicyConfig) -> Policy:
    """One rule as a CrossGuard policy at its configured level."""
    common = {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": EnforcementLevel(config.level(rule)),
        "severity": Severity(rule.severity),
        "tags": list(rule.topics),
        "remediation_steps": rule.fix,
    }
    if isinstance(rule, ResourceRule):
        return ResourceValidationPolicy(validate=rule.check, **common)
    return StackValidationPolicy(validate=rule.check, **common)


def pack_policies(config: PolicyConfig | None = None) -> list[Policy]:
    """Every rule as a policy, in id order."""
    from policies.registry import rules

    config = config if config is not None else pack_config()
    return [policy(rule, config) for rule in rules()]
