"""Runbook pages: the plan's numbers, the environment's real names, and drills from one source."""

from __future__ import annotations

import dataclasses
import json

import pytest

from blueprints.analysis.blast_radius import analyse
from blueprints.analysis.runbooks import names, runbook_files
from blueprints.plan import failure_modes
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_spec
from tests.conftest import EXAMPLES, synthesized


def pages(example: str, env: str = "prod") -> tuple[dict[str, str], object]:
    spec = load_spec(EXAMPLES / example / "spec.yaml", env).spec
    planned = plan(spec, env)
    graph = synthesized(f"examples/{example}/spec.yaml", env).graph
    return runbook_files(
        spec, planned, analyse(spec, planned, graph), names(graph, planned.target, graph.exports), env
    ), planned


def test_every_failure_mode_of_support_agent_has_a_page_and_the_index_links_them() -> None:
    files, _ = pages("support-agent")
    assert set(files) == {
        "index.md",
        "zone-loss.md",
        "region-failover.md",
        "store-conversations.md",
        "store-idempotency.md",
        "queues.md",
        "bad-deploy.md",
        "dependency-model-api.md",
        "secret-rotation.md",
    }
    for name in files:
        if name != "index.md":
            assert f"]({name})" in files["index.md"]
    for name, text in files.items():
        if name != "index.md":
            for section in ("## Detect", "## What you do", "## Verify", "## Fail back"):
                assert section in text or name == "secret-rotation.md", (name, section)


def test_pages_cite_this_environments_alarms_dashboards_and_health_checks() -> None:
    files, _ = pages("support-agent")
    region = files["region-failover.md"]
    # Names with no random suffix (set explicitly by the components), read from the graph.
    assert "`support-agent-prod-us-east-1`" in region  # the dashboard
    assert "support-agent-prod-region-health-composite-us-east-1" in region
    # The health check's id is looked up in the stack by its logical name.
    assert 'endswith("::support-agent-ingress-health-check-us-east-1")' in region
    assert "update-health-check --health-check-id" in region and "--inverted" in region and "--no-inverted" in region
    # Auto-named alarms are found by their exact logical prefix.
    assert "--alarm-name-prefix support-agent-conversation-no-healthy-hosts-blue-alarm-us-east-1-" in region
    # DLQ redrive names the physical queues of this environment.
    queues = files["queues.md"]
    assert "arn:aws:sqs:us-east-1:$ACCOUNT:support-agent-prod-inbound-dlq.fifo" in queues
    assert "--destination-arn arn:aws:sqs:us-east-1:$ACCOUNT:support-agent-prod-inbound.fifo" in queues


def test_numbers_are_the_plans() -> None:
    files, planned = pages("support-agent")
    est = {(e.kind, e.disruption): e.value for e in planned.estimates}  # type: ignore[attr-defined]
    assert est[("rto", "zone")] == 15.0 and est[("rto", "region")] == 150.0
    assert "Every part serves again within 15s" in files["zone-loss.md"]
    assert "Users are served again after 2m30s" in files["region-failover.md"]
    assert "RTO 2m30s, RPO 3m30s" in files["index.md"]


def test_kubernetes_pages_use_the_rendered_object_names() -> None:
    files, _ = pages("research-agent")
    graph = synthesized("examples/research-agent/spec.yaml", "prod").graph
    region = graph.exports["kubernetes"]["regions"]["europe-west4"]
    assert "region-failover.md" not in files  # one region
    assert f"promote {region['stores']['findings']}" in files["store-findings.md"]
    assert f"--context {region['context']} -n {region['namespace']}" in files["store-findings.md"]
    # The llm-api-key Secret is the one the stack says agents read.
    secret = next(
        s["name"]
        for s in graph.exports["kubernetes"]["requiredSecrets"]["europe-west4"]
        if "llm-api-key" in s["purpose"]
    )
    assert f"create secret generic {secret} " in files["secret-rotation.md"]
    assert "quorum_status research-tasks --vhost research-agent" in files["queues.md"]
    assert (
        "kubectl argo rollouts --context research-agent-europe-west4 -n research-agent undo research-agent-worker"
        in files["bad-deploy.md"]
    )


def test_drill_sections_are_the_plans_drills() -> None:
    files, planned = pages("support-agent")
    drill = next(d for d in planned.chaos.drills if d.name == "zone-outage")  # type: ignore[attr-defined]
    for step in drill.runbook:
        assert step in files["zone-loss.md"]
    assert drill.expects and drill.expects in files["zone-loss.md"]


def test_drill_text_has_one_source_for_plan_fis_template_and_runbook(monkeypatch: pytest.MonkeyPatch) -> None:
    # Change the catalogue: the plan's drill, the FIS template description and the runbook all follow.
    original = failure_modes.DRILLS["zone-outage"]
    changed = dataclasses.replace(original, steps=("Rehearse the zone loss X.",), expects={"aws": "hypothesis X holds"})
    monkeypatch.setitem(failure_modes.DRILLS, "zone-outage", changed)
    spec = load_spec(EXAMPLES / "support-agent" / "spec.yaml", "prod").spec
    planned = plan(spec, "prod")
    drill = next(d for d in planned.chaos.drills if d.name == "zone-outage")
    assert drill.runbook[0] == "Rehearse the zone loss X." and drill.expects == "hypothesis X holds"
    from components.aws.chaos_drills import describe

    assert "Expects: hypothesis X holds." in describe("s", "us-east-1", drill, "block a zone")
    graph = synthesized("examples/support-agent/spec.yaml", "prod").graph
    files = runbook_files(spec, planned, analyse(spec, planned, graph), names(graph, "aws", graph.exports), "prod")
    assert "Rehearse the zone loss X." in files["zone-loss.md"] and "hypothesis X holds" in files["zone-loss.md"]


def test_the_fis_template_built_for_the_example_carries_the_catalogues_hypothesis() -> None:
    graph = synthesized("examples/support-agent/spec.yaml", "prod").graph
    template = next(
        r for r in graph.of_type("aws:fis/experimentTemplate:ExperimentTemplate") if "zone-outage" in r.name
    )
    assert failure_modes.DRILLS["zone-outage"].expects["aws"] in template.inputs["description"]


def test_output_is_deterministic() -> None:
    first, _ = pages("order-routing")
    second, _ = pages("order-routing")
    assert json.dumps(first) == json.dumps(second)


@pytest.mark.parametrize(
    ("example", "failover", "failback"),
    [
        # active/passive: activate the standby, then the primary again
        ("support-agent", ("activate", "us-west-2"), ("activate", "us-east-1")),
        # active/active: take the lost primary out, then back in
        ("claims-aws", ("deactivate", "us-east-1"), ("activate", "us-east-1")),
    ],
)
def test_region_failover_starts_the_generated_region_switch_plan_with_the_command_the_stack_exports(
    example: str, failover: tuple[str, str], failback: tuple[str, str]
) -> None:
    import re

    files, _ = pages(example)
    region = files["region-failover.md"]
    exported = synthesized(f"examples/{example}/spec.yaml", "prod").graph.exports["region_switch"]
    keys = re.findall(r"""region_switch --json \| jq -r '\.\["([^"]+)"\]\["start"\]\["([^"]+)"\]'""", region)
    assert [k for _, k in keys] == [f"{failover[0]}-{failover[1]}", f"{failback[0]}-{failback[1]}"]
    for plan_name, key in keys:
        command = exported[plan_name]["start"][key]  # the key the runbook reads is one the stack exports
        action, target = key.split("-", 1)
        assert f"--action {action}" in command and f"--target-region {target}" in command
    # The plan runs first; the hand steps stay as the fallback, after it.
    what_you_do = region.split("## What you do", 1)[1].split("## Verify", 1)[0]
    assert what_you_do.index("Region switch plan `") < what_you_do.index("By hand, only if")
    assert "gates it" in region.split("## Fail back", 1)[1]


def test_a_single_region_or_kubernetes_runbook_names_no_region_switch_plan() -> None:
    for example in ("research-agent", "claims-kubernetes"):
        files, _ = pages(example)
        assert all("Region switch plan `" not in text for text in files.values()), example


def test_the_model_provider_page_names_the_gateways_alarms_for_that_provider_and_its_fallback_time() -> None:
    files, _ = pages("support-agent")
    page = files["dependency-model-api.md"]
    detect = page.split("## Detect")[1].split("## What it breaks")[0]
    for sli in ("error-rate", "falling-back", "fallback-failing", "throttled", "slow", "near-quota"):
        assert f"support-agent-model-gateway-model-api-{sli}-alarm-us-east-1-" in detect, sli
    assert "support-agent-model-gateway-metrics-silent-alarm-us-east-1-" in detect
    assert "model-api-backup-error-rate" not in detect  # the fallback's alarms are not this page's
    assert "RTO 30s, RPO 0s" in page and "RTO unbounded" not in page
    does = page.split("## What the system does by itself")[1].split("## What you do")[0]
    assert "The model gateway" in does and "out of rotation for 5m" in does
    assert "falls back to" not in does  # the agent does not: the gateway does
