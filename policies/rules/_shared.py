"""Helpers several rules share: finding a resource's part of the plan, reading policy documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from policies.context import PolicyContext
from policies.resources import UNKNOWN, Subject, as_json, get, items, mapping

if TYPE_CHECKING:
    from blueprints.plan.models import AgentPlan, AlarmPlan, Placement, QueuePlan

ROLE_TAG = "agentha:role"
PART_TAG = "agentha:part"


def part_name(subject: Subject, kind: str) -> str | None:
    """The agent/store/queue/secret name a resource was built for (`kind` is the spec collection)."""
    part = PolicyContext.part(subject.spec_path)
    if part is not None and part[0] == kind:
        return part[1]
    return None


def agent_placement(context: PolicyContext, name: str | None, region: str | None) -> Placement | None:
    """Where the plan places agent `name` in `region`; None when it is no planned agent or not placed there."""
    agent = context.agent(name)
    return agent.placement(region) if agent and region else None


def replica_regions(props: Any, key: str) -> set[str] | None:
    """The regions of a resource's `replicas` (each names its region in `key`); None while they are unknown."""
    replicas = items(get(props, "replicas"))
    if UNKNOWN in replicas:
        return None
    return {r for r in (get(x, key) for x in replicas) if isinstance(r, str)}


def fewer_subnets_than_zones(subnets: list[Any], zones: tuple[str, ...]) -> bool:
    """Fewer subnets than the plan's zones in the region (2 when it names none); False while they are unknown.

    A single-zone spec asked for one zone, and its estimates say what that costs.
    """
    return UNKNOWN not in subnets and len(subnets) < (len(zones) or 2)


def role(subject: Subject) -> str | None:
    return subject.tag(ROLE_TAG)


def is_dead_letter_queue(subject: Subject, context: PolicyContext) -> bool:
    if role(subject) == "dlq":
        return True
    name = get(subject.props, "name")
    return isinstance(name, str) and any(
        q.dead_letter_physical_name == name for q in (context.plan.queues if context.plan else ())
    )


def consumers_slower_than(
    context: PolicyContext, queue: QueuePlan, timeout_s: float
) -> Iterator[tuple[str, AgentPlan]]:
    """The planned consumers of `queue` whose longest step lasts `timeout_s` or more: a message they are
    still working on is handed out again when the queue's timeout ends."""
    for consumer in queue.consumers:
        agent = context.agent(consumer)
        if agent is None or timeout_s > agent.max_step_s:
            continue
        yield consumer, agent


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM/resource policy document (JSON text or data); [] when unknown."""
    doc = as_json(document)
    if not isinstance(doc, dict):
        return []
    raw = doc.get("Statement")
    if isinstance(raw, dict):
        return [raw]
    return [s for s in items(raw) if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return items(value)


def known(values: Iterable[Any]) -> list[Any]:
    return [v for v in values if v is not UNKNOWN]


def tags_of(props: Any) -> dict[str, Any]:
    return mapping(get(props, "tags"))


# The spec's SLI alarms (observability.alarms keys) and the `agentha:role` tags of the alarms for them.
SLI_ROLES: dict[str, tuple[str, ...]] = {
    "error_rate_percent": ("alarm-5xx-rate", "alarm-error-rate"),
    "latency_p99": ("alarm-latency-p99",),
    "oldest_message_age": ("alarm-oldest-message-age",),
    "dead_letters": ("alarm-dead-letters",),
    "replication_lag": ("alarm-replication-latency-to-", "alarm-global-replication-lag", "alarm-replication-lag"),
    "unhealthy_hosts": ("alarm-unhealthy-hosts",),
    "running_below_min": ("alarm-running-below-min",),
}


def enabled_slis(alarms: AlarmPlan) -> dict[str, bool]:
    """Which of the spec's SLIs (observability.alarms keys) it asks an alarm for."""
    return {
        "error_rate_percent": alarms.error_rate_percent is not None,
        "latency_p99": alarms.latency_p99_s is not None,
        "oldest_message_age": alarms.oldest_message_age_s is not None,
        "dead_letters": alarms.dead_letters is not None,
        "replication_lag": alarms.replication_lag_s is not None,
        "unhealthy_hosts": alarms.unhealthy_hosts,
        "running_below_min": alarms.running_below_min,
    }


def sli_of(subject: Subject) -> str | None:
    """The spec SLI (observability.alarms key) an alarm watches, from its role tag; None for other alarms."""
    tag = role(subject) or ""
    for sli, prefixes in SLI_ROLES.items():
        if any(tag == p or (p.endswith("-") and tag.startswith(p)) or tag.startswith(p + "-") for p in prefixes):
            return sli
    return None


def container_definitions(props: Any) -> list[dict[str, Any]]:
    """An ECS task definition's containers (the provider takes them as a JSON string)."""
    data = as_json(get(props, "containerDefinitions"))
    if not isinstance(data, list):
        return []
    return [c for c in data if isinstance(c, dict)]


def env_var_name(name: str) -> str:
    """`llm-api-key` -> `LLM_API_KEY`: how a spec secret's name becomes an environment variable."""
    import re

    text = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()
    return f"_{text}" if text[:1].isdigit() else text


# --- who a policy statement lets in ------------------------------------------------------------------

# Condition keys that pin a statement to fixed callers, sources or networks when compared for equality
# with fixed values: S3's meaning of "public" (aws:SourceIp/Arn/Vpc/Vpce/Owner/Account, aws:userid) and
# IAM Access Analyzer's organisation and principal keys. https://docs.aws.amazon.com/AmazonS3/latest/
# userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
NARROWING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "kms:CallerAccount",
    )
)
# Operators that narrow when their key is present and equal to a fixed value. Negated operators
# (StringNotEquals...) and ...IfExists (true when the key is absent) narrow nothing.
NARROWING_OPERATORS = frozenset(
    o.lower() for o in ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress")
)
OPEN_NETWORKS = frozenset({"0.0.0.0/0", "::/0"})


def is_public_principal(principal: Any) -> bool:
    """`Principal: "*"` or `{"AWS": "*"}` (alone or in a list): anyone, in any account, or anonymous."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS"))
    return False


def fixed_values(values: Any) -> bool:
    """Every value is a fixed one (not only wildcards, not an open network), and there is at least one."""
    found = as_list(values)
    return bool(found) and all(isinstance(v, str) and v.strip("*?: ") and v not in OPEN_NETWORKS for v in found)


def narrowing_condition(statement: dict[str, Any], keys: frozenset[str] = NARROWING_KEYS) -> str | None:
    """The first `operator key` of the statement's Condition that pins it to fixed callers; None if none does."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return None
    for operator, tests in condition.items():
        if not isinstance(operator, str) or not isinstance(tests, dict):
            continue
        qualifier, _, bare = operator.lower().rpartition(":")
        if qualifier == "forallvalues" or bare not in NARROWING_OPERATORS:  # ForAllValues holds when the key is absent
            continue
        for key, values in tests.items():
            if isinstance(key, str) and _key_matches(key.lower(), keys) and fixed_values(values):
                return f"{operator} {key}"
    return None


def _key_matches(key: str, keys: frozenset[str]) -> bool:
    return key in keys or any(k.endswith("/") and key.startswith(k) for k in keys)


# --- relations between resources (stack rules) -------------------------------------------------------


def referenced(resource: Any, key: str, type_token: str | None = None) -> list[Any]:
    """The resources a stack resource's input `key` was built from (its property dependencies).

    The engine and the offline check both link them; an input given as a literal id (an existing
    resource outside the stack) has none.
    """
    found = (getattr(resource, "property_dependencies", None) or {}).get(key) or []
    return [r for r in found if type_token is None or r.resource_type == type_token]
