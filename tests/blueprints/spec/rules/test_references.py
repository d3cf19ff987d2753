"""Rules of blueprints/spec/rules/references.py: unique names, references, ingress, unused items."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import agent, aws, kubernetes, of_rule, only, queue, run


def test_unique_names_passes() -> None:
    assert of_rule(aws(), "unique-names") == []


@pytest.mark.parametrize(("kind", "index"), [("stores", 1), ("queues", 1), ("secrets", 1)])
def test_unique_names_fails_for_a_repeated_name(kind: str, index: int) -> None:
    spec = aws()
    if kind == "secrets":
        spec["secrets"].append({"name": "llm-api-key"})
    else:
        spec[kind][index]["name"] = spec[kind][0]["name"]
    found = [p for p in run(spec) if p.rule == "unique-names"]
    assert len(found) == 1
    assert found[0].path == f"{kind}[{index}].name"
    assert "used twice" in found[0].message


def test_unique_names_fails_for_agents() -> None:
    spec = aws()
    agent(spec, "action-executor")["name"] = "conversation"
    found = [p for p in run(spec) if p.rule == "unique-names"]
    assert [p.path for p in found] == ["agents[1].name"]


def test_references_exist_passes() -> None:
    assert of_rule(aws(), "references-exist") == []


@pytest.mark.parametrize(
    ("field", "value", "path", "hint"),
    [
        ("consumes", ["inbond"], "agents[0].consumes[0]", "did you mean 'inbound'?"),
        ("produces", ["action"], "agents[0].produces[0]", "did you mean 'actions'?"),
        ("uses", ["conversation"], "agents[0].uses[0]", "did you mean 'conversations'?"),
        ("secrets", ["llm-key"], "agents[0].secrets[0]", "declared secrets: llm-api-key"),
    ],
)
def test_references_exist_fails_for_an_undeclared_name(field: str, value: list[str], path: str, hint: str) -> None:
    spec = aws()
    agent(spec, "conversation")[field] = value
    found = [p for p in run(spec) if p.rule == "references-exist"]
    assert [p.path for p in found] == [path]
    assert hint in found[0].fix
    assert found[0].location.line is not None


def test_references_exist_fails_for_the_idempotency_store() -> None:
    spec = aws()
    agent(spec, "action-executor")["idempotency"]["store"] = "idempotence"
    found = [p for p in run(spec) if p.rule == "references-exist"]
    assert [p.path for p in found] == ["agents[1].idempotency.store"]
    assert "did you mean 'idempotency'?" in found[0].fix


def test_references_exist_fails_for_an_unknown_ingress_agent() -> None:
    spec = aws()
    spec["ingress"]["agent"] = "conversaton"
    p = only(spec, "references-exist")
    assert p.path == "ingress.agent"
    assert "did you mean 'conversation'?" in p.fix


def test_references_exist_fails_for_an_ingress_agent_without_a_port() -> None:
    spec = aws()
    del agent(spec, "conversation")["port"]
    p = only(spec, "references-exist")
    assert p.path == "ingress.agent"
    assert "set `port:` on agents[0]" in p.fix


def test_references_exist_with_nothing_declared_says_so() -> None:
    spec = aws()
    del spec["secrets"]
    p = only(spec, "references-exist")
    assert "no secrets are declared" in p.fix


def test_ingress_domain_passes_inside_the_zone() -> None:
    spec = aws()
    assert of_rule(spec, "ingress-domain") == []
    spec["ingress"].update(domain="acme.example", hosted_zone="acme.example.")
    assert of_rule(spec, "ingress-domain") == []


def test_ingress_domain_fails_outside_the_zone() -> None:
    spec = aws()
    spec["ingress"]["domain"] = "support.acme.test"
    p = only(spec, "ingress-domain")
    assert p.path == "ingress.domain"
    assert "ending in .acme.example" in p.fix


def test_ingress_domain_is_not_fooled_by_a_suffix_without_a_dot() -> None:
    spec = aws()
    spec["ingress"]["domain"] = "notacme.example"
    assert only(spec, "ingress-domain").value == "notacme.example"


def test_unused_items_passes() -> None:
    assert of_rule(aws(), "unused-items") == []


def test_unused_items_warns_for_each_kind() -> None:
    spec = aws()
    spec["secrets"].append({"name": "spare-key"})
    spec["stores"].append({"name": "spare-table", "engine": "dynamodb"})
    spec["queues"].append({"name": "spare-queue"})
    found = of_rule(spec, "unused-items")
    assert [(p.path, p.severity) for p in found] == [
        ("secrets[1].name", "warning"),
        ("stores[2].name", "warning"),
        ("queues[2].name", "warning"),
    ]
    assert "pile up and expire" in found[2].message


def test_unused_items_counts_an_idempotency_store_as_used() -> None:
    spec = aws()
    agent(spec, "action-executor")["uses"] = []
    assert of_rule(spec, "unused-items") == []
    assert queue(spec, "actions")["name"] == "actions"


def test_kubernetes_names_pass() -> None:
    assert of_rule(kubernetes(), "kubernetes-names") == []


def test_kubernetes_names_fail_for_an_agent_and_store_of_one_name() -> None:
    spec = kubernetes()
    spec["stores"][1]["name"] = "worker"  # the redis cache, renamed like the worker agent
    spec["agents"][1]["uses"] = ["findings", "worker"]
    p = only(spec, "kubernetes-names")
    assert p.path == "agents[1].name" and "same name in one namespace" in p.message


def test_kubernetes_names_fail_for_the_broker_name() -> None:
    spec = kubernetes()
    spec["stores"][1]["name"] = "rabbitmq"
    spec["agents"][1]["uses"] = ["findings", "rabbitmq"]
    p = only(spec, "kubernetes-names")
    assert p.path == "stores[1].name" and "RabbitMQ cluster" in p.message


def test_kubernetes_names_fail_for_an_agent_named_like_an_operator_service() -> None:
    spec = kubernetes()
    spec["agents"][1]["name"] = "findings-rw"  # CloudNativePG's read-write Service of store 'findings'
    p = only(spec, "kubernetes-names")
    assert p.path == "agents[1].name" and "store 'findings'" in p.message


# --- dependencies and readiness `covers` (issue 10) ----------------------------------------------


def with_dependencies(spec: dict) -> dict:
    spec["dependencies"] = [
        {
            "name": "primary-llm",
            "kind": "model-provider",
            "model": "openai/gpt-4o",
            "availability": {"percent": 99.9, "basis": "published", "source": "https://example.com/sla"},
            "fallback": ["backup-llm"],
            "callers": ["conversation"],
        },
        {
            "name": "backup-llm",
            "kind": "model-provider",
            "model": "anthropic/claude-sonnet-4-5",
            # above the objective: reached directly when a case breaks the chain, it warns of nothing
            "availability": {"percent": 99.99},
        },
    ]
    return spec


def test_dependency_references_pass() -> None:
    assert of_rule(with_dependencies(aws()), "dependency-references") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("callers", ["nobody"], "'nobody' is not a declared agent"),
        ("fallback", ["no-such-llm"], "'no-such-llm' is not a declared dependency"),
        ("fallback", ["primary-llm"], "falls back to itself"),
    ],
)
def test_dependency_references_fail_for_unknown_or_self_references(field: str, value: list, message: str) -> None:
    spec = with_dependencies(aws())
    spec["dependencies"][0][field] = value
    problem = only(spec, "dependency-references")
    assert problem.path == f"dependencies[0].{field}[0]"
    assert message in problem.message and problem.fix
    assert problem.location is not None and (problem.location.line or 0) > 0


def test_dependency_references_fail_for_a_published_figure_without_source() -> None:
    spec = with_dependencies(aws())
    del spec["dependencies"][0]["availability"]["source"]
    problem = only(spec, "dependency-references")
    assert problem.path == "dependencies[0].availability.basis" and "source" in problem.fix


def test_dependency_references_fail_for_a_name_a_store_has() -> None:
    spec = with_dependencies(aws())
    spec["dependencies"][1]["name"] = "conversations"
    spec["dependencies"][0]["fallback"] = ["conversations"]
    problem = only(spec, "dependency-references")
    assert problem.path == "dependencies[1].name" and "store" in problem.message


def test_unique_names_fails_for_a_repeated_dependency() -> None:
    spec = with_dependencies(aws())
    spec["dependencies"][1]["name"] = "primary-llm"
    spec["dependencies"][0]["fallback"] = []
    found = [p for p in run(spec) if p.rule == "unique-names"]
    assert [p.path for p in found] == ["dependencies[1].name"]


def test_readiness_covers_passes() -> None:
    spec = with_dependencies(aws())
    agent(spec, "conversation")["probes"] = {
        "readiness": {"path": "/readyz", "covers": ["conversations", "primary-llm"]}
    }
    assert of_rule(spec, "readiness-covers") == []


def test_readiness_covers_fails_for_an_unknown_name() -> None:
    spec = with_dependencies(aws())
    agent(spec, "conversation")["probes"] = {"readiness": {"path": "/readyz", "covers": ["conversation"]}}
    problem = only(spec, "readiness-covers")
    assert problem.path == "agents[0].probes.readiness.covers[0]"
    assert "did you mean 'conversations'" in problem.fix


def test_readiness_covers_fails_on_a_liveness_probe() -> None:
    spec = with_dependencies(aws())
    agent(spec, "conversation")["probes"] = {"liveness": {"path": "/healthz", "covers": ["conversations"]}}
    problem = only(spec, "readiness-covers")
    assert problem.path == "agents[0].probes.liveness.covers" and "probes.readiness" in problem.fix
