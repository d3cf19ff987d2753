"""The CrossGuard pack: the rules as pulumi-policy policies, and the real pack process over gRPC.

The end-to-end test starts the pack exactly as the Pulumi CLI does for a Python policy pack
(`python -m pulumi.policy <engine> .` in the pack's folder, the stack's config in PULUMI_CONFIG), then
speaks the analyzer protocol to it: the pack must list every rule at its level, read the spec from
the stack config, and report the same violations `check` reports offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies.config import PolicyConfig
from policies.pack import pack_policies
from policies.registry import rules
from tests.policies.graphs import ROOT, base
from tests.policies.rules.corpus import DELETE, change, drop, setting

PACK = ROOT / "policies"
SPEC = ROOT / "examples" / "support-agent" / "spec.yaml"


def test_every_rule_becomes_a_policy_of_its_kind_and_level() -> None:
    policies = pack_policies(PolicyConfig(rules={"agentha-aws-kms-key-enable-rotation": "disabled"}))
    assert [p.name for p in policies] == [r.id for r in rules()]
    for policy, rule in zip(policies, rules(), strict=True):
        kind = ResourceValidationPolicy if rule.kind == "resource" else StackValidationPolicy
        assert isinstance(policy, kind)
        assert policy.description == rule.description
        assert policy.tags == list(rule.topics)
        expected = "disabled" if rule.id == "agentha-aws-kms-key-enable-rotation" else rule.enforcement
        assert policy.enforcement_level == EnforcementLevel(expected)


def test_pack_files() -> None:
    from ruamel.yaml import YAML

    project = YAML(typ="safe").load((PACK / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python" and project["version"]
    main = (PACK / "__main__.py").read_text()
    assert "PolicyPack(" in main and "def " not in main  # the entry point only wires
    assert "pulumi-policy" in (PACK / "requirements.txt").read_text()


def start_pack(config: dict[str, str], folder: Path = PACK) -> tuple[subprocess.Popen[str], object]:
    """Start the pack in `folder` as the Pulumi CLI does; (process, gRPC stub)."""
    import grpc
    from pulumi.runtime.proto import analyzer_pb2_grpc

    env = dict(os.environ)
    env.update(
        PULUMI_CONFIG=json.dumps(config),
        PULUMI_PROJECT="agentha-blueprint",
        PULUMI_STACK="prod",
        PULUMI_DRY_RUN="true",
    )
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        pytest.fail(f"the pack did not start: {line!r} {process.stderr.read() if process.stderr else ''}")
    return process, analyzer_pb2_grpc.AnalyzerStub(grpc.insecure_channel(f"127.0.0.1:{line}"))


@pytest.fixture(scope="module")
def pack_server() -> Iterator[object]:
    """The pack process for support-agent prod, serving the analyzer protocol; yields a gRPC stub."""
    process, stub = start_pack({"agentha:spec": str(SPEC), "agentha:environment": "prod"})
    try:
        yield stub
    finally:
        process.kill()
        process.wait(timeout=10)


def _struct(props: dict[str, object]):
    from google.protobuf import json_format, struct_pb2

    return json_format.ParseDict(json.loads(json.dumps(props)), struct_pb2.Struct())


def _stack_request(graph):
    from pulumi.runtime.proto import analyzer_pb2

    resources = []
    for r in graph:
        if not r.custom or r.is_provider:
            continue
        resources.append(
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                properties=_struct(r.inputs),
                urn=r.urn,
                name=r.name,
                parent=r.parent or "",
                dependencies=list(r.dependencies),
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
                    for k, v in r.property_dependencies.items()
                },
            )
        )
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def test_the_pack_serves_every_rule(pack_server) -> None:
    from google.protobuf import empty_pb2

    info = pack_server.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "agentha-blueprint"
    assert sorted(p.name for p in info.policies) == [r.id for r in rules()]


def test_the_pack_an_init_project_gets_serves_the_installed_rules(tmp_path: Path) -> None:
    """`init` writes policy-pack/ (an installed tool has no policies/ folder in the user's project):
    started as the Pulumi CLI starts a pack, it serves every rule of the installed package."""
    from google.protobuf import empty_pb2
    from ruamel.yaml import YAML

    from cli.scaffolding import InitOptions, init_files

    for path, text in init_files(tmp_path, InitOptions(name="p", target="aws", pattern="multi-zone"), "0.1.0").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    folder = tmp_path / "policy-pack"
    project = YAML(typ="safe").load((folder / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}  # the project's .venv
    assert (folder / "requirements.txt").read_text().strip().endswith("-r ../requirements.txt")
    process, stub = start_pack({"agentha:spec": str(tmp_path / "spec.yaml"), "agentha:environment": "dev"}, folder)
    try:
        info = stub.GetAnalyzerInfo(empty_pb2.Empty())  # type: ignore[attr-defined]
        assert info.name == "agentha-blueprint"
        assert sorted(p.name for p in info.policies) == [r.id for r in rules()]
    finally:
        process.kill()
        process.wait(timeout=10)


def test_the_pack_reports_a_resource_violation_like_check(pack_server) -> None:
    from pulumi.runtime.proto import analyzer_pb2

    graph, _ = base("support-prod")
    damaged = change("support-agent-inbound-queue-us-east-1", setting("redrivePolicy", DELETE))(graph)
    queue = next(r for r in damaged if r.name == "support-agent-inbound-queue-us-east-1")
    response = pack_server.Analyze(
        analyzer_pb2.AnalyzeRequest(type=queue.type, properties=_struct(queue.inputs), urn=queue.urn, name=queue.name)
    )
    found = {d.policyName: d for d in response.diagnostics}
    assert set(found) == {"agentha-aws-sqs-queue-require-dead-letter-queue"}
    diagnostic = found["agentha-aws-sqs-queue-require-dead-letter-queue"]
    assert "(spec: queues.inbound): has no dead-letter queue" in diagnostic.message
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY


def test_the_pack_reads_the_spec_from_the_stack_config(pack_server) -> None:
    graph, _ = base("support-prod")
    clean = pack_server.AnalyzeStack(_stack_request(graph))
    assert [d.message for d in clean.diagnostics] == []
    damaged = drop("support-agent-actions-queue-us-west-2")(graph)
    response = pack_server.AnalyzeStack(_stack_request(damaged))
    assert [d.policyName for d in response.diagnostics] == ["agentha-stack-part-cover-planned-regions"]
    assert "queue 'actions' is missing in us-west-2" in response.diagnostics[0].message


def test_the_pack_reads_the_enforcement_config_the_stack_names(tmp_path: Path) -> None:
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import analyzer_pb2

    levels = tmp_path / "levels.yaml"
    levels.write_text(
        "default: advisory\nrules:\n  agentha-aws-kms-key-enable-rotation: disabled\n"
        "  agentha-stack-plan-meet-objectives: mandatory\n"
    )
    process, stub = start_pack(
        {"agentha:spec": str(SPEC), "agentha:environment": "prod", "agentha:policyConfig": str(levels)}
    )
    try:
        info = stub.GetAnalyzerInfo(empty_pb2.Empty())
        levels_by_name = {p.name: p.enforcementLevel for p in info.policies}
        assert levels_by_name["agentha-aws-kms-key-enable-rotation"] == analyzer_pb2.DISABLED
        assert levels_by_name["agentha-stack-plan-meet-objectives"] == analyzer_pb2.MANDATORY
        assert levels_by_name["agentha-aws-sqs-queue-require-dead-letter-queue"] == analyzer_pb2.ADVISORY
    finally:
        process.kill()
        process.wait(timeout=10)
