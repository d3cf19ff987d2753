"""AgentService: Fargate services, load balancers, rollouts, scaling, roles and alarms."""

from __future__ import annotations

import pytest

from blueprints.plan.models import ProbePlan, RolloutPlan
from components.aws.agent_service import (
    DEFAULT_CAPABILITIES,
    SCRATCH_PATH,
    container_hardening,
    container_health_check,
    deployment,
    dropped_capabilities,
    env_name,
)
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import CASES, dependencies, doc, graph, synth_case, tags


def one(g: ResourceGraph, type_: str, part: str, region: str, role: str | None = None) -> CapturedResource:
    found = [
        r
        for r in g.of_type(type_)
        if tags(r).get("agentha:part") == part
        and tags(r).get("agentha:region") == region
        and (role is None or tags(r).get("agentha:role") == role)
    ]
    assert len(found) == 1, (type_, part, region, role, [r.name for r in found])
    return found[0]


def by_name(g: ResourceGraph, type_: str, name: str) -> CapturedResource:
    return next(r for r in g.of_type(type_) if r.name == name)


def named(g: ResourceGraph, type_: str, fragment: str) -> list[CapturedResource]:
    return [r for r in g.of_type(type_) if fragment in r.name]


# --- pure pieces ----------------------------------------------------------------------------------


def test_rollout_maps_onto_ecs_strategies() -> None:
    canary = RolloutPlan("canary", (10, 50, 100), 300, True)
    assert deployment(canary, "alb") == ("CANARY", {"canary_percent": 10.0, "bake": "5"})
    linear = RolloutPlan("linear", (25, 50, 75, 100), 180, True)
    assert deployment(linear, "alb") == ("LINEAR", {"step_percent": 25.0, "bake": "3"})
    assert deployment(RolloutPlan("blue-green", (100,), 90, True), "alb") == ("BLUE_GREEN", {"bake": "2"})
    # Only an ALB gives ECS a listener rule to shift: everything else rolls.
    assert deployment(canary, "nlb") == ("ROLLING", {})
    assert deployment(canary, None) == ("ROLLING", {})
    # ECS needs a linear step of at least 3 %.
    assert deployment(RolloutPlan("linear", (1, 100), 60, True), "alb")[1]["step_percent"] == 3.0


def test_container_health_check_follows_the_liveness_probe_within_ecs_bounds() -> None:
    check = container_health_check(ProbePlan("/healthz", 10, 3, 2), 8080, ProbePlan("/healthz", 10, 30, 2))
    assert "http://localhost:8080/healthz" in check["command"][1]
    assert check["command"][0] == "CMD-SHELL"
    assert (check["interval"], check["timeout"], check["retries"], check["startPeriod"]) == (10, 2, 3, 300)
    tight = container_health_check(ProbePlan("/h", 1, 50, 100), 80, None)
    assert (tight["interval"], tight["timeout"], tight["retries"], tight["startPeriod"]) == (5, 60, 10, 0)


def test_capabilities_are_all_dropped_but_a_privileged_port_keeps_net_bind_service() -> None:
    assert dropped_capabilities(8080) == dropped_capabilities(1024) == dropped_capabilities(None) == ["ALL"]
    low = dropped_capabilities(443)
    # Fargate cannot add NET_BIND_SERVICE back after ALL, so every other default is dropped by name.
    assert "NET_BIND_SERVICE" not in low and "ALL" not in low
    assert set(low) == set(DEFAULT_CAPABILITIES) - {"NET_BIND_SERVICE"}
    assert {"CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID", "NET_RAW"} <= set(low)
    hardening = container_hardening(443)
    assert hardening["linuxParameters"]["capabilities"] == {"drop": low}
    assert "add" not in hardening["linuxParameters"]["capabilities"]


def test_read_only_root_follows_the_spec() -> None:
    """agents[].read_only_root: true by default; an image that writes outside /tmp can turn it off."""
    assert container_hardening(8080)["readonlyRootFilesystem"] is True
    relaxed = container_hardening(8080, read_only_root=False)
    assert relaxed["readonlyRootFilesystem"] is False
    assert relaxed["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}  # the rest of the hardening stays


def test_env_names() -> None:
    assert env_name("AGENTHA_QUEUE", "order-events", "URL") == "AGENTHA_QUEUE_ORDER_EVENTS_URL"
    assert env_name("llm-api-key") == "LLM_API_KEY"


# --- services on the captured graph ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "agent", "strategy"),
    [
        ("support-agent", "conversation", "CANARY"),
        ("order-routing", "router", "LINEAR"),
        ("hot", "conversation", "BLUE_GREEN"),
        ("stores", "conversation", "LINEAR"),
        ("single-zone", "conversation", "ROLLING"),
        ("support-agent", "action-executor", "ROLLING"),  # internal NLB
        ("order-routing", "fulfiller", "ROLLING"),  # queue worker, no port
    ],
)
def test_each_service_uses_the_planned_strategy_and_its_resources(case: str, agent: str, strategy: str) -> None:
    s = synth_case(case)
    g = s.graph
    region = s.plan.primary_region.name
    service = one(g, "aws:ecs/service:Service", agent, region)
    config = service.inputs["deploymentConfiguration"]
    assert config["strategy"] == strategy
    assert service.inputs["deploymentMinimumHealthyPercent"] == 100
    assert service.inputs["availabilityZoneRebalancing"] == "ENABLED"
    assert service.inputs["launchType"] == "FARGATE"
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False
    assert service.ignore_changes == ("desiredCount",)
    balancers = service.inputs.get("loadBalancers", [])
    if strategy == "ROLLING":
        assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert all("advancedConfiguration" not in b for b in balancers)
        assert "bakeTimeInMinutes" not in config
        return
    assert "deploymentCircuitBreaker" not in service.inputs  # ECS allows it for rolling updates only
    rollout = s.plan.rollout
    assert config["bakeTimeInMinutes"] == str(int(rollout.bake_s // 60))
    if strategy == "CANARY":
        assert config["canaryConfiguration"]["canaryPercent"] == rollout.steps[0]
    if strategy == "LINEAR":
        assert config["linearConfiguration"]["stepPercent"] == rollout.steps[0]
    (balancer,) = balancers
    advanced = balancer["advancedConfiguration"]
    groups = [r for r in named(g, "aws:lb/targetGroup:TargetGroup", f"{agent}-tg-") if region in r.name]
    assert len(groups) == 2
    green = next(r for r in groups if "tg-green" in r.name)
    assert green.urn in dependencies(service, "loadBalancers")
    rule = one(g, "aws:lb/listenerRule:ListenerRule", agent, region)
    assert rule.urn in dependencies(service, "loadBalancers")
    assert rule.ignore_changes == ("actions",)  # ECS shifts the weights
    weights = sorted(t["weight"] for t in rule.inputs["actions"][0]["forward"]["targetGroups"])
    assert weights == [0, 100]
    assert advanced["productionListenerRule"] and advanced["alternateTargetGroupArn"] and advanced["roleArn"]
    infra = one(g, "aws:iam/role:Role", agent, region, "ecs-infrastructure-role")
    assert doc(infra, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}


def test_ingress_alb_terminates_tls_and_redirects_http() -> None:
    g = graph("support-agent")
    listeners = named(g, "aws:lb/listener:Listener", "conversation")
    https = [r for r in listeners if r.inputs["protocol"] == "HTTPS"]
    http = [r for r in listeners if r.inputs["protocol"] == "HTTP"]
    assert len(https) == len(http) == 2  # both regions
    for listener in https:
        assert listener.inputs["port"] == 443
        assert listener.inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
        assert listener.inputs["certificateArn"]
        assert any("certificate-validated" in u for u in dependencies(listener, "certificateArn"))
    for listener in http:
        redirect = listener.inputs["defaultActions"][0]["redirect"]
        assert (redirect["protocol"], redirect["port"], redirect["statusCode"]) == ("HTTPS", "443", "HTTP_301")
    for balancer in named(g, "aws:lb/loadBalancer:LoadBalancer", "conversation"):
        assert balancer.inputs["loadBalancerType"] == "application"
        assert balancer.inputs["internal"] is False  # ingress.public
        assert balancer.inputs["dropInvalidHeaderFields"] is True
        # conversation's steps take up to 2m: the ALB must not drop a silent request after its default 60 s
        assert balancer.inputs["idleTimeout"] == 135


def test_private_ingress_gets_an_internal_alb_and_other_agents_an_internal_nlb() -> None:
    g = graph("order-routing")
    for balancer in named(g, "aws:lb/loadBalancer:LoadBalancer", "router"):
        assert balancer.inputs["internal"] is True
        assert balancer.inputs["loadBalancerType"] == "application"
        assert all("private-subnet" in u for u in dependencies(balancer, "subnets"))
    assert not named(g, "aws:lb/loadBalancer:LoadBalancer", "fulfiller")  # no port: no balancer
    # A port nobody calls gets no balancer (no security group could reach it); a called one an internal NLB.
    assert not named(graph("support-agent"), "aws:lb/loadBalancer:LoadBalancer", "action-executor")
    nlbs = named(graph("calls"), "aws:lb/loadBalancer:LoadBalancer", "action-executor")
    assert len(nlbs) == 2 and all(r.inputs["loadBalancerType"] == "network" and r.inputs["internal"] for r in nlbs)
    (tls,) = named(graph("single-zone"), "aws:lb/listener:Listener", "conversation")
    assert (tls.inputs["protocol"], tls.inputs["port"]) == ("TLS", 443) and tls.inputs["certificateArn"]


def test_target_group_checks_follow_the_plans_load_balancer_health_check() -> None:
    s = synth_case("support-agent")
    check = s.plan.agent("conversation").lb_health_check
    assert check is not None
    for group in named(s.graph, "aws:lb/targetGroup:TargetGroup", "conversation"):
        hc = group.inputs["healthCheck"]
        assert hc["path"] == check.path
        assert hc["interval"] == check.period_s
        assert hc["timeout"] == check.timeout_s
        assert hc["unhealthyThreshold"] == check.failure_threshold
        assert group.inputs["targetType"] == "ip"


def test_task_definition_carries_probes_resilience_settings_resources_and_regional_secrets() -> None:
    s = synth_case("support-agent")
    for region in ("us-east-1", "us-west-2"):
        task = one(s.graph, "aws:ecs/taskDefinition:TaskDefinition", "conversation", region)
        assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
        # The spec's 1 vCPU / 2 GiB, plus the trace collector's 256 MiB: the next memory Fargate pairs with 1 vCPU.
        assert (task.inputs["cpu"], task.inputs["memory"]) == ("1024", "3072")
        container, sidecar = doc(task, "containerDefinitions")
        assert sidecar["name"] == "otel-collector"
        env = {e["name"]: e["value"] for e in container["environment"]}
        assert env["AGENTHA_RETRY_MAX_ATTEMPTS"] == "5"
        assert env["AGENTHA_CIRCUIT_BREAKER_FAILURE_RATE_PERCENT"] == "50"
        assert env["AGENTHA_IDEMPOTENCY_STORE"] == "idempotency"
        assert env["AGENTHA_REGION"] == region
        assert f"sqs.{region}.amazonaws.com" in env["AGENTHA_QUEUE_INBOUND_URL"]
        assert env["AGENTHA_QUEUE_INBOUND_URL"].endswith(".fifo")
        assert "AGENTHA_STORE_CONVERSATIONS_TABLE" in env
        # The provider's key is the model gateway's alone: the agent reaches the model through it.
        assert container["secrets"] == []
        assert env["OPENAI_BASE_URL"].endswith(":4000/v1")
        gateway = one(s.graph, "aws:ecs/taskDefinition:TaskDefinition", "model-gateway", region)
        gateway_container, _ = doc(gateway, "containerDefinitions")
        secret = next(x for x in gateway_container["secrets"] if x["name"] == "LLM_API_KEY")
        assert f":secretsmanager:{region}:" in secret["valueFrom"]
        assert "/healthz" in container["healthCheck"]["command"][1]
        assert container["logConfiguration"]["options"]["awslogs-region"] == region
        assert container["stopTimeout"] == 120


@pytest.mark.parametrize("case", sorted(CASES))
def test_containers_run_read_only_with_a_scratch_tmp_no_capabilities_and_an_init(case: str) -> None:
    tasks = graph(case).of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert tasks
    for task in tasks:
        volumes = task.inputs["volumes"]
        # Fargate: a volume with a name only is a bind mount on the task's ephemeral storage.
        assert volumes == [{"name": "tmp"}], task.name
        declared = {v["name"] for v in volumes}
        for container in doc(task, "containerDefinitions"):
            assert container["readonlyRootFilesystem"] is True
            if container["name"] == "otel-collector":
                # It writes no file: no scratch mount, no init (its image has one static binary as PID 1).
                assert "mountPoints" not in container
                assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
                continue
            (mount,) = container["mountPoints"]
            assert mount["sourceVolume"] in declared
            assert mount["containerPath"] == SCRATCH_PATH and mount["readOnly"] is False
            linux = container["linuxParameters"]
            assert linux["capabilities"] == {"drop": ["ALL"]}  # every example port is above 1023
            assert linux["initProcessEnabled"] is True
            # The image's own USER stands: a numeric user here would break images built for a named one.
            assert "user" not in container and "privileged" not in container
            check = container.get("healthCheck")
            if check is not None:
                # The probe writes nothing but /dev/null, so a read-only root does not break it (the model
                # gateway's reads its liveness route through Python and writes nothing at all).
                if check["command"][:2] == ["CMD", "python"]:
                    assert "urlopen" in check["command"][3]
                    continue
                command = check["command"][1]
                assert "-o /dev/null" in command and "-O /dev/null" in command


def policy_named(g: ResourceGraph, name: str) -> dict:
    return doc(next(r for r in g.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == name), "policy")


def test_task_role_may_touch_only_what_the_agent_names() -> None:
    s = synth_case("support-agent")
    g = s.graph
    policy = policy_named(g, "support-agent-conversation-task-policy-us-east-1")
    by_sid = {st["Sid"]: st for st in policy["Statement"]}
    assert by_sid["ConsumeOwnQueues"]["Resource"] == ["arn:aws:sqs:us-east-1:123456789012:support-agent-inbound.fifo"]
    assert by_sid["ProduceToOwnQueues"]["Resource"] == ["arn:aws:sqs:us-east-1:123456789012:support-agent-actions"]
    assert "sqs:SendMessage" not in by_sid["ConsumeOwnQueues"]["Action"]
    tables = by_sid["ReadWriteOwnTables"]["Resource"]
    assert all(":dynamodb:us-east-1:" in t for t in tables) and len(tables) == 4  # two tables and their indexes
    # The tables are under the region's key, which DynamoDB uses with the caller's permissions.
    table_key = by_sid["UseTableKey"]
    assert table_key["Resource"] == by_sid["UseQueueKey"]["Resource"]  # the region key
    assert table_key["Resource"][0].startswith("arn:aws:kms:us-east-1:")
    assert "kms:Decrypt" in table_key["Action"]
    assert table_key["Condition"] == {"StringEquals": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}}
    executor = next(
        r
        for r in g.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "support-agent-action-executor-task-policy-us-west-2"
    )
    statements = {st["Sid"]: st for st in doc(executor, "policy")["Statement"]}
    assert "ProduceToOwnQueues" not in statements  # it produces nothing
    # Everything regional, but the one X-Ray action that names no resource (test_collector.py).
    assert statements["WriteTraces"]["Resource"] == "*" or statements["WriteTraces"]["Resource"] == ["*"]
    assert all(":us-west-2:" in r for sid, st in statements.items() if sid != "WriteTraces" for r in st["Resource"])
    execution = next(
        r
        for r in g.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "support-agent-model-gateway-execution-policy-us-west-2"
    )
    ex = {st["Sid"]: st for st in doc(execution, "policy")["Statement"]}
    assert ex["ReadOwnSecrets"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert all(":secretsmanager:us-west-2:" in r for r in ex["ReadOwnSecrets"]["Resource"])
    assert ex["WriteOwnLogs"]["Resource"][0].endswith(":*")
    assert "EcrLogin" not in ex  # the image is on ghcr.io, not ECR


def test_databases_are_reached_with_iam_auth_scoped_to_the_regional_cluster() -> None:
    g = graph("stores")
    policy = next(
        r
        for r in g.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "support-agent-conversation-task-policy-us-west-2"
    )
    st = {s["Sid"]: s for s in doc(policy, "policy")["Statement"]}
    (user,) = st["ConnectToOwnDatabases"]["Resource"]
    assert user.startswith("arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-") and user.endswith("/conversation")


def test_scaling_on_cpu_and_on_backlog_per_task() -> None:
    s = synth_case("support-agent")
    g = s.graph
    placement = s.plan.agent("conversation").placement("us-east-1")
    assert placement is not None
    target = one(g, "aws:appautoscaling/target:Target", "conversation", "us-east-1")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (placement.min, placement.max)
    cpu = next(
        r
        for r in g.of_type("aws:appautoscaling/policy:Policy")
        if r.name == "support-agent-conversation-scale-on-cpu-us-east-1"
    )
    tt = cpu.inputs["targetTrackingScalingPolicyConfiguration"]
    assert (
        tt["targetValue"] == 60
        and tt["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    )
    backlog = next(
        r
        for r in g.of_type("aws:appautoscaling/policy:Policy")
        if r.name == "support-agent-conversation-scale-on-backlog-us-east-1"
    )
    spec = backlog.inputs["targetTrackingScalingPolicyConfiguration"]
    assert spec["targetValue"] == 20
    metrics = {m["id"]: m for m in spec["customizedMetricSpecification"]["metrics"]}
    assert metrics["backlog"]["expression"] == "(q0) / tasks" and metrics["backlog"]["returnData"] is True
    assert metrics["tasks"]["metricStat"]["metric"]["metricName"] == "RunningTaskCount"
    assert metrics["q0"]["metricStat"]["metric"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert all(
        r.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]
        for r in g.of_type("aws:ecs/cluster:Cluster")
    )


def test_pilot_light_standby_runs_nothing_and_wakes_up_when_work_arrives() -> None:
    s = synth_case("support-agent@staging")
    g = s.graph
    agent = s.plan.agent("conversation")
    standby = agent.placement("us-west-2")
    full = agent.placement("us-east-1")
    assert standby is not None and full is not None and standby.desired == 0
    service = one(g, "aws:ecs/service:Service", "conversation", "us-west-2")
    assert service.inputs.get("desiredCount", 0) == 0
    step = next(
        r
        for r in g.of_type("aws:appautoscaling/policy:Policy")
        if r.name == "support-agent-conversation-activate-on-failover-us-west-2"
    )
    config = step.inputs["stepScalingPolicyConfiguration"]
    assert config["adjustmentType"] == "ExactCapacity"
    assert config["stepAdjustments"][0]["scalingAdjustment"] == full.desired
    triggers = {
        r.name: r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if step.urn in dependencies(r, "alarmActions")
    }
    assert set(triggers) == {
        "support-agent-conversation-activate-on-requests-alarm-us-west-2",
        "support-agent-conversation-activate-on-inbound-alarm-us-west-2",
    }
    # RequestCount counts only requests a target answered: with no task it stays at 0. The ALB
    # answers 503 itself while no target is registered, and stops once the first task registers.
    requests = triggers["support-agent-conversation-activate-on-requests-alarm-us-west-2"].inputs
    assert (requests["namespace"], requests["metricName"]) == ("AWS/ApplicationELB", "HTTPCode_ELB_503_Count")
    assert requests["dimensions"]["LoadBalancer"].startswith("app/")
    # Messages count only while no task runs: CloudWatch re-invokes Auto Scaling actions every minute
    # an alarm stays in ALARM, and ExactCapacity would otherwise undo every scale-out of the region.
    queries = {
        q["id"]: q
        for q in triggers["support-agent-conversation-activate-on-inbound-alarm-us-west-2"].inputs["metricQueries"]
    }
    assert queries["waiting"]["expression"] == "IF(FILL(tasks, 0) < 1, messages, 0)"
    assert [q["id"] for q in queries.values() if q.get("returnData")] == ["waiting"]
    assert queries["messages"]["metric"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert queries["tasks"]["metric"]["metricName"] == "RunningTaskCount"
    inbound = triggers["support-agent-conversation-activate-on-inbound-alarm-us-west-2"]
    assert service.urn in dependencies(inbound, "metricQueries")  # this very service's running tasks
    cpu = next(
        r
        for r in g.of_type("aws:appautoscaling/policy:Policy")
        if r.name == "support-agent-conversation-scale-on-cpu-us-west-2"
    )
    assert cpu.inputs["targetTrackingScalingPolicyConfiguration"]["disableScaleIn"] is True
    assert not [
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if "running-below-min-us-west-2" in r.inputs["name"]
    ]


def test_deployments_roll_back_on_the_slo_alarms() -> None:
    g = graph("support-agent")
    service = one(g, "aws:ecs/service:Service", "conversation", "us-east-1")
    alarms = service.inputs["alarms"]
    assert alarms["enable"] and alarms["rollback"]
    assert {n.split("-conversation-")[-1] if "-conversation-" in n else n for n in alarms["alarmNames"]} >= {
        "5xx-rate-us-east-1",
        "latency-p99-us-east-1",
    }
    # Dead letters page but never roll back: one kept for days would fail every deployment meanwhile.
    assert not [n for n in alarms["alarmNames"] if "dead-letters" in n]
    worker = one(graph("order-routing"), "aws:ecs/service:Service", "fulfiller", "eu-west-1")
    assert "alarms" not in worker.inputs  # a worker's only deployment alarms were dead letters
    assert worker.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_5xx_alarm_is_metric_math_on_the_real_load_balancer() -> None:
    g = graph("support-agent")
    alarm = next(
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"] == "support-agent-conversation-5xx-rate-us-east-1"
    )
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert "requests" in queries["rate"]["expression"] and queries["rate"]["returnData"] is True
    dims = queries["requests"]["metric"]["dimensions"]
    assert dims["LoadBalancer"].startswith("app/")  # the ALB's arn_suffix output
    balancer = one(g, "aws:lb/loadBalancer:LoadBalancer", "conversation", "us-east-1")
    assert balancer.urn in dependencies(alarm, "metricQueries")
    assert alarm.inputs["threshold"] == 1


def test_without_auto_rollback_deployments_neither_watch_alarms_nor_roll_back() -> None:
    g = graph("lean")  # rollout.auto_rollback: false
    for service in g.of_type("aws:ecs/service:Service"):
        assert "alarms" not in service.inputs
        breaker = service.inputs.get("deploymentCircuitBreaker")
        assert breaker is None or breaker == {"enable": True, "rollback": False}
    assert any("deploymentCircuitBreaker" in s.inputs for s in g.of_type("aws:ecs/service:Service"))


def test_a_caller_gets_the_called_agents_address_in_its_region() -> None:
    g = graph("calls")
    for region in ("us-east-1", "us-west-2"):
        nlb = one(g, "aws:lb/loadBalancer:LoadBalancer", "action-executor", region, "nlb")
        task = one(g, "aws:ecs/taskDefinition:TaskDefinition", "conversation", region)
        container = doc(task, "containerDefinitions")[0]
        env = {e["name"]: e["value"] for e in container["environment"]}
        # the mock's DNS name of this region's NLB, on the called agent's port
        assert env["AGENTHA_AGENT_ACTION_EXECUTOR_URL"].startswith("http://")
        assert env["AGENTHA_AGENT_ACTION_EXECUTOR_URL"].endswith(":8081")
        assert nlb.urn in dependencies(task, "containerDefinitions")
    executor = one(g, "aws:ecs/taskDefinition:TaskDefinition", "action-executor", "us-east-1")
    container = doc(executor, "containerDefinitions")[0]
    assert not [e for e in container["environment"] if e["name"].startswith("AGENTHA_AGENT_")]


def test_load_balancers_take_zonal_shift_and_autoshift_where_the_spec_asks() -> None:
    g = graph("calls")
    balancers = g.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert balancers and all(b.inputs["enableZonalShift"] is True for b in balancers)
    # A cross-zone NLB takes zonal shift only if its target groups keep connections to unhealthy targets.
    for group in named(g, "aws:lb/targetGroup:TargetGroup", "action-executor"):
        assert group.inputs["targetHealthStates"] == [{"enableUnhealthyConnectionTermination": False}]
    shifts = g.of_type("aws:arczonalshift/zonalAutoshiftConfiguration:ZonalAutoshiftConfiguration")
    # The ingress ALB in each region; the internal NLB has no SLO alarm to judge a practice run by.
    assert sorted(s.inputs["region"] for s in shifts) == ["us-east-1", "us-west-2"]
    for shift in shifts:
        assert shift.inputs["zonalAutoshiftStatus"] == "ENABLED"
        alb = one(g, "aws:lb/loadBalancer:LoadBalancer", "conversation", shift.inputs["region"], "alb")
        assert alb.urn in dependencies(shift, "resourceArn")
        slo = [
            a
            for a in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs["region"] == shift.inputs["region"]
            and ("5xx-rate" in a.inputs["name"] or "latency-p99" in a.inputs["name"])
            and "conversation" in a.inputs["name"]
        ]
        assert len(slo) == 2
        for key in ("outcomeAlarms", "blockingAlarms"):
            assert len(shift.inputs[key]) == 2 and all(x["type"] == "CLOUDWATCH" for x in shift.inputs[key])
            assert {a.urn for a in slo} <= set(dependencies(shift, key))
    assert not graph("support-agent").of_type(
        "aws:arczonalshift/zonalAutoshiftConfiguration:ZonalAutoshiftConfiguration"
    )  # zonal shift by hand only
    (single,) = [
        r for r in graph("single-zone").of_type("aws:lb/loadBalancer:LoadBalancer") if "model-gateway" not in r.name
    ]
    assert "enableZonalShift" not in single.inputs  # one zone: nowhere to shift to


def test_a_first_deploy_with_start_agents_false_runs_no_task_until_the_secrets_are_set() -> None:
    """Secrets are created empty: tasks that read one would fail and the circuit breaker would stop the
    deployment. With `agentha:startAgents false` no service runs a task and autoscaling cannot start one;
    the next `pulumi up` without it raises the range, and Application Auto Scaling moves the service in."""
    from stacks.synth import synth
    from tests.components.aws.helpers import spec_path

    held = synth(spec_path("support-agent"), None, config={"agentha:startAgents": "false"}).graph
    services = held.of_type("aws:ecs/service:Service")
    assert services and all(s.inputs["desiredCount"] == 0 for s in services)
    targets = held.of_type("aws:appautoscaling/target:Target")
    assert targets and all(t.inputs["minCapacity"] == 0 and t.inputs["maxCapacity"] == 0 for t in targets)
    started = graph("support-agent")
    primary = one(started, "aws:ecs/service:Service", "conversation", "us-east-1")
    planned = synth_case("support-agent").plan.agent("conversation").placements[0].desired
    assert primary.inputs["desiredCount"] == planned
    assert all(t.inputs["maxCapacity"] > 0 for t in started.of_type("aws:appautoscaling/target:Target"))


def test_load_balancers_are_protected_from_deletion_unless_the_stack_says_otherwise() -> None:
    """On by default (it was off everywhere): deleting an ingress ALB takes the region out of DNS
    failover. A throw-away stack turns it off with the same `agentha:deletionProtection` as the stores."""
    from stacks.synth import synth
    from tests.conftest import EXAMPLES

    balancers = graph("support-agent").of_type("aws:lb/loadBalancer:LoadBalancer")
    assert balancers and all(b.inputs["enableDeletionProtection"] is True for b in balancers)
    spec = EXAMPLES / "support-agent" / "spec.yaml"
    dev = synth(spec, "dev", config={"agentha:deletionProtection": "false"}).graph
    off = dev.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert off and not any(b.inputs["enableDeletionProtection"] for b in off)
