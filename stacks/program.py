"""The Pulumi program: spec → plan → components, for `pulumi up` and for the offline `synth`.

`pulumi up` runs `stacks/__main__.py`, which calls `main()`; `agentha-blueprint synth` calls the same
`main()` in-process under the SDK's mocks, with a pace between its stages (see `main`). There is no
second copy of this program.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from blueprints.errors import SpecError
from blueprints.plan.models import TopologyPlan
from stacks.settings import StackSettings

if TYPE_CHECKING:
    from components.aws.topology import AwsTopology
    from components.kubernetes.topology import KubernetesTopology


def plan_spec(spec_path: str | Path, environment: str | None) -> TopologyPlan:
    """Load, validate and plan a spec file (SpecError on bad input, positions in `spec_path`'s words).

    Memoised on the file's exact text and the environment, so `synth` (which validates first, to
    report bad input with exit code 2) and the program it then runs share one load and plan; an
    edited file is planned anew. Only successful plans are kept.
    """
    from blueprints.plan.planner import plan
    from blueprints.progress import phase
    from blueprints.spec.loader import load_text, read_spec_text

    text = read_spec_text(spec_path)
    key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), environment)
    cached = _PLANS.get(key)
    if cached is None:
        phase("validating the spec" + (f" (environment {environment})" if environment else ""))
        loaded = load_text(text, str(spec_path), environment)
        phase("planning the topology and its estimates")
        cached = plan(loaded.spec, environment, advise=False)
        if len(_PLANS) >= 16:
            _PLANS.clear()
        _PLANS[key] = cached
    return cached


_PLANS: dict[tuple[str, str | None], TopologyPlan] = {}


def load_plan(settings: StackSettings) -> TopologyPlan:
    """Load, validate and plan the stack's spec; a bad spec stops the program with every problem."""
    try:
        return plan_spec(settings.spec_path, settings.environment)
    except SpecError as err:
        lines = [f"{p.location}: {p.path}: {p.message} (fix: {p.fix})" for p in err.problems if p.severity == "error"]
        raise pulumi.RunError("the HA spec is invalid:\n" + "\n".join(lines)) from None


def build(plan: TopologyPlan, settings: StackSettings) -> AwsTopology | KubernetesTopology:
    """Start the topology's component; its `stages()` build the resources, its `exports()` then say
    what is worth exporting."""
    if plan.target == "aws":
        from components.aws.topology import AwsTopology, AwsTopologyArgs

        aws = AwsTopology(
            plan.system,
            AwsTopologyArgs(
                plan=plan, assume_role_arn=settings.assume_role_arn, allowed_account_ids=settings.allowed_account_ids
            ),
            staged=True,
        )
        return aws
    from components.kubernetes.topology import (
        DEFAULT_INGRESS_CLASS,
        DEFAULT_PRIVATE_INGRESS_CLASS,
        KubernetesTopology,
        KubernetesTopologyArgs,
    )

    kube = KubernetesTopology(
        plan.system,
        KubernetesTopologyArgs(
            plan=plan,
            contexts=settings.kube_contexts,
            kubeconfig=settings.kubeconfig,
            tls_secret_name=settings.tls_secret_name,
            ingress_class_name=settings.ingress_class or DEFAULT_INGRESS_CLASS,
            private_ingress_class_name=settings.private_ingress_class or DEFAULT_PRIVATE_INGRESS_CLASS,
            otlp_endpoint=settings.otlp_endpoint,
        ),
        staged=True,
    )
    return kube


def estimates(plan: TopologyPlan) -> dict[str, Any]:
    """The plan's estimates, exported so dashboards and reviews see what the topology should deliver."""
    out: dict[str, Any] = {}
    for e in plan.estimates:
        key = "availability" if e.kind == "availability" else f"{e.kind}_{e.disruption}"
        out[key] = {"estimate": e.value, "objective": e.objective, "met": e.met}
    return out


Pace = Callable[[], Awaitable[None]]
"""What the program awaits between two stages of the topology."""


def main(pace: Pace | None = None) -> Coroutine[Any, Any, None] | None:
    """The program. `pulumi up` calls it without a pace: every stage is built at once, as Pulumi
    programs are, and the engine receives every registration as early as it can.

    The offline capture passes a pace that lets the SDK finish the registrations of one stage (an
    agent in a region, a store, a queue) before the next is built; the program then returns a
    coroutine, which the SDK awaits. The resources, their inputs and options are the same either way
    (tests/stacks/test_program.py compares the graphs); only the schedule of the SDK's event loop
    differs. It matters for memory: a registration still waiting holds all its pending Outputs, so
    building 10,000 resources before registering any peaked near 1 GB, where registering stage by
    stage keeps what is pending to one stage.
    """
    settings = StackSettings.from_config()
    plan = load_plan(settings)
    topology = build(plan, settings)
    if pace is None:
        for _ in topology.stages():
            pass
        _export(topology, plan)
        return None

    async def paced() -> None:
        for _ in topology.stages():
            await pace()
        _export(topology, plan)

    return paced()


def _export(topology: AwsTopology | KubernetesTopology, plan: TopologyPlan) -> None:
    for key, value in sorted(topology.exports().items()):
        pulumi.export(key, value)
    pulumi.export("estimates", estimates(plan))
