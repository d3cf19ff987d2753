"""`synth`: run the stack program (`stacks.program.main`) offline under the SDK's mocks.

The very same entry point `pulumi up` runs, fed the same config keys a stack file would give it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from blueprints.plan.models import TopologyPlan
from stacks.graph import ResourceGraph

PROJECT = "agentha-blueprint"
OFFLINE_AURORA_PASSWORD = "offline-synth-placeholder"


@dataclass(frozen=True)
class Synthesis:
    plan: TopologyPlan
    graph: ResourceGraph


def synth(
    spec_path: str | Path,
    environment: str | None = None,
    *,
    stack: str | None = None,
    config: dict[str, str] | None = None,
    project: str = PROJECT,
) -> Synthesis:
    """Validate and plan the spec (SpecError on bad input), then capture the program's resource graph."""
    from stacks import program
    from stacks.capture import let_registrations_finish, synthesize

    the_plan = program.plan_spec(spec_path, environment)  # the program below reuses this load and plan
    full_config = {
        "agentha:spec": str(Path(spec_path).resolve()),
        "agentha:environment": environment or "base",
    }
    full_config.update(config or {})
    if the_plan.target == "kubernetes" and "agentha:kubeContexts" not in full_config:
        full_config["agentha:kubeContexts"] = json.dumps(
            {r.name: f"{the_plan.system}-{r.name}" for r in the_plan.regions}
        )
    if any(s.engine == "aurora-postgresql" and s.replica_regions for s in the_plan.stores):
        # A real stack sets this secret (`pulumi config set --secret`); offline a stand-in does. It
        # reaches no cloud and the capture shows it only as [secret].
        full_config.setdefault("agentha:auroraMasterPassword", OFFLINE_AURORA_PASSWORD)
    graph = synthesize(
        lambda: program.main(pace=let_registrations_finish),
        project=project,
        stack=stack or environment or "base",
        config=full_config,
    )
    return Synthesis(plan=the_plan, graph=graph)
