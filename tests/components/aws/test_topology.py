"""Invariants of the whole AWS topology, checked on the captured graph of every case and pattern."""

from __future__ import annotations

import importlib
import inspect
from functools import cache

import pytest

from components.aws.alarms import alarm_name
from components.aws.tags import TagContext
from components.aws.topology import endpoint_services, load_balancer_kind
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import CASES, PATTERNS, custom, dependencies, doc, graph, synth_case, tags

ALL = list(CASES)
GLOBAL_SERVICES = ("aws:iam/", "aws:route53/", "aws:arcregionswitch/")
"""Global services: no `region` (an ARC Region switch plan's ARN has none; pulumi-aws deprecates it there)."""


def by_urn(g: ResourceGraph, urns: tuple[str, ...]) -> list[CapturedResource]:
    return [r for u in urns if (r := g.by_urn(u)) is not None]


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_every_pattern_synthesizes(pattern: str) -> None:
    s = synth_case(PATTERNS[pattern])
    expected = pattern.split("-")[0] if pattern.startswith("active-passive") else pattern
    assert s.plan.pattern.startswith(expected)
    if pattern.startswith("active-passive-"):
        assert s.plan.standby == pattern.removeprefix("active-passive-")
    assert s.graph.of_type("aws:ecs/service:Service")


@pytest.mark.parametrize("case", ALL)
def test_every_queue_has_a_dead_letter_queue_of_the_same_kind(case: str) -> None:
    s = synth_case(case)
    queues = {tags(r)["agentha:region"] + "/" + r.inputs["name"]: r for r in s.graph.of_type("aws:sqs/queue:Queue")}
    for q in s.plan.queues:
        assert q.regions, q.name
        for region in q.regions:
            main = queues[f"{region}/{q.physical_name}"]
            dead = queues[f"{region}/{q.dead_letter_physical_name}"]
            assert bool(main.inputs.get("fifoQueue")) == bool(dead.inputs.get("fifoQueue")) == q.fifo
            assert main.inputs["name"].endswith(".fifo") == dead.inputs["name"].endswith(".fifo") == q.fifo
            redrive = doc(main, "redrivePolicy")
            assert redrive["maxReceiveCount"] == q.max_receive_count
            assert dependencies(main, "redrivePolicy") == (dead.urn,)
            assert dead.inputs["messageRetentionSeconds"] >= main.inputs["messageRetentionSeconds"]
            assert main.inputs["region"] == dead.inputs["region"] == region


@pytest.mark.parametrize("case", ALL)
def test_desired_count_covers_every_zone_and_tasks_spread_over_every_zone_subnet(case: str) -> None:
    s = synth_case(case)
    g = s.graph
    services = {(tags(r)["agentha:part"], r.inputs["region"]): r for r in g.of_type("aws:ecs/service:Service")}
    for agent in s.plan.agents:
        for placement in agent.placements:
            service = services[(agent.name, placement.region)]
            assert service.inputs.get("desiredCount", 0) == placement.desired
            if placement.desired:
                assert placement.desired >= len(placement.zones)
            subnets = by_urn(g, dependencies(service, "networkConfiguration"))
            subnet_zones = {r.inputs["availabilityZone"] for r in subnets if r.type == "aws:ec2/subnet:Subnet"}
            if subnet_zones:  # new VPC: the private subnet of every planned zone
                assert subnet_zones == set(placement.zones)
                assert all(not r.inputs.get("mapPublicIpOnLaunch") for r in subnets if "subnet" in r.type)
            else:  # existing VPC: the given private subnets, one per zone
                net = s.plan.region(placement.region).network
                assert service.inputs["networkConfiguration"]["subnets"] == list(net.existing_private_subnet_ids)


@pytest.mark.parametrize("case", ALL)
def test_stores_are_replicated_to_every_region_the_plan_names(case: str) -> None:
    s = synth_case(case)
    g = s.graph
    for store in s.plan.stores:
        if store.engine == "dynamodb":
            (table,) = [r for r in g.of_type("aws:dynamodb/table:Table") if tags(r)["agentha:part"] == store.name]
            assert table.inputs["region"] == store.primary_region
            replicas = sorted(r["regionName"] for r in table.inputs.get("replicas", []))
            assert replicas == sorted(store.replica_regions)
        elif store.engine == "aurora-postgresql":
            clusters = [r for r in g.of_type("aws:rds/cluster:Cluster") if tags(r)["agentha:part"] == store.name]
            assert sorted(r.inputs["region"] for r in clusters) == sorted(store.regions)
            if store.replica_regions:
                (glob,) = [r for r in g.of_type("aws:rds/globalCluster:GlobalCluster")]
                assert all(glob.urn in dependencies(c, "globalClusterIdentifier") for c in clusters)
        elif store.engine == "valkey":
            groups = [
                r
                for r in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
                if tags(r)["agentha:part"] == store.name
            ]
            assert sorted(r.inputs["region"] for r in groups) == sorted(store.regions)
            if store.replica_regions:
                (glob,) = g.of_type("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup")
                secondaries = [r for r in groups if r.inputs["region"] != store.primary_region]
                assert all(glob.urn in dependencies(r, "globalReplicationGroupId") for r in secondaries)


def expected_alarms(case: str) -> dict[str, set[str]]:
    """Per region: the SLI alarm names the plan asks for."""
    s = synth_case(case)
    plan = s.plan
    a = plan.observability.alarms
    scope = TagContext.from_plan(plan).scope
    out: dict[str, set[str]] = {r.name: set() for r in plan.regions}
    for agent in plan.agents:
        for p in agent.placements:
            region = plan.region(p.region)
            kind = load_balancer_kind(agent, region)
            names = out[p.region]
            if kind == "alb":
                if a.error_rate_percent is not None:
                    names.add(alarm_name(scope, agent.name, "5xx-rate", p.region))
                if a.latency_p99_s is not None:
                    names.add(alarm_name(scope, agent.name, "latency-p99", p.region))
            if kind and a.unhealthy_hosts:
                names.add(alarm_name(scope, agent.name, "unhealthy-hosts-blue", p.region))
            if a.running_below_min and p.min >= 1:
                names.add(alarm_name(scope, agent.name, "running-below-min", p.region))
    for q in plan.queues:
        for region in q.regions:
            if a.oldest_message_age_s is not None:
                out[region].add(alarm_name(scope, q.name, "oldest-message-age", region))
            if a.dead_letters is not None:
                out[region].add(alarm_name(scope, q.name, "dead-letters", region))
    if a.replication_lag_s is not None:
        for store in plan.stores:
            if store.engine == "dynamodb" and store.replication == "async":
                for src in store.regions:
                    for dst in (r for r in store.regions if r != src):
                        out[src].add(alarm_name(scope, store.name, f"replication-latency-to-{dst}", src))
            elif store.engine in ("aurora-postgresql", "valkey"):
                for region in store.replica_regions:
                    out[region].add(alarm_name(scope, store.name, "global-replication-lag", region))
    return out


@cache
def topics(case: str) -> dict[str, str]:
    """region -> alert topic ARN (as captured in alarm actions)."""
    g = graph(case)
    arns = {}
    for topic in g.of_type("aws:sns/topic:Topic"):
        region = topic.inputs["region"]
        arns[region] = f"arn:aws:sns:{region}:123456789012:{topic.name}"
    return arns


@pytest.mark.parametrize("case", ALL)
def test_every_sli_alarm_exists_in_its_region_and_notifies_the_alert_topic(case: str) -> None:
    g = graph(case)
    alarms = {r.inputs["name"]: r for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for region, names in expected_alarms(case).items():
        topic = next(t for t in g.of_type("aws:sns/topic:Topic") if t.inputs["region"] == region)
        for name in names:
            assert name in alarms, f"missing alarm {name}"
            alarm = alarms[name]
            assert alarm.inputs["region"] == region
            assert alarm.inputs["alarmActions"], name
            assert topic.urn in dependencies(alarm, "alarmActions"), name
            assert topic.urn in dependencies(alarm, "okActions"), name


@pytest.mark.parametrize("case", ALL)
def test_no_policy_allows_a_wildcard_action(case: str) -> None:
    g = graph(case)
    checked = 0
    for r in custom(g):
        for key in ("policy", "assumeRolePolicy"):
            value = r.inputs.get(key)
            if not isinstance(value, str) or not value.startswith("{"):
                continue
            for statement in doc(r, key)["Statement"]:
                actions = statement.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                if statement["Effect"] == "Allow":
                    checked += 1
                    assert all("*" not in a and "?" not in a for a in actions), (r.name, actions)
                    if r.type == "aws:iam/rolePolicy:RolePolicy":
                        assert statement["Resource"], r.name
    assert checked > 0
    for attachment in g.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        # The only managed policies: AWS's own for ECS blue/green and for the role AWS Backup assumes
        # (explicit actions, maintained by AWS as services are added).
        assert attachment.inputs["policyArn"].endswith(
            (
                ":policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
                ":policy/service-role/AWSBackupServiceRolePolicyForBackup",
            )
        )


@pytest.mark.parametrize("case", ALL)
def test_every_store_queue_secret_log_and_topic_is_encrypted(case: str) -> None:
    g = graph(case)
    keys = {r.inputs["region"]: r.urn for r in g.of_type("aws:kms/key:Key")}
    assert all(k.inputs["enableKeyRotation"] for k in g.of_type("aws:kms/key:Key"))

    def uses_regional_key(r: CapturedResource, key: str) -> None:
        assert r.inputs.get(key), (r.name, key)
        assert keys[r.inputs["region"]] in dependencies(r, key), (r.name, key)

    for q in g.of_type("aws:sqs/queue:Queue"):
        uses_regional_key(q, "kmsMasterKeyId")
    for t in g.of_type("aws:sns/topic:Topic"):
        uses_regional_key(t, "kmsMasterKeyId")
    for lg in g.of_type("aws:cloudwatch/logGroup:LogGroup"):
        uses_regional_key(lg, "kmsKeyId")
    for secret in g.of_type("aws:secretsmanager/secret:Secret"):
        uses_regional_key(secret, "kmsKeyId")
        assert all(rep.get("kmsKeyId") for rep in secret.inputs.get("replicas", []))
    for table in g.of_type("aws:dynamodb/table:Table"):
        sse = table.inputs["serverSideEncryption"]
        assert sse["enabled"] and sse["kmsKeyArn"]
        assert all(rep.get("kmsKeyArn") for rep in table.inputs.get("replicas", []))
    for cluster in g.of_type("aws:rds/cluster:Cluster"):
        assert cluster.inputs["storageEncrypted"]
        uses_regional_key(cluster, "kmsKeyId")
    for group in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        if "globalReplicationGroupId" in group.inputs:  # a secondary inherits both from its primary
            assert "atRestEncryptionEnabled" not in group.inputs and "transitEncryptionEnabled" not in group.inputs
        else:
            assert group.inputs["atRestEncryptionEnabled"] and group.inputs["transitEncryptionEnabled"]
        uses_regional_key(group, "kmsKeyId")


@pytest.mark.parametrize("case", ALL)
def test_stateful_resources_are_deletion_protected(case: str) -> None:
    s = synth_case(case)
    g = s.graph
    cached = {st.name for st in s.plan.stores if st.cache}
    for table in g.of_type("aws:dynamodb/table:Table"):
        assert table.protect and table.inputs["deletionProtectionEnabled"]
        assert all(rep["deletionProtectionEnabled"] for rep in table.inputs.get("replicas", []))
    for r in g.of_type("aws:rds/cluster:Cluster", "aws:rds/globalCluster:GlobalCluster"):
        assert r.protect and r.inputs["deletionProtection"], r.name
    for cluster in g.of_type("aws:rds/cluster:Cluster"):
        assert not cluster.inputs["skipFinalSnapshot"] and cluster.inputs["finalSnapshotIdentifier"]
    for group in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        assert group.protect == (tags(group)["agentha:part"] not in cached)


@pytest.mark.parametrize("case", ALL)
def test_each_resource_is_in_the_region_the_plan_says(case: str) -> None:
    s = synth_case(case)
    regions = {r.name for r in s.plan.regions}
    providers = [r for r in s.graph if r.is_provider]
    assert [p.inputs["region"] for p in providers] == [s.plan.primary_region.name]
    for r in custom(s.graph):
        if r.type.startswith(GLOBAL_SERVICES):
            assert "region" not in r.inputs, r.name  # IAM and Route 53 are global
            continue
        assert r.inputs.get("region") in regions, (r.type, r.name)  # explicit, never the default
        tagged = tags(r).get("agentha:region")
        if tagged:
            assert tagged == r.inputs["region"], r.name
    for agent in s.plan.agents:
        services = [r for r in s.graph.of_type("aws:ecs/service:Service") if tags(r)["agentha:part"] == agent.name]
        assert sorted(r.inputs["region"] for r in services) == sorted(p.region for p in agent.placements)


@cache
def taggable(type_token: str) -> bool:
    """Does the resource's Args class take `tags` (so the convention applies)?"""
    module, rest = type_token.split(":")[1], type_token.split(":")[2]
    package = module.split("/")[0]
    mod = importlib.import_module(f"pulumi_aws.{package}_" if package == "lambda" else f"pulumi_aws.{package}")
    args = getattr(mod, f"{rest}Args")
    return "tags" in inspect.signature(args.__init__).parameters


@pytest.mark.parametrize("case", ALL)
def test_every_taggable_resource_follows_the_tagging_convention(case: str) -> None:
    s = synth_case(case)
    plan = s.plan
    for r in custom(s.graph):
        if not taggable(r.type):
            continue
        t = tags(r)
        assert t.get("agentha:system") == plan.system, r.name
        assert t.get("agentha:part") and t.get("agentha:role"), r.name
        assert t.get("agentha:spec-path") and not set("[]") & set(t["agentha:spec-path"]), r.name
        assert t.get("agentha:region"), r.name
        assert t.get("owner") == plan.owner, r.name
        assert all(t.get(k) == v for k, v in plan.tags), r.name
        if plan.environment:
            assert t.get("agentha:environment") == plan.environment, r.name
        else:
            assert "agentha:environment" not in t
        if r.type in ("aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"):
            assert t.get("agentha:zone") == r.inputs.get("availabilityZone", t.get("agentha:zone")), r.name


LIMITS = {
    "aws:lb/loadBalancer:LoadBalancer": 32,
    "aws:lb/targetGroup:TargetGroup": 32,
    "aws:sqs/queue:Queue": 80,
    "aws:iam/role:Role": 64,
    "aws:rds/cluster:Cluster": 63,
    "aws:rds/clusterInstance:ClusterInstance": 63,
}


@pytest.mark.parametrize("case", ALL)
def test_physical_names_fit_the_provider_limits(case: str) -> None:
    g = graph(case)
    for r in custom(g):
        limit = LIMITS.get(r.type)
        name = r.inputs.get("name") or r.inputs.get("clusterIdentifier") or r.inputs.get("identifier")
        if limit and name:
            assert len(name) <= limit, (r.type, name)
    for group in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        assert len(group.inputs["replicationGroupId"]) <= 40


def test_endpoint_services_follow_what_agents_use() -> None:
    plan = synth_case("support-agent").plan
    # conversation's egress is narrowed: its images through ECR (layers in S3), its spans to X-Ray
    assert endpoint_services(plan) == ("logs", "sqs", "secretsmanager", "dynamodb", "ecr.api", "ecr.dkr", "s3", "xray")
    assert endpoint_services(synth_case("no-image-cache").plan) == ("logs", "sqs", "secretsmanager", "dynamodb")


def test_load_balancer_kind() -> None:
    plan = synth_case("support-agent").plan
    region = plan.primary_region
    assert load_balancer_kind(plan.agent("conversation"), region) == "alb"
    assert load_balancer_kind(plan.agent("action-executor"), region) is None  # a port nobody calls
    called = synth_case("calls").plan
    assert load_balancer_kind(called.agent("action-executor"), called.primary_region) == "nlb"
    single = synth_case("single-zone").plan
    assert load_balancer_kind(single.agent("conversation"), single.primary_region) == "nlb-tls"
    worker = synth_case("order-routing").plan
    assert load_balancer_kind(worker.agent("fulfiller"), worker.primary_region) is None


def test_the_stack_exports_endpoints_and_the_secret_commands() -> None:
    s = synth_case("support-agent")
    exports = s.graph.exports
    assert exports["ingress_url"] == "https://support.acme.example"
    assert set(exports["regions"]) == {"us-east-1", "us-west-2"}
    assert exports["regions"]["us-east-1"]["agents"]["conversation"]["strategy"] == "CANARY"
    command, _ = exports["set_secret_values"]  # the two model providers' keys
    assert command.startswith("aws secretsmanager put-secret-value --region us-east-1 --secret-id arn:aws:")
    assert "estimates" in exports
    dashboards = {
        d.inputs["region"]: d.inputs["dashboardName"] for d in s.graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    }
    for region, exported in exports["regions"].items():
        name = dashboards[region]
        assert exported["dashboard"] == name
        assert exported["dashboard_url"] == (
            f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/{name}"
        )


def test_called_agents_are_built_before_their_callers() -> None:
    import dataclasses

    from components.aws.topology import build_order

    plan = synth_case("calls").plan
    assert [a.name for a in plan.agents] == ["conversation", "action-executor"]
    assert [a.name for a in build_order(plan)] == ["action-executor", "conversation"]
    plain = dataclasses.replace(plan, agents=tuple(dataclasses.replace(a, calls=()) for a in plan.agents))
    assert [a.name for a in build_order(plain)] == ["conversation", "action-executor"]


def test_an_engine_the_spec_does_not_use_loads_no_provider_module() -> None:
    """pulumi_aws.rds (~0.14 s) and .elasticache load only for specs with Aurora or Valkey (issue 19)."""
    import subprocess
    import sys
    import textwrap

    from tests.conftest import EXAMPLES, ROOT

    code = textwrap.dedent(
        f"""
        import sys
        from stacks.synth import synth
        synth({str(EXAMPLES / "support-agent" / "spec.yaml")!r}, "prod")
        def loaded(name, attribute):  # a lazy module holds none of its classes until first touched
            module = sys.modules.get("pulumi_aws." + name)
            return module is not None and attribute in object.__getattribute__(module, "__dict__")
        print(loaded("rds", "Cluster"), loaded("elasticache", "ReplicationGroup"), loaded("dynamodb", "Table"))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]  # DynamoDB only: no Aurora, no Valkey
