"""A check's report as JSON, SARIF 2.1.0 (code-scanning dashboards) or JUnit XML (CI test reports).

SARIF: one run; every rule is a `reportingDescriptor` (id, description, why, fix, default level,
topics as tags, a `security-severity` for dashboards that sort by it); every violation is a result
at `error` (mandatory) or `warning` (advisory) level, located at the line of the spec path the
resource came from (the spec is the source a person edits), with the resource's URN as a logical
location and a stable fingerprint.

JUnit: one `<testcase>` per rule (not per resource, so the report's size follows the rule count,
not the graph's). A rule with a mandatory violation fails, listing every violation; a rule with
advisory findings only passes and lists them in `<system-out>`; a disabled rule, and a resource rule
that met no resource of its types (a Kubernetes rule on an AWS stack), is skipped. Built
with the standard library's ElementTree: the format is a handful of elements.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from policies.model import Report, RuleResult, Violation

if TYPE_CHECKING:
    from policies.context import PolicyContext

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}
SARIF_LEVEL = {"mandatory": "error", "advisory": "warning", "disabled": "none"}


def _tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentha-blueprint")
    except PackageNotFoundError:
        return "0.0.0"


def summary(report: Report) -> dict[str, int]:
    return {
        "rules": len(report.results),
        "rulesRun": sum(1 for r in report.results if r.level != "disabled"),
        "resources": report.resources,
        "mandatory": len(report.mandatory),
        "advisory": len(report.advisory),
    }


def to_json(report: Report) -> str:
    data = {
        "spec": report.spec_file,
        "environment": report.environment,
        "stack": report.stack,
        "passed": report.passed,
        "summary": summary(report),
        "rules": [
            {
                "id": r.rule.id,
                "kind": r.rule.kind,
                "level": r.level,
                "severity": r.rule.severity,
                "topics": list(r.rule.topics),
                "description": r.rule.description,
                "checked": r.checked,
                "violations": len(r.violations),
                **({"notApplicable": r.not_applicable} if r.not_applicable else {}),
            }
            for r in report.results
        ],
        "violations": [v.to_json() for v in report.violations],
    }
    return json.dumps(data, indent=2)


def _artifact_uri(path: str) -> str:
    if not path:
        return "spec.yaml"
    p = Path(path).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_uri()


def _fingerprint(v: Violation) -> str:
    return hashlib.sha256(f"{v.rule_id}\0{v.urn or ''}\0{v.problem}".encode()).hexdigest()


def to_sarif(report: Report, context: PolicyContext | None = None) -> str:
    results_by_rule = list(report.results)
    index = {r.rule.id: i for i, r in enumerate(results_by_rule)}
    rules = [_descriptor(r) for r in results_by_rule]
    uri = _artifact_uri(report.spec_file)
    results = []
    for v in report.violations:
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
        where = context.locate(v.spec_path) if context is not None else None
        if where is not None and where.line:
            location["physicalLocation"]["region"] = {"startLine": where.line, "startColumn": where.column or 1}
        else:
            location["physicalLocation"]["region"] = {"startLine": 1, "startColumn": 1}
        if v.urn:
            location["logicalLocations"] = [
                {"name": v.resource_name or v.urn, "fullyQualifiedName": v.urn, "kind": "resource"}
            ]
        properties = {
            k: val
            for k, val in {
                "resourceType": v.resource_type,
                "region": v.region,
                "specPath": v.spec_path,
                "fix": v.fix,
            }.items()
            if val
        }
        results.append(
            {
                "ruleId": v.rule_id,
                "ruleIndex": index[v.rule_id],
                "level": SARIF_LEVEL[v.level],
                "message": {"text": v.message},
                "locations": [location],
                "partialFingerprints": {"agenthaViolation/v1": _fingerprint(v)},
                "properties": properties,
            }
        )
    data = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentha-blueprint",
                        "version": _tool_version(),
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "properties": {"environment": report.environment or "base", "stack": report.stack},
                    }
                ],
                "artifacts": [{"location": {"uri": uri}, "roles": ["analysisTarget"]}],
                "results": results,
            }
        ],
    }
    return json.dumps(data, indent=2)


def _descriptor(result: RuleResult) -> dict[str, Any]:
    rule = result.rule
    name = "".join(part.capitalize() for part in rule.id.removeprefix("agentha-").split("-"))
    return {
        "id": rule.id,
        "name": name,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.description} Why: {rule.why} Fix: {rule.fix}"},
        "defaultConfiguration": {
            "level": SARIF_LEVEL[result.level],
            "enabled": result.level != "disabled",
        },
        "properties": {
            "tags": [*rule.topics, rule.kind],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity,
        },
    }


def _skip_reason(result: RuleResult) -> str | None:
    if result.level == "disabled":
        return "disabled by the policy config"
    if result.rule.kind == "resource" and result.checked == 0:
        return "no resource of the types it checks in this stack"
    return None


def to_junit(report: Report) -> str:
    failures = sum(1 for r in report.results if any(v.level == "mandatory" for v in r.violations))
    skipped = sum(1 for r in report.results if _skip_reason(r) is not None)
    suite_name = f"agentha-blueprint check {os.path.basename(report.spec_file) or 'spec'}" + (
        f" ({report.environment})" if report.environment else ""
    )
    root = ET.Element(
        "testsuites",
        name="agentha-blueprint check",
        tests=str(len(report.results)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=suite_name,
        tests=str(len(report.results)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time="0",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("spec", report.spec_file),
        ("environment", report.environment or "base"),
        ("stack", report.stack),
        ("resources", str(report.resources)),
    ):
        ET.SubElement(props, "property", name=key, value=value)
    for result in report.results:
        rule = result.rule
        case = ET.SubElement(suite, "testcase", classname=f"agentha.{rule.topics[0]}", name=rule.id, time="0")
        reason = _skip_reason(result)
        if reason is not None:
            ET.SubElement(case, "skipped", message=reason)
            continue
        mandatory = [v for v in result.violations if v.level == "mandatory"]
        advisory = [v for v in result.violations if v.level == "advisory"]
        if mandatory:
            failure = ET.SubElement(
                case,
                "failure",
                type="mandatory",
                message=f"{len(mandatory)} mandatory violation(s) of {rule.id}: {rule.description}",
            )
            failure.text = "\n".join(v.message for v in mandatory)
        if advisory:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"advisory: {v.message}" for v in advisory)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
