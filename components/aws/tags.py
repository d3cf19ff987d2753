"""The tagging convention every taggable AWS resource follows, built in one place.

Policies, cost reports and runbooks read these keys, so they are a public contract:

    agentha:system       the spec's metadata.name
    agentha:environment  the environment applied (absent for the base spec)
    agentha:part         the agent, store, queue or secret name; or network, compute, encryption,
                         routing, observability for shared parts
    agentha:role         what the resource is for that part: service, alb, target-group, queue, dlq,
                         table, task-role, ...
    agentha:region       the region the resource serves
    agentha:zone         the zone, for zonal resources (subnets, NAT gateways, route tables)
    agentha:spec-path    where the part lives in the spec, dotted (agents.conversation); AWS tag
                         values cannot contain brackets
    owner                metadata.owner, when set

plus the spec's metadata.tags. The agentha keys win over a metadata tag of the same name, so a
spec cannot spoof them.
"""

from __future__ import annotations

from dataclasses import dataclass

from blueprints.plan import naming
from blueprints.plan.models import TopologyPlan

SYSTEM = "agentha:system"
ENVIRONMENT = "agentha:environment"
PART = "agentha:part"
ROLE = "agentha:role"
REGION = "agentha:region"
ZONE = "agentha:zone"
SPEC_PATH = "agentha:spec-path"
OWNER = "owner"


@dataclass(frozen=True)
class TagContext:
    """What every tag set shares: the system, environment, owner and the spec's own tags."""

    system: str
    environment: str | None = None
    owner: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_plan(cls, plan: TopologyPlan) -> TagContext:
        return cls(system=plan.system, environment=plan.environment, owner=plan.owner, extra=plan.tags)

    @property
    def scope(self) -> str:
        """Prefix of the physical names this project chooses: `<system>[-<environment>]`, so two
        environments of one system can share an account and region without name clashes."""
        return naming.join(self.system, self.environment)

    def tags(
        self,
        part: str,
        role: str,
        *,
        region: str | None = None,
        zone: str | None = None,
        spec_path: str | None = None,
    ) -> dict[str, str]:
        """The full tag set of one resource."""
        out = dict(self.extra)
        if self.owner:
            out[OWNER] = self.owner
        out[SYSTEM] = self.system
        if self.environment:
            out[ENVIRONMENT] = self.environment
        out[PART] = part
        out[ROLE] = role
        if region:
            out[REGION] = region
        if zone:
            out[ZONE] = zone
        out[SPEC_PATH] = spec_path or part
        return out


def spec_path(kind: str, name: str) -> str:
    """Dotted spec path of a named item: `agents.conversation`, `queues.inbound`."""
    return f"{kind}.{name}"
