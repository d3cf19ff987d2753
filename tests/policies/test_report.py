"""Report formats: JSON, SARIF 2.1.0 (validated against the official schema) and JUnit XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from policies.config import PolicyConfig
from policies.engine import evaluate
from policies.model import Report
from policies.report import to_json, to_junit, to_sarif
from tests.conftest import shared_path
from tests.policies.graphs import base
from tests.policies.rules.corpus import DELETE, change, setting

DLQ = "agentha-aws-sqs-queue-require-dead-letter-queue"
RETENTION = "agentha-aws-cloudwatch-log-group-configure-retention"
OBJECTIVES = "agentha-stack-plan-meet-objectives"


@pytest.fixture(scope="module")
def damaged() -> tuple[Report, object]:
    """support-agent prod with one mandatory and one advisory violation, one rule disabled."""
    graph, context = base("support-prod")
    graph = change("support-agent-inbound-queue-us-east-1", setting("redrivePolicy", DELETE))(graph)
    graph = change("support-agent-conversation-logs-us-west-2", setting("retentionInDays", DELETE))(graph)
    report = evaluate(graph, context, PolicyConfig(rules={OBJECTIVES: "disabled"}))
    return report, context


def test_json(damaged) -> None:
    report, _ = damaged
    data = json.loads(to_json(report))
    assert data["passed"] is False
    assert data["summary"]["mandatory"] == 1 and data["summary"]["advisory"] == 1
    by_rule = {r["id"]: r for r in data["rules"]}
    assert by_rule[OBJECTIVES]["level"] == "disabled" and by_rule[OBJECTIVES]["checked"] == 0
    (dlq,) = [v for v in data["violations"] if v["rule"] == DLQ]
    assert dlq["specPath"] == "queues.inbound" and dlq["region"] == "us-east-1" and dlq["level"] == "mandatory"
    assert dlq["fix"].startswith("set redrivePolicy")


def test_sarif_validates_against_the_official_schema(damaged) -> None:
    import jsonschema

    report, context = damaged
    schema = json.loads(shared_path("schemas", "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    data = json.loads(to_sarif(report, context))
    jsonschema.Draft4Validator(schema).validate(data)
    run = data["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {DLQ: "error", RETENTION: "warning"}
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    (dlq,) = [r for r in run["results"] if r["ruleId"] == DLQ]
    region = dlq["locations"][0]["physicalLocation"]["region"]
    # The result points at the spec line that declares the queue the resource was built for.
    with open(context.spec_file, encoding="utf-8") as handle:
        spec_lines = handle.read().splitlines()
    assert "name: inbound" in spec_lines[region["startLine"] - 1]
    assert dlq["locations"][0]["logicalLocations"][0]["name"] == "support-agent-inbound-queue-us-east-1"
    disabled = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == OBJECTIVES)
    assert disabled["defaultConfiguration"] == {"level": "none", "enabled": False}


def test_junit_parses_with_one_testcase_per_rule(damaged) -> None:
    report, _ = damaged
    root = ET.fromstring(to_junit(report).split("\n", 1)[1])
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.results)
    by_name = {c.get("name"): c for c in cases}
    failure = by_name[DLQ].find("failure")
    assert failure is not None and failure.get("type") == "mandatory"
    assert "support-agent-inbound-queue-us-east-1" in (failure.text or "")
    assert by_name[RETENTION].find("failure") is None  # advisory: listed, never failing
    assert "advisory:" in (by_name[RETENTION].findtext("system-out") or "")
    assert by_name[OBJECTIVES].find("skipped") is not None
    kubernetes = by_name["agentha-kubernetes-workload-disallow-root"].find("skipped")
    assert kubernetes is not None and "no resource" in (kubernetes.get("message") or "")
    skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
    assert root.get("failures") == "1" and root.get("skipped") == str(len(skipped))
    idle = {r.rule.id for r in report.results if r.rule.kind == "resource" and r.checked == 0}
    assert set(skipped) == idle | {OBJECTIVES}
