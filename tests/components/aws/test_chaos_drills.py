"""ChaosDrills: FIS experiment templates for the plan's drills, on the captured graph."""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

import pytest

from blueprints.plan.models import ChaosPlan, DrillPlan, TopologyPlan
from components.aws.chaos_drills import (
    DESCRIPTION_LIMIT,
    SUPPORTED,
    crash_agent,
    crash_count,
    describe,
    failover_stores,
    iso_duration,
    outage_seconds,
    outage_zone,
    zone_caches,
    zone_databases,
)
from stacks.graph import CapturedResource, ResourceGraph
from tests.components.aws.helpers import dependencies, doc, graph, synth_case, tags

TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"

# The permissions the FIS actions reference lists for each action, and nothing else.
ACTIONS = {
    "agent-crash": {"ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask", "tag:GetResources"},
    "zone-outage": {
        "ec2:CreateNetworkAcl",
        "ec2:CreateNetworkAclEntry",
        "ec2:CreateTags",
        "ec2:DeleteNetworkAcl",
        "ec2:DescribeManagedPrefixLists",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:GetManagedPrefixListEntries",
        "ec2:ReplaceNetworkAclAssociation",
    },
    "store-failover": {"rds:FailoverDBCluster", "rds:DescribeDBClusters", "tag:GetResources"},
}
# The zone outage of a region with an Aurora cluster and a Valkey group also fails both over.
ZONE_STORE_ACTIONS = {
    "rds:FailoverDBCluster",
    "rds:DescribeDBClusters",
    "elasticache:InterruptClusterAzPower",
    "elasticache:DescribeReplicationGroups",
    "tag:GetResources",
}
# Alarms a drill trips on purpose: never a stop condition, nor part of one.
DRILL_SYMPTOMS = ("unhealthy-hosts", "no-healthy-hosts", "running-below-min", "dead-letters", "region-health")


def _synth_plan(plan: TopologyPlan) -> ResourceGraph:
    from components.aws.topology import AwsTopology, AwsTopologyArgs
    from stacks.capture import synthesize

    return synthesize(
        lambda: AwsTopology(plan.system, AwsTopologyArgs(plan=plan)), project="agentha-blueprint", stack="chaos"
    )


def _drill(name: str, rto: float | None = 120.0, rpo: float | None = 0.0) -> DrillPlan:
    from blueprints.plan.failure_modes import DRILLS

    expects = DRILLS[name].expects.get("aws", "") if name in DRILLS else ""
    return DrillPlan(
        name=name, disruption="zone", target="t", expected_rto_s=rto, expected_rpo_s=rpo, runbook=(), expects=expects
    )


@cache
def failover_case() -> tuple[TopologyPlan, ResourceGraph]:
    """One region with a regional Aurora store, drilled for crash, zone outage and store failover."""
    plan = synth_case("stores-one-region").plan
    drills = (_drill("agent-crash"), _drill("zone-outage", rto=900.0), _drill("store-failover", rpo=None))
    plan = dataclasses.replace(plan, chaos=ChaosPlan(schedule="weekly", drills=drills))
    return plan, _synth_plan(plan)


def templates(g: ResourceGraph) -> dict[str, CapturedResource]:
    return {t.name.split("-experiment-")[0]: t for t in g.of_type(TEMPLATE)}


def by_drill(g: ResourceGraph, system: str) -> dict[str, CapturedResource]:
    return {name.removeprefix(f"{system}-"): t for name, t in templates(g).items()}


def role_and_policy(g: ResourceGraph, template: CapturedResource) -> tuple[CapturedResource, dict[str, Any]]:
    prefix = template.name.split("-experiment-")[0]
    (role,) = [r for r in g.of_type(ROLE) if r.name.startswith(f"{prefix}-fis-role-")]
    (policy,) = [p for p in g.of_type(POLICY) if p.name.startswith(f"{prefix}-fis-policy-")]
    return role, doc(policy, "policy")


def by_id(template: CapturedResource) -> dict[str, dict[str, Any]]:
    return {a["actionId"]: a for a in template.inputs["actions"]}


def target_named(template: CapturedResource, name: str) -> dict[str, Any]:
    (target,) = [t for t in template.inputs["targets"] if t["name"] == name]
    return target


def actions_of(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


def statement_for(policy: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if action in s["Action"]]


# --- pure ------------------------------------------------------------------------------------------


def test_iso_durations_are_whole_minutes_in_iso_8601() -> None:
    assert iso_duration(600) == "PT10M"
    assert iso_duration(3600) == "PT1H"
    assert iso_duration(5400) == "PT1H30M"
    assert iso_duration(59) == "PT1M"
    assert iso_duration(61) == "PT2M"


def test_zone_outage_lasts_twice_the_rto_within_fis_limits() -> None:
    assert outage_seconds(_drill("zone-outage", rto=None)) == 600
    assert outage_seconds(_drill("zone-outage", rto=15)) == 600
    assert outage_seconds(_drill("zone-outage", rto=1250)) == 2520  # 2500 s rounded up to 42 minutes
    assert outage_seconds(_drill("zone-outage", rto=86400)) == 12 * 3600


def test_crash_leaves_the_planned_survivors_running() -> None:
    plan = synth_case("support-agent").plan
    primary = plan.primary_region.name
    agent = crash_agent(plan)
    assert agent is not None
    placement = agent.placement(primary)
    assert placement is not None
    n = crash_count(agent, primary)
    assert 1 <= n < placement.desired
    assert placement.desired - n == max(placement.survivors_after_zone_loss, 1)
    one = dataclasses.replace(placement, desired=1, survivors_after_zone_loss=0)
    assert crash_count(dataclasses.replace(agent, placements=(one,)), primary) == 0  # never the last task


def test_zone_outage_needs_a_second_zone_and_planned_subnets() -> None:
    assert outage_zone(synth_case("single-zone").plan.primary_region) is None
    assert outage_zone(synth_case("existing-vpc").plan.primary_region) is None
    region = synth_case("support-agent").plan.primary_region
    assert outage_zone(region) == region.zones[0]


# --- graph -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["support-agent", "support-agent@dev", "order-routing", "single-zone"])
def test_templates_exist_for_exactly_the_supported_drills(case: str) -> None:
    plan = synth_case(case).plan
    drills = {d.name for d in plan.chaos.drills}
    expected = drills & {"agent-crash"} if crash_agent(plan) else set()
    if "zone-outage" in drills and outage_zone(plan.primary_region):
        expected.add("zone-outage")
    if "store-failover" in drills and failover_stores(plan):
        expected.add("store-failover")
    built = by_drill(graph(case), plan.system)
    assert set(built) == expected
    assert set(built) <= set(SUPPORTED)
    assert all(t.inputs["region"] == plan.primary_region.name for t in built.values())
    if "region-outage" in drills:
        assert "region-outage" not in built  # no FIS action takes a Region down


def test_agent_crash_stops_tasks_of_one_service_and_leaves_the_survivors() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    primary = plan.primary_region.name
    template = by_drill(g, plan.system)["agent-crash"]
    agent = crash_agent(plan)
    assert agent is not None
    (action,) = template.inputs["actions"]
    (target,) = template.inputs["targets"]
    assert action["actionId"] == "aws:ecs:stop-task"
    assert action["target"] == {"key": "Tasks", "value": target["name"]}
    assert "parameters" not in action  # the action takes none
    assert target["resourceType"] == "aws:ecs:task"
    assert target["selectionMode"] == f"COUNT({crash_count(agent, primary)})"
    assert "resourceArns" not in target and "resourceTags" not in target
    cluster = g.named(f"{plan.system}-cluster-{primary}")
    service = g.named(f"{plan.system}-{agent.name}-service-{primary}")
    assert cluster is not None and service is not None
    assert target["parameters"]["cluster"].startswith(f"{cluster.name}-")  # the mock's physical name
    assert target["parameters"]["service"].startswith(f"{service.name}-")


def test_zone_outage_blocks_the_private_subnets_of_one_zone() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    primary = plan.primary_region
    zone = outage_zone(primary)
    template = by_drill(g, plan.system)["zone-outage"]
    (action,) = template.inputs["actions"]
    (target,) = template.inputs["targets"]
    assert action["actionId"] == "aws:network:disrupt-connectivity"
    assert action["target"] == {"key": "Subnets", "value": target["name"]}
    params = {p["key"]: p["value"] for p in action["parameters"]}
    assert params == {"duration": "PT10M", "scope": "all"}
    assert target["resourceType"] == "aws:ec2:subnet"
    assert target["selectionMode"] == "ALL"
    private = [
        s
        for s in g.of_type("aws:ec2/subnet:Subnet")
        if s.inputs["region"] == primary.name and tags(s).get("agentha:role") == "subnet-private"
    ]
    in_zone = [s for s in private if s.inputs["availabilityZone"] == zone]
    assert len(in_zone) == 1 and len(private) == len(primary.zones)
    (arn,) = target["resourceArns"]
    assert arn.startswith(f"arn:aws:ec2:{primary.name}:") and f":subnet/{in_zone[0].name}-" in arn


def test_store_failover_fails_over_the_regional_aurora_cluster() -> None:
    plan, g = failover_case()
    built = by_drill(g, plan.system)
    assert set(built) == {"agent-crash", "zone-outage", "store-failover"}
    template = built["store-failover"]
    (action,) = template.inputs["actions"]
    (target,) = template.inputs["targets"]
    assert action["actionId"] == "aws:rds:failover-db-cluster"
    assert action["target"] == {"key": "Clusters", "value": target["name"]}
    assert target["resourceType"] == "aws:rds:cluster" and target["selectionMode"] == "ALL"
    (store,) = failover_stores(plan)
    (cluster,) = [c for c in g.of_type("aws:rds/cluster:Cluster") if c.name.startswith(f"{store.resource}-")]
    (arn,) = target["resourceArns"]
    assert arn.startswith(f"arn:aws:rds:{plan.primary_region.name}:") and f":{cluster.name}-" in arn  # its ARN output
    _, policy = role_and_policy(g, template)
    (failover,) = statement_for(policy, "rds:FailoverDBCluster")
    assert failover["Resource"] == [arn]  # only this cluster
    # A longer expected RTO makes a longer outage: 2 x 900 s = 30 minutes.
    outage = by_id(built["zone-outage"])["aws:network:disrupt-connectivity"]
    assert {p["key"]: p["value"] for p in outage["parameters"]}["duration"] == "PT30M"
    assert "RPO unbounded" in template.inputs["description"]


def test_global_aurora_gets_no_failover_template() -> None:
    plan = synth_case("stores").plan
    assert any(s.engine == "aurora-postgresql" and s.replica_regions for s in plan.stores)
    assert failover_stores(plan) == ()
    assert "store-failover" not in by_drill(graph("stores"), plan.system)


@pytest.mark.parametrize("drill", ["agent-crash", "zone-outage", "store-failover"])
def test_each_role_is_trusted_by_fis_for_this_account_with_only_the_documented_actions(drill: str) -> None:
    plan, g = failover_case()
    template = by_drill(g, plan.system)[drill]
    role, policy = role_and_policy(g, template)
    (trust,) = doc(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "fis.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert list(trust["Condition"]["StringEquals"]) == ["aws:SourceAccount"]
    expected = ACTIONS[drill] | (ZONE_STORE_ACTIONS if drill == "zone-outage" else set())
    assert actions_of(policy) == expected
    assert not any("*" in a for a in actions_of(policy))
    assert role.urn in dependencies(template, "roleArn")  # the template runs as this role
    prefix = template.name.split("-experiment-")[0]
    (attached,) = [p for p in g.of_type(POLICY) if p.name.startswith(f"{prefix}-fis-policy-")]
    assert attached.urn in template.dependencies  # and only once the role holds its permissions


def test_mutating_actions_are_scoped_to_the_drilled_resources() -> None:
    plan, g = failover_case()
    built = by_drill(g, plan.system)
    primary = plan.primary_region.name
    _, crash = role_and_policy(g, built["agent-crash"])
    (stop,) = statement_for(crash, "ecs:StopTask")
    (tasks,) = stop["Resource"]
    assert tasks.startswith(f"arn:aws:ecs:{primary}:") and f":task/{plan.system}-cluster-{primary}-" in tasks
    _, outage = role_and_policy(g, built["zone-outage"])
    (swap,) = statement_for(outage, "ec2:ReplaceNetworkAclAssociation")
    subnets = [r for r in swap["Resource"] if ":subnet/" in r]
    assert len(subnets) == 1 and ":subnet/*" not in subnets[0]
    for action in ("ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"):
        (edit,) = statement_for(outage, action)
        assert edit["Condition"] == {"StringEquals": {"ec2:ResourceTag/managedByFIS": "true"}}
    created = statement_for(outage, "ec2:CreateNetworkAcl")
    assert any(s.get("Condition") == {"StringEquals": {"aws:RequestTag/managedByFIS": "true"}} for s in created)
    assert all(":vpc/*" not in r for s in created for r in s["Resource"])


def _alarm_named(g: ResourceGraph, name: str) -> CapturedResource:
    (alarm,) = [
        a
        for a in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
        if name in (a.inputs.get("name"), a.inputs.get("alarmName"))
    ]
    return alarm


def _leaves(g: ResourceGraph, name: str) -> set[str]:
    """Every alarm a (composite) alarm is built from, itself included."""
    alarm = _alarm_named(g, name)
    rule = alarm.inputs.get("alarmRule")
    if rule is None:
        return {name}
    children = re.findall(r'ALARM\("([^"]+)"\)', rule)
    return {name}.union(*(_leaves(g, c) for c in children))


@pytest.mark.parametrize("case", ["support-agent", "order-routing"])
def test_every_template_stops_on_the_slo_burn_alarm_and_on_nothing_the_drill_trips(case: str) -> None:
    plan = synth_case(case).plan
    g = graph(case)
    primary = plan.primary_region.name
    (abort,) = [
        a
        for a in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
        if a.inputs["region"] == primary and a.inputs["alarmName"].endswith(f"-slo-burn-{primary}")
    ]
    expected = f"arn:aws:cloudwatch:{primary}:123456789012:alarm:{abort.inputs['alarmName']}"
    assert g.of_type(TEMPLATE)
    for template in g.of_type(TEMPLATE):
        assert template.inputs["stopConditions"] == [{"source": "aws:cloudwatch:alarm", "value": expected}]
    leaves = _leaves(g, abort.inputs["alarmName"])
    assert not [n for n in leaves if any(s in n for s in DRILL_SYMPTOMS)]
    # The synthetic transaction (support-agent names one) fails when customers' requests would: it
    # is OR'ed in, and is not a symptom a drill trips (a zone outage leaves the region serving).
    synthetic = {n for n in leaves if n.endswith(f"-ingress-synthetic-{primary}")}
    assert len(synthetic) == (1 if plan.routing is not None and plan.routing.synthetic is not None else 0)
    for name in synthetic:
        assert f'OR ALARM("{name}")' in abort.inputs["alarmRule"]
    # Short and long window, both over the ingress load balancer's error ratio, both must burn.
    windows = [_alarm_named(g, n) for n in sorted(leaves - {abort.inputs["alarmName"]} - synthetic)]
    assert [w.inputs["name"].removesuffix(f"-{primary}").rsplit("-", 3)[1:] for w in windows] == [
        ["slo", "burn", "1h"],
        ["slo", "burn", "5m"],
    ]
    assert " AND " in abort.inputs["alarmRule"]
    periods = {q["metric"]["period"] for w in windows for q in w.inputs["metricQueries"] if "metric" in q}
    assert periods == {300, 3600}
    for w in windows:
        metrics = {q["metric"]["metricName"] for q in w.inputs["metricQueries"] if "metric" in q}
        assert metrics == {
            "HTTPCode_Target_5XX_Count",
            "HTTPCode_ELB_5XX_Count",
            "HTTPCode_ELB_503_Count",
            "RequestCount",
        }
        assert w.inputs["threshold"] == pytest.approx(14.4 * (100 - plan.observability.availability_objective))


def test_a_dead_letter_or_a_lost_zone_does_not_stop_a_drill() -> None:
    """The old stop condition, the region-health composite, ORs these: the drill stopped itself."""
    g = graph("support-agent")
    plan = synth_case("support-agent").plan
    primary = plan.primary_region.name
    (stop,) = by_drill(g, plan.system)["zone-outage"].inputs["stopConditions"]
    health = [
        a
        for a in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
        if a.inputs["region"] == primary and "region-health" in a.inputs["alarmName"]
    ]
    assert health and all(not stop["value"].endswith(h.inputs["alarmName"]) for h in health)
    symptoms = _leaves(g, health[0].inputs["alarmName"])
    assert any("dead-letters" in n for n in symptoms) and any("unhealthy-hosts" in n for n in symptoms)
    tripped = {n for n in symptoms if any(s in n for s in DRILL_SYMPTOMS)}
    assert tripped and not tripped & _leaves(g, stop["value"].split(":alarm:")[1])


def test_zone_outage_fails_over_the_stores_of_that_zone() -> None:
    plan, g = failover_case()
    primary = plan.primary_region
    zone = outage_zone(primary)
    template = by_drill(g, plan.system)["zone-outage"]
    actions = by_id(template)
    assert set(actions) == {
        "aws:network:disrupt-connectivity",
        "aws:rds:failover-db-cluster",
        "aws:elasticache:replicationgroup-interrupt-az-power",
    }
    duration = {p["key"]: p["value"] for p in actions["aws:network:disrupt-connectivity"]["parameters"]}["duration"]
    # All start together (no startAfter): the zone goes dark and its store nodes fail at once.
    assert not any(a.get("startAfters") for a in actions.values())
    # Aurora: every cluster of the region whose writer is in the drilled zone, found by its tags.
    (db,) = zone_databases(plan, primary.name)
    rds = target_named(template, actions["aws:rds:failover-db-cluster"]["target"]["value"])
    assert actions["aws:rds:failover-db-cluster"]["target"]["key"] == "Clusters"
    assert rds["resourceType"] == "aws:rds:cluster" and rds["selectionMode"] == "ALL"
    assert rds["parameters"] == {"writerAvailabilityZoneIdentifiers": zone}
    assert "resourceArns" not in rds
    (cluster,) = [c for c in g.of_type("aws:rds/cluster:Cluster") if c.name.startswith(f"{db.resource}-")]
    wanted = {t["key"]: t["value"] for t in rds["resourceTags"]}
    assert wanted.items() <= tags(cluster).items()
    assert [c for c in custom_with(g, wanted)] == [cluster]  # the tags single out this one resource
    # Valkey: power cut to the group's nodes in that zone, for as long as the network outage.
    (cache,) = zone_caches(plan, primary.name)
    power = actions["aws:elasticache:replicationgroup-interrupt-az-power"]
    assert power["target"]["key"] == "ReplicationGroups"
    assert {p["key"]: p["value"] for p in power["parameters"]} == {"duration": duration}
    ec = target_named(template, power["target"]["value"])
    assert ec["resourceType"] == "aws:elasticache:replicationgroup" and ec["selectionMode"] == "ALL"
    assert ec["parameters"] == {"availabilityZoneIdentifier": zone}
    assert "resourceArns" not in ec and "filters" not in ec  # the action supports tags only
    (group,) = [
        c
        for c in g.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
        if c.name.startswith(f"{cache.resource}-")
    ]
    wanted = {t["key"]: t["value"] for t in ec["resourceTags"]}
    assert [c for c in custom_with(g, wanted)] == [group]
    # A store whose writer is elsewhere resolves no target: skipped, not a failed experiment.
    assert template.inputs["experimentOptions"] == {
        "accountTargeting": "single-account",
        "emptyTargetResolutionMode": "skip",
    }
    # IAM: failover only of this cluster; power only on resources carrying the group's tags.
    _, policy = role_and_policy(g, template)
    (failover,) = statement_for(policy, "rds:FailoverDBCluster")
    (arn,) = failover["Resource"]
    assert arn.startswith(f"arn:aws:rds:{primary.name}:") and f":{cluster.name}-" in arn
    (interrupt,) = statement_for(policy, "elasticache:InterruptClusterAzPower")
    assert interrupt["Condition"] == {"StringEquals": {f"aws:ResourceTag/{k}": v for k, v in wanted.items()}}
    text = template.inputs["description"]
    assert f"zone {zone}" in text and "Aurora" in text and "Valkey" in text
    assert len(text) <= DESCRIPTION_LIMIT and text.rstrip(".").endswith("clients recover within the RTO")


def test_zone_outage_without_stores_keeps_one_action_and_fails_on_empty_targets() -> None:
    template = by_drill(graph("support-agent"), "support-agent")["zone-outage"]
    assert set(by_id(template)) == {"aws:network:disrupt-connectivity"}
    assert "experimentOptions" not in template.inputs


def custom_with(g: ResourceGraph, wanted: dict[str, str]) -> list[CapturedResource]:
    return [r for r in g if r.custom and wanted.items() <= tags(r).items()]


def test_descriptions_say_what_the_drill_expects_and_what_aborts_it() -> None:
    drill = _drill("zone-outage", rto=300.0)
    text = describe("sys", "us-east-1", drill, "block zone a", "the budget burns")
    assert "Expected RTO 5m" in text and "Aborts when the budget burns." in text and "Expects: " in text
    assert "No abort alarm" in describe("sys", "us-east-1", drill, "x", None)
    long = describe("sys " * 150, "us-east-1", drill, "x", "y")
    assert len(long) <= DESCRIPTION_LIMIT and long.endswith("…")  # cut between words


def test_templates_carry_the_drill_the_expectations_and_the_standard_tags() -> None:
    plan = synth_case("support-agent").plan
    g = graph("support-agent")
    drills = {d.name: d for d in plan.chaos.drills}
    for name, template in by_drill(g, plan.system).items():
        text = template.inputs["description"]
        assert f"chaos drill {name} ({plan.primary_region.name})" in text and len(text) <= 512
        assert "Expected RTO" in text and "RPO" in text
        assert (
            "Aborts when the 99.95% budget burns 14.4x too fast over 5m and 1h (5xx > 0.72%) or the synthetic fails"
            in text
        )
        assert "Expects: " in text
        assert drills[name].expected_rto_s is not None
        t = tags(template)
        assert t["agentha:system"] == plan.system and t["agentha:region"] == plan.primary_region.name
        assert t["agentha:part"] == "chaos" and t["agentha:spec-path"] == "chaos.drills"


def test_the_stack_exports_the_start_command_of_each_template() -> None:
    g = graph("support-agent")
    exported = g.exports["chaos_drills"]
    assert set(exported) == {"agent-crash", "zone-outage"}
    for command in exported.values():
        assert command.startswith("aws fis start-experiment --experiment-template-id ")
        assert command.endswith(" --region us-east-1")


def test_a_plan_without_drills_gets_no_template() -> None:
    plan = synth_case("support-agent@dev").plan
    g = _synth_plan(dataclasses.replace(plan, chaos=ChaosPlan(schedule=plan.chaos.schedule, drills=())))
    assert g.of_type(TEMPLATE) == []
    assert not [r for r in g.of_type(ROLE) if "-fis-role-" in r.name]
    assert "chaos_drills" not in g.exports


def test_description_carries_the_drills_own_hypothesis() -> None:
    # The hypothesis comes from the plan's drill (blueprints/plan/failure_modes.py), not a copy here.
    drill = dataclasses.replace(_drill("zone-outage"), expects="the zone's writers move")
    assert describe("sys", "us-east-1", drill, "block zone a", "x").endswith("Expects: the zone's writers move.")
    bare = dataclasses.replace(_drill("zone-outage"), expects="")
    assert "Expects: recovery within the RTO." in describe("sys", "us-east-1", bare, "x", "y")
