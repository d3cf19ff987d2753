"""The ADOT collector sidecar on ECS: every task of an agent (and of the model gateway) sends its spans to
X-Ray through it; the gateway's also turns LiteLLM's metrics into CloudWatch metrics (EMF)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from pulumi_policy import ResourceValidationArgs

from blueprints.plan import collector, gateway
from policies.rules import aws_iam_policy_disallow_wildcard_resource as wildcard_rule
from stacks.graph import CapturedResource
from tests.components.aws.helpers import doc, graph, synth_case, tags

TASK = "aws:ecs/taskDefinition:TaskDefinition"


def tasks(case: str) -> list[CapturedResource]:
    return graph(case).of_type(TASK)


def containers(task: CapturedResource) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in doc(task, "containerDefinitions")}


def env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def task_policy(case: str, part: str, region: str) -> dict[str, dict[str, Any]]:
    policy = next(
        r
        for r in graph(case).of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == f"support-agent-{part}-task-policy-{region}"
    )
    return {st["Sid"]: st for st in doc(policy, "policy")["Statement"]}


def test_every_task_runs_the_pinned_collector_beside_its_agent_and_exports_spans_to_it() -> None:
    found = tasks("support-agent")
    plan = synth_case("support-agent").plan
    assert len(found) == sum(len(w.placements) for w in plan.workloads)  # the agents and the gateway
    for task in found:
        part, region = tags(task)["agentha:part"], tags(task)["agentha:region"]
        by_name = containers(task)
        agent, sidecar = by_name[part], by_name[collector.CONTAINER]
        # the agents pull it through the region's ECR pull-through cache of public.ecr.aws (the example's
        # network.image_cache); the gateway, which keeps internet egress, from ECR Public itself
        pinned = "aws-observability/aws-otel-collector:v0.49.0"
        if part == "model-gateway":
            assert sidecar["image"] == f"public.ecr.aws/{pinned}"
        else:
            assert sidecar["image"] == f"123456789012.dkr.ecr.{region}.amazonaws.com/ecr-public/{pinned}"
        config = yaml.safe_load(env(sidecar)["AOT_CONFIG_CONTENT"])
        assert config["exporters"]["awsxray"] == {"region": region}
        # the agent's SDK sends to the collector in its own task, started before it
        assert env(agent)["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
        assert env(agent)["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert env(agent)["OTEL_TRACES_EXPORTER"] == "otlp"
        assert agent["dependsOn"] == [{"containerName": collector.CONTAINER, "condition": "START"}]


def test_the_collector_is_hardened_restartable_and_never_takes_the_agent_down() -> None:
    for task in tasks("support-agent"):
        by_name = containers(task)
        sidecar = by_name[collector.CONTAINER]
        # not essential: a collector that stops costs traces, not the agent's task; ECS restarts it in place
        assert sidecar["essential"] is False
        assert sidecar["restartPolicy"] == {"enabled": True, "restartAttemptPeriod": 60}
        assert sidecar["user"] == "4317:4317"  # the image's own non-root user
        assert sidecar["readonlyRootFilesystem"] is True
        assert sidecar["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
        assert sidecar["healthCheck"]["command"] == ["CMD", "/healthcheck"]
        assert sidecar["memory"] == collector.MEMORY_MIB
        assert env(sidecar)["GOMEMLIMIT"] == f"{collector.MEMORY_LIMIT_MIB}MiB"
        assert "secrets" not in sidecar and "portMappings" not in sidecar
        # its logs go to the agent's own (KMS-encrypted) log group, which the execution role may write
        agent = by_name[tags(task)["agentha:part"]]
        options = sidecar["logConfiguration"]["options"]
        assert options["awslogs-group"] == agent["logConfiguration"]["options"]["awslogs-group"]
        assert options["awslogs-stream-prefix"] == collector.CONTAINER
        # container CPU weights add up to the task's CPU (ECS rejects more)
        assert sum(c.get("cpu", 0) for c in by_name.values()) <= int(task.inputs["cpu"])


def test_the_task_role_may_put_trace_segments_and_nothing_else_of_xray() -> None:
    for part in ("conversation", gateway.GATEWAY):
        statements = task_policy("support-agent", part, "us-east-1")
        traces = statements["WriteTraces"]
        assert traces["Action"] in (["xray:PutTraceSegments"], "xray:PutTraceSegments")
        assert traces["Resource"] in ("*", ["*"])
        others = [a for st in statements.values() for a in st["Action"] if a.startswith("xray:")]
        assert others == ["xray:PutTraceSegments"]
        assert not any(a.startswith("cloudwatch:") for st in statements.values() for a in st["Action"])


def _wildcard_findings(statement: dict[str, Any]) -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    kind, urn = "aws:iam/rolePolicy:RolePolicy", "urn:pulumi:s::p::t::r"
    args = ResourceValidationArgs(kind, {"policy": document}, urn, "r", None, None)  # type: ignore[arg-type]
    found: list[str] = []
    wildcard_rule.RULE.check(args, lambda message, urn=None: found.append(message))
    return found


def test_xray_on_star_passes_the_wildcard_rule_because_the_action_names_no_resource_type() -> None:
    statement = task_policy("support-agent", "conversation", "us-east-1")["WriteTraces"]
    assert _wildcard_findings(statement) == []
    # the rule still sees X-Ray: an X-Ray action that does name a resource type (a group) is refused on "*"
    assert _wildcard_findings({**statement, "Action": ["xray:PutTraceSegments", "xray:UpdateGroup"]})
    # and the same Resource "*" on the log writes would be refused: they are scoped to the group instead
    assert _wildcard_findings({**statement, "Action": ["logs:PutLogEvents"]})


def test_the_gateway_collector_scrapes_its_metrics_into_an_encrypted_group_it_alone_may_write() -> None:
    g = graph("support-agent")
    region = "us-west-2"
    task = next(t for t in tasks("support-agent") if tags(t)["agentha:part"] == gateway.GATEWAY and region in t.name)
    config = yaml.safe_load(env(containers(task)[collector.CONTAINER])["AOT_CONFIG_CONTENT"])
    (job,) = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert job["static_configs"][0]["targets"] == [f"127.0.0.1:{gateway.PORT}"]
    assert job["metrics_path"] == gateway.METRICS_PATH
    emf = config["exporters"]["awsemf"]
    assert emf["region"] == region and emf["namespace"] == "AgentHA/ModelGateway"
    (group,) = [
        r
        for r in g.of_type("aws:cloudwatch/logGroup:LogGroup")
        if tags(r).get("agentha:part") == gateway.GATEWAY
        and tags(r).get("agentha:role") == "metrics-log-group"
        and tags(r).get("agentha:region") == region
    ]
    assert group.inputs["name"] == emf["log_group_name"]
    assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 30
    write = task_policy("support-agent", gateway.GATEWAY, region)["WriteOwnMetricEvents"]
    assert sorted(write["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    (resource,) = write["Resource"] if isinstance(write["Resource"], list) else [write["Resource"]]
    assert resource.endswith(":*") and f":{region}:" in resource
    # the agents' collectors scrape nothing
    agent_task = next(t for t in tasks("support-agent") if tags(t)["agentha:part"] == "conversation")
    agent_config = yaml.safe_load(env(containers(agent_task)[collector.CONTAINER])["AOT_CONFIG_CONTENT"])
    assert "prometheus" not in agent_config["receivers"]
    assert "WriteOwnMetricEvents" not in task_policy("support-agent", "conversation", "us-east-1")


def test_the_gateway_spans_join_the_callers_trace_through_the_same_collector() -> None:
    task = next(t for t in tasks("support-agent") if tags(t)["agentha:part"] == gateway.GATEWAY)
    gw = env(containers(task)[gateway.GATEWAY])
    assert yaml.safe_load(gw[gateway.CONFIG_ENV])["litellm_settings"]["callbacks"] == ["prometheus", "otel"]
    assert gw["OTEL_EXPORTER_OTLP_ENDPOINT"] == collector.OTLP_ENDPOINT
    assert gw["OTEL_SERVICE_NAME"] == "support-agent-model-gateway"


def test_the_task_definition_states_the_size_the_plan_shows() -> None:
    # one model: the plan's task size (what `plan` prints) is what every task definition asks Fargate for
    s = synth_case("support-agent")
    seen = set()
    for task in tasks("support-agent"):
        agent = s.plan.workload(tags(task)["agentha:part"])
        assert agent.task is not None and agent.task.collector
        assert (int(task.inputs["cpu"]), int(task.inputs["memory"])) == (agent.task.cpu_units, agent.task.memory_mib)
        assert int(task.inputs["memory"]) >= agent.memory_mib + collector.MEMORY_MIB
        assert collector.offered(agent.task)
        seen.add(agent.name)
    assert gateway.GATEWAY in seen and len(seen) >= 3


def test_without_tracing_only_the_gateway_runs_a_collector_and_only_for_its_metrics() -> None:
    s = synth_case("no-tracing")
    for task in tasks("no-tracing"):
        part = tags(task)["agentha:part"]
        by_name = containers(task)
        agent = s.plan.workload(part)
        if part != gateway.GATEWAY:
            assert list(by_name) == [part]
            assert (int(task.inputs["cpu"]), int(task.inputs["memory"])) == (int(agent.cpu * 1024), agent.memory_mib)
            assert agent.task is not None and not agent.task.collector
            assert (agent.task.cpu_units, agent.task.memory_mib) == (int(agent.cpu * 1024), agent.memory_mib)
            assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in env(by_name[part])
            continue
        config = yaml.safe_load(env(by_name[collector.CONTAINER])["AOT_CONFIG_CONTENT"])
        assert set(config["service"]["pipelines"]) == {"metrics"}
    roles = graph("no-tracing").of_type("aws:iam/rolePolicy:RolePolicy")
    policies = [doc(r, "policy") for r in roles if "task-policy" in r.name]
    assert not any(st["Sid"] == "WriteTraces" for p in policies for st in p["Statement"])
