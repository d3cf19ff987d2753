"""The spec and plan a rule compares the resources with.

Offline, `agentha-blueprint check` has just loaded and planned the spec, and sets the context around
the evaluation (`using`). Inside the Pulumi engine, the pack has no caller to hand it anything, so
`current()` loads it from the stack's own config — the keys the program itself reads
(`agentha:spec`, `agentha:environment`, see stacks/settings.py). The Pulumi CLI passes a stack's
config to a Python policy pack in the `PULUMI_CONFIG` environment variable and pulumi-policy loads
it into `pulumi.Config` before every analysis, so the same `StackSettings.from_config()` works there.

Limits inside the engine: a relative `agentha:spec` is resolved against the nearest folder holding
Pulumi.yaml at or above the pack's folder (the engine runs the pack in its own folder), then above
the directory `pulumi` was started from (`$PWD`); a spec that cannot be found or is invalid leaves
the context empty with the reason in `error`, and the rules that need it say so.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from blueprints.errors import Location
    from blueprints.plan.models import AgentPlan, QueuePlan, SecretPlan, StorePlan, TopologyPlan
    from blueprints.spec.loader import LoadedSpec

COLLECTIONS = ("agents", "stores", "queues", "secrets")
GATEWAY_SECTION = "gateway"
"""The spec section of the model gateway (blueprints/plan/gateway.py SPEC_PATH)."""
GATEWAY_WORKLOAD = "model-gateway"
"""The gateway's workload name among the agents (blueprints/plan/gateway.py GATEWAY)."""


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _named(records: Iterable[_N], name: str | None) -> _N | None:
    """The first plan record called `name`; None without a name, or when no record has it."""
    if name is None:
        return None
    return next((r for r in records if r.name == name), None)


@dataclass
class PolicyContext:
    """The plan (and the loaded spec, for positions) that one evaluation compares against."""

    plan: TopologyPlan | None
    loaded: LoadedSpec | None = None
    spec_file: str | None = None
    environment: str | None = None
    kube_contexts: Mapping[str, str] = field(default_factory=dict)
    policy_config: str | None = None
    """Path of the enforcement config named by the stack (`agentha:policyConfig`), if any."""
    error: str | None = None
    """Why the plan is missing (pack only: spec not found, invalid, config keys absent)."""

    # --- lookups by name ------------------------------------------------------------------------

    def agent(self, name: str | None) -> AgentPlan | None:
        """An agent, or the model gateway (built like one), by name."""
        return _named(self.plan.workloads if self.plan is not None else (), name)

    def store(self, name: str | None) -> StorePlan | None:
        return _named(self.plan.stores if self.plan is not None else (), name)

    def queue(self, name: str | None) -> QueuePlan | None:
        return _named(self.plan.queues if self.plan is not None else (), name)

    def secret(self, name: str | None) -> SecretPlan | None:
        return _named(self.plan.secrets if self.plan is not None else (), name)

    def zones(self, region: str | None) -> tuple[str, ...]:
        planned = _named(self.plan.regions if self.plan is not None else (), region)
        return planned.zones if planned is not None else ()

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.plan.regions) if self.plan else ()

    def region_for_context(self, kube_context: str | None) -> str | None:
        """Kubernetes: the region whose cluster a kubeconfig context names."""
        if kube_context is None:
            return None
        return next((region for region, ctx in self.kube_contexts.items() if ctx == kube_context), None)

    # --- spec paths -------------------------------------------------------------------------------

    @staticmethod
    def part(spec_path: str | None) -> tuple[str, str] | None:
        """`queues.inbound` -> ("queues", "inbound"); None for paths that name no agent/store/queue/secret."""
        if not spec_path:
            return None
        head, _, rest = spec_path.partition(".")
        if head == GATEWAY_SECTION:
            # The spec's `gateway` section is built as a workload, checked like an agent.
            return "agents", GATEWAY_WORKLOAD
        if head not in COLLECTIONS or not rest:
            return None
        return head, rest.split(".", 1)[0]

    def locate(self, spec_path: str | None) -> Location | None:
        """File, line and column where `spec_path` (`queues.inbound.visibility_timeout`) was written.

        The spec is read again (with positions) on first use only: reports that need no positions never pay.
        """
        if not spec_path:
            return None
        if self.loaded is None and self.spec_file:
            from blueprints.spec.loader import load_spec

            self.loaded = load_spec(self.spec_file, self.environment)
        if self.loaded is None:
            return None
        doc = self.loaded.document
        parts: list[str | int] = []
        tokens = spec_path.split(".")
        i = 0
        while i < len(tokens):
            token = tokens[i]
            parts.append(token)
            value = doc.get(tuple(parts))
            if isinstance(value, list) and i + 1 < len(tokens):
                name = tokens[i + 1]
                index = next(
                    (j for j, item in enumerate(value) if isinstance(item, dict) and item.get("name") == name), None
                )
                if index is not None:
                    parts.append(index)
                    i += 1
            i += 1
        location, _ = doc.locate(tuple(parts))
        return location


_CURRENT: ContextVar[PolicyContext | None] = ContextVar("agentha_policy_context", default=None)
_STACK_CONTEXT: PolicyContext | None = None
_STACK_KEY: tuple[Any, ...] | None = None
_LOCK = threading.Lock()


@contextmanager
def using(context: PolicyContext) -> Iterator[PolicyContext]:
    """Make `context` the one `current()` returns while evaluating offline."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def current() -> PolicyContext:
    """The context set by `using`, else (inside the Pulumi engine) the one the stack's config names."""
    context = _CURRENT.get()
    if context is not None:
        return context
    return from_stack_config()


def from_stack_config() -> PolicyContext:
    """Load and plan the spec the stack's config names; cached per (spec, environment, stack)."""
    global _STACK_CONTEXT, _STACK_KEY
    import pulumi

    config = pulumi.Config("agentha")
    try:
        stack = pulumi.get_stack()
    except Exception:  # not configured: no PULUMI_STACK in the environment
        stack = None
    key = (config.get("spec"), config.get("environment"), config.get("kubeContexts"), stack)
    with _LOCK:
        if _STACK_CONTEXT is not None and key == _STACK_KEY:
            return _STACK_CONTEXT
        _STACK_CONTEXT = _load_from_config(config, stack)
        _STACK_KEY = key
        return _STACK_CONTEXT


def _load_from_config(config: Any, stack: str | None) -> PolicyContext:
    from blueprints.errors import SpecError
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_spec

    spec = config.get("spec")
    if not spec:
        return PolicyContext(
            plan=None,
            error="the stack config has no `agentha:spec` (set it with `pulumi config set agentha:spec PATH`)",
        )
    environment = config.get("environment")
    if environment is None:
        environment = stack
    if environment in ("", "base"):
        environment = None
    kube_contexts = config.get_object("kubeContexts") or {}
    path = resolve_spec_path(spec)
    if path is None:
        return PolicyContext(
            plan=None,
            spec_file=spec,
            error=f"the spec `{spec}` named by agentha:spec was not found from {Path.cwd()} or $PWD; "
            "make agentha:spec an absolute path, or keep the pack inside the project",
        )
    try:
        loaded = load_spec(path, environment)
    except SpecError as err:
        return PolicyContext(plan=None, spec_file=str(path), environment=environment, error=err.summary())
    return PolicyContext(
        plan=plan(loaded.spec, environment, advise=False),
        loaded=loaded,
        spec_file=str(path),
        environment=environment,
        kube_contexts=dict(kube_contexts),
        policy_config=config.get("policyConfig"),
    )


def resolve_spec_path(spec: str) -> Path | None:
    """An absolute spec path as is; a relative one against the project root seen from here or $PWD."""
    from stacks.settings import project_root

    path = Path(spec)
    if path.is_absolute():
        return path if path.exists() else None
    starts = [Path.cwd()]
    if os.environ.get("PWD"):
        starts.append(Path(os.environ["PWD"]))
    for start in starts:
        candidate = project_root(start) / path
        if candidate.exists():
            return candidate
    return None
