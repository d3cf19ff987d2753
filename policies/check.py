"""`check` without the CLI: read the enforcement config, synthesize under mocks, evaluate the rules.

Used by `agentha-blueprint check`, the benchmark and the tests. Bad input (spec, config file)
raises `SpecError` before anything is synthesized where it can.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from policies.config import PolicyConfig, find_config, load_config
from policies.context import PolicyContext
from policies.model import Report


@dataclass(frozen=True)
class CheckRun:
    report: Report
    context: PolicyContext
    config: PolicyConfig
    synth_seconds: float
    rules_seconds: float


def kube_contexts(system: str, regions: list[str]) -> dict[str, str]:
    """The kubeconfig context per region `synth` uses offline (`<system>-<region>`)."""
    return {region: f"{system}-{region}" for region in regions}


def run_check(spec: str | Path, environment: str | None = None, config_file: str | Path | None = None) -> CheckRun:
    from policies.engine import evaluate
    from policies.registry import rules
    from stacks.capture import frozen_heap
    from stacks.synth import synth

    config = load_config(find_config(spec, config_file), rules())
    started = time.perf_counter()
    synthesis = synth(spec, environment)  # validates the spec first: SpecError on bad input
    synth_seconds = time.perf_counter() - started
    plan = synthesis.plan
    context = PolicyContext(
        plan=plan,
        spec_file=str(spec),
        environment=environment,
        # what `synth` gives a Kubernetes program offline (`<system>-<region>` per region)
        kube_contexts=kube_contexts(plan.system, [r.name for r in plan.regions]) if plan.target == "kubernetes" else {},
    )
    # The synthesized program leaves a large heap; keep the cyclic collector from re-scanning it while
    # the rules allocate their argument objects (it would bill synth's garbage to the rules).
    with frozen_heap():
        started = time.perf_counter()
        report = evaluate(synthesis.graph, context, config)
        rules_seconds = time.perf_counter() - started
    return CheckRun(
        report=report, context=context, config=config, synth_seconds=synth_seconds, rules_seconds=rules_seconds
    )
