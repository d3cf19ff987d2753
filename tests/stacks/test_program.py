"""stacks.program: one load and plan per spec text, shared by `synth` and the program it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints.errors import SpecError
from stacks import program
from tests.conftest import EXAMPLES


def test_plan_spec_is_memoised_on_the_file_text(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (EXAMPLES / "support-agent" / "spec.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    first = program.plan_spec(spec, "dev")
    assert program.plan_spec(spec, "dev") is first  # same text, same environment: no second load
    assert program.plan_spec(spec, "prod") is not first
    spec.write_text(text.replace("min: 2, max: 4", "min: 3, max: 6"), encoding="utf-8")
    edited = program.plan_spec(spec, "dev")
    assert (
        edited is not first
        and edited.agent("conversation").placements[0].desired != first.agent("conversation").placements[0].desired
    )


def test_plan_spec_reports_bad_input_in_the_path_the_user_gave(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        program.plan_spec(tmp_path / "missing.yaml", None)
    assert err.value.problems[0].location.file == str(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("example", "environment"),
    [("support-agent", "prod"), ("claims-aws", None), ("claims-kubernetes", None), ("research-agent", None)],
)
def test_the_paced_program_captures_the_very_graph_the_unpaced_one_does(
    example: str, environment: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `synth` paces the program (memory); `pulumi up` runs it unpaced. Same resources, inputs, options.
    from stacks.synth import synth

    spec = EXAMPLES / example / "spec.yaml"
    paced = synth(spec, environment).graph
    real_main = program.main
    monkeypatch.setattr(program, "main", lambda pace=None: real_main())
    unpaced = synth(spec, environment).graph
    assert len(paced) == len(unpaced) > 50
    assert paced.dumps() == unpaced.dumps()


def test_the_program_awaits_its_pace_once_per_stage_and_exports_after_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stacks import capture
    from stacks.synth import synth

    plan = program.plan_spec(EXAMPLES / "support-agent" / "spec.yaml", "prod")
    paces: list[int] = []
    real_pace = capture.let_registrations_finish

    async def counting_pace() -> None:
        paces.append(len(paces))
        await real_pace()

    monkeypatch.setattr(capture, "let_registrations_finish", counting_pace)
    graph = synth(EXAMPLES / "support-agent" / "spec.yaml", "prod").graph
    placements = sum(len(a.placements) for a in plan.workloads)
    queues = sum(len(q.regions) for q in plan.queues)
    # regions, stores, queue per region, agent per region (the gateway's too), then the rest
    assert len(paces) == len(plan.regions) + len(plan.stores) + queues + placements + 1
    assert graph.exports["estimates"]  # exported after the last stage


def test_a_staged_topology_runs_its_stages_once_and_exports_only_when_they_are_done() -> None:
    from stacks.capture import synthesize
    from stacks.settings import StackSettings

    spec = EXAMPLES / "research-agent" / "spec.yaml"
    exported: list[dict[str, object]] = []

    def staged() -> None:
        topology = program.build(program.plan_spec(spec, None), StackSettings.from_config())
        stages = topology.stages()
        with pytest.raises(RuntimeError, match="exports nothing until all its stages"):
            topology.exports()
        with pytest.raises(RuntimeError, match="already been run"):
            topology.stages()
        labels = list(stages)
        assert labels[0] == "stores and queues in europe-west4" and labels[-1].startswith("ingress")
        exported.append(topology.exports())

    synthesize(
        staged,
        project="agentha-blueprint",
        stack="base",
        config={"agentha:spec": str(spec), "agentha:kubeContexts": '{"europe-west4": "lab"}'},
    )
    assert "kubernetes" in exported[0]
