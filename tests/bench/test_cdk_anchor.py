"""bench/cdk_anchor.py's counting, ratios, goal verdict and skip logic (no node, npm or CDK needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cdk_anchor import (
    CDK_DEFAULT,
    CDK_NO_VALIDATION,
    COMMANDS,
    OURS_JSON,
    OURS_TEXT,
    TYPED_FLOOR,
    OurCounts,
    Run,
    count_cfn_resources,
    count_our_resources,
    goal_line,
    main,
    paired_ratios,
    read_cdk_out,
    report,
    skip_reason,
)

TOOLS = {"node": "/usr/bin/node", "npm": "/usr/bin/npm", "npx": "/usr/bin/npx"}


def _round(ours: float, cdk_off: float, *, cdk_default: float = 12.0, floor: float = 3.0) -> dict[str, Run]:
    cpu = {
        OURS_TEXT: ours,
        OURS_JSON: ours * 0.9,
        CDK_DEFAULT: cdk_default,
        CDK_NO_VALIDATION: cdk_off,
        TYPED_FLOOR: floor,
    }
    return {name: Run(cpu=cpu[name], wall=cpu[name] * 2, rss_mib=200.0) for name in COMMANDS}


def test_cloudformation_resources_are_counted_over_every_template_without_cdk_metadata(tmp_path: Path) -> None:
    east = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}, "Meta": {"Type": "AWS::CDK::Metadata"}}}
    west = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}, "Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {}}
    (tmp_path / "a.template.json").write_text(json.dumps(east))
    (tmp_path / "b.template.json").write_text(json.dumps(west))
    (tmp_path / "manifest.json").write_text(json.dumps({"Resources": {"X": {"Type": "AWS::S3::Bucket"}}}))
    assert read_cdk_out(tmp_path) == {"AWS::EC2::VPC": 2, "AWS::SQS::Queue": 1}
    assert count_cfn_resources([{"Outputs": {}}]) == {}


def test_an_empty_cdk_out_is_an_error_not_zero_resources(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"no \*\.template\.json"):
        read_cdk_out(tmp_path)


def test_our_counts_separate_provider_resources_providers_and_components() -> None:
    graph = {
        "resources": [
            {"type": "agentha:aws:Topology", "custom": False},
            {"type": "pulumi:providers:aws", "custom": True},
            {"type": "aws:ec2/vpc:Vpc", "custom": True},
            {"type": "aws:sqs/queue:Queue", "custom": True},
        ]
    }
    assert count_our_resources(json.dumps(graph)) == OurCounts(custom=2, providers=1, components=1)


def test_ratios_are_taken_inside_each_round_then_summarised() -> None:
    rounds = [_round(6.0, 3.0), _round(4.0, 4.0), _round(9.0, 3.0)]
    ratio = paired_ratios(rounds, OURS_TEXT, CDK_NO_VALIDATION)
    assert (ratio.median, ratio.low, ratio.high) == (2.0, 1.0, 3.0)
    assert str(ratio) == "2.00× (1.00–3.00)"


@pytest.mark.parametrize(
    ("ours", "verdict"),
    [(3.5, "met"), (3.8, "met"), (4.2, "MISSED")],
)
def test_the_goal_is_met_only_when_our_median_cpu_is_at_most_cdks_without_validation(ours: float, verdict: str) -> None:
    rounds = [_round(ours, 3.8), _round(ours * 1.01, 3.8), _round(ours * 0.99, 3.8)]
    line = goal_line(rounds)
    assert line.startswith(f"{verdict}: support-agent prod synth CPU ≤ CDK's validation-off synth")


def test_the_report_names_every_command_both_counts_and_the_verdict() -> None:
    rounds = [_round(6.0, 3.0), _round(6.6, 3.0)]
    cfn = {"AWS::EC2::VPC": 2, "AWS::SQS::Queue": 8}
    text = report(rounds, cfn=cfn, ours=OurCounts(custom=404, providers=1, components=44), load=(7.9, 8.2))
    for name in COMMANDS:
        assert name in text
    assert "CDK 10 CloudFormation resources (2 types" in text
    assert "ours 404 provider resources (+ 1 provider, 44 components)" in text
    assert f"{OURS_TEXT} / {CDK_NO_VALIDATION}: 2.10× (2.00–2.20)" in text
    assert text.splitlines()[-1].startswith("MISSED:")
    markdown = report(rounds, cfn=cfn, ours=OurCounts(404, 1, 44), load=(1.0, 1.0), markdown=True)
    assert f"| {OURS_TEXT} | 6.30 (6.00–6.60) | 12.60 | 200 |" in markdown


def test_skips_with_a_reason_when_a_tool_or_the_anchor_is_missing(tmp_path: Path) -> None:
    assert "npx not found" in (skip_reason({**TOOLS, "npx": None}, tmp_path, None) or "")
    assert "anchor app is missing" in (skip_reason(TOOLS, tmp_path / "nowhere", None) or "")
    assert "AGENTHA_SHARED" in (skip_reason(TOOLS, None, None) or "")
    (tmp_path / "cdk.json").write_text("{}")
    assert skip_reason(TOOLS, tmp_path, None) is None
    assert "npm install" in (skip_reason(TOOLS, None, tmp_path) or "")
    (tmp_path / "node_modules" / "aws-cdk-lib").mkdir(parents=True)
    assert skip_reason(TOOLS, None, tmp_path) is None


def test_main_skips_cleanly_when_the_anchor_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--anchor", str(tmp_path / "nowhere"), "--rounds", "1"]) == 0
    assert capsys.readouterr().out.startswith("skipped: ")
