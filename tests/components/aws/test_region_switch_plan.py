"""The ARC Region switch plans and the Resilience Hub policy the AWS topology builds.

Cases cover each multi-region pattern × standby temperature × store engine the examples hold:
active-passive warm (support-agent, DynamoDB), hot, pilot light (support-agent staging),
active-active (order-routing, DynamoDB, private ingress), and warm with an Aurora global database
and a Valkey global datastore, automatic and manual.
"""

from __future__ import annotations

import json

import pytest

from blueprints.plan.region_switch import region_switch_plans
from tests.components.aws.helpers import CASES, spec_path, synth_case

PLAN = "aws:arcregionswitch/plan:Plan"
MULTI = ["support-agent", "hot", "support-agent@staging", "order-routing", "stores", "stores-manual"]


def plans(case: str) -> dict[str, dict]:
    return {r.inputs["name"]: r.inputs for r in synth_case(case).graph.of_type(PLAN)}


def flat(step: dict) -> list[tuple[str, str]]:
    """A built step as (name, block type) pairs, a Parallel step as its inner blocks."""
    if step["executionBlockType"] == "Parallel":
        return [(s["name"], s["executionBlockType"]) for s in step["parallelConfigs"][0]["steps"]]
    return [(step["name"], step["executionBlockType"])]


@pytest.mark.parametrize("case", MULTI)
def test_the_built_workflows_are_the_planned_steps_in_order(case: str) -> None:
    s = synth_case(case)
    planned = region_switch_plans(s.plan)
    built = plans(case)
    assert sorted(built) == sorted(p.name for p in planned) and planned
    for p in planned:
        got = built[p.name]
        assert got["regions"] == list(p.regions)
        assert got["recoveryApproach"] == p.approach
        workflows = {(w["workflowTargetAction"], w.get("workflowTargetRegion")): w for w in got["workflows"]}
        assert set(workflows) == {(w.action, w.region) for w in p.workflows}
        for w in p.workflows:
            steps = workflows[(w.action, w.region)]["steps"]
            assert [flat(step) for step in steps] == [[(b.name, b.kind) for b in group] for group in w.steps]


@pytest.mark.parametrize("case", MULTI)
def test_compute_scales_in_both_regions_before_any_store_moves(case: str) -> None:
    s = synth_case(case)
    for plan in plans(case).values():
        for w in plan["workflows"]:
            kinds = [k for step in w["steps"] for _, k in flat(step)]
            scaled = [n for step in w["steps"] for n, k in flat(step) if k == "ECSServiceScaling"]
            assert sorted(scaled) == sorted(f"scale-{a.name}" for a in s.plan.agents)
            first_store = next((i for i, k in enumerate(kinds) if k == "AuroraGlobalDatabase"), len(kinds))
            assert max(i for i, k in enumerate(kinds) if k == "ECSServiceScaling") < first_store
            for step in w["steps"]:
                for inner in step.get("parallelConfigs", [{}])[0].get("steps", [step]):
                    for config in inner.get("ecsCapacityIncreaseConfigs", []):
                        assert config["targetPercent"] == 100
                        regions = sorted(svc["serviceArn"].split(":")[3] for svc in config["services"])
                        assert regions == sorted(plan["regions"])  # one service per region of the plan


@pytest.mark.parametrize("case", MULTI)
def test_the_plan_rto_is_the_region_objective_in_whole_minutes(case: str) -> None:
    s = synth_case(case)
    objective = next(e.objective for e in s.plan.estimates if e.kind == "rto" and e.disruption == "region")
    assert objective is not None
    for plan in plans(case).values():
        assert plan["recoveryTimeObjectiveMinutes"] * 60 >= objective > (plan["recoveryTimeObjectiveMinutes"] - 1) * 60


def test_an_aurora_global_database_fails_over_in_its_own_block() -> None:
    plan = next(iter(plans("stores").values()))
    blocks = [
        inner
        for w in plan["workflows"]
        for step in w["steps"]
        for inner in step.get("parallelConfigs", [{}])[0].get("steps", [step])
        if inner["executionBlockType"] == "AuroraGlobalDatabase"
    ]
    assert len(blocks) == 2  # one per workflow (failover and failback)
    for b in blocks:
        config = b["globalAuroraConfigs"][0]
        assert config["behavior"] == "failover" and config["ungracefuls"] == [{"ungraceful": "failover"}]
        assert config["globalClusterIdentifier"].startswith("support-agent-sessions-global")
        assert sorted(a.split(":")[3] for a in config["databaseClusterArns"]) == ["us-east-1", "us-west-2"]


def test_a_valkey_global_datastore_waits_for_someone_to_run_its_failover_command() -> None:
    plan = next(iter(plans("stores").values()))
    for w in plan["workflows"]:
        target = w["workflowTargetRegion"]
        steps = [i for step in w["steps"] for i in step.get("parallelConfigs", [{}])[0].get("steps", [step])]
        cache = next(s for s in steps if s["name"] == "promote-hot-cache")
        assert cache["executionBlockType"] == "ManualApproval"
        assert f"failover-global-replication-group --region {target}" in cache["description"]
        assert f"--primary-region {target} " in cache["description"]
        assert cache["executionApprovalConfigs"][0]["approvalRole"].endswith("-approver")


@pytest.mark.parametrize("case", ["support-agent", "order-routing", "stores"])
def test_automatic_failover_triggers_on_the_slo_burn_alarm(case: str) -> None:
    s = synth_case(case)
    # the region's SLO burn composite (the mocks' ARN carries its logical name)
    burn = {
        r.inputs["region"]: r.name
        for r in s.graph.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
        if "slo-burn" in r.name
    }
    for plan in plans(case).values():
        alarms = {a["mapBlockKey"]: a for a in plan["associatedAlarms"]}
        assert {a["alarmType"] for a in alarms.values()} == {"trigger", "applicationHealth"}
        for region in plan["regions"]:
            assert burn[region] in alarms[f"health-{region}"]["resourceIdentifier"]
        triggers = plan["triggers"]
        assert triggers
        for t in triggers:
            cond = t["conditions"][0]
            assert cond["condition"] == "red" and cond["associatedAlarmName"] in alarms
        if plan["recoveryApproach"] == "activePassive":
            assert [(t["action"], t["targetRegion"]) for t in triggers] == [("activate", "us-west-2")]
            assert burn["us-east-1"] in alarms["trigger-us-east-1"]["resourceIdentifier"]
        else:
            assert sorted(t["action"] for t in triggers) == ["deactivate", "deactivate"]


def test_manual_failover_has_no_trigger_and_asks_for_approval_first() -> None:
    plan = next(iter(plans("stores-manual").values()))
    assert "triggers" not in plan
    for w in plan["workflows"]:
        assert flat(w["steps"][0]) == [("approve-failover", "ManualApproval")]


def test_single_region_stacks_get_no_plan() -> None:
    assert not synth_case("support-agent@dev").graph.of_type(PLAN)


def _policy(case: str, suffix: str) -> dict:
    g = synth_case(case).graph
    policy = next(r for r in g.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith(suffix))
    return json.loads(policy.inputs["policy"])


def test_the_execution_role_holds_only_the_documented_actions_of_the_blocks_used() -> None:
    doc = _policy("stores", "-execution-policy")
    actions = {a for st in doc["Statement"] for a in st["Action"]}
    assert actions == {
        "iam:SimulatePrincipalPolicy",
        "arc-region-switch:GetPlan",
        "arc-region-switch:GetPlanExecution",
        "arc-region-switch:ListPlanExecutions",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:GetMetricStatistics",
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "ecs:DescribeClusters",
        "ecs:ListServices",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:RegisterScalableTarget",
        "rds:DescribeGlobalClusters",
        "rds:DescribeDBClusters",
        "rds:FailoverGlobalCluster",
        "rds:SwitchoverGlobalCluster",
        "route53:ListResourceRecordSets",
        "s3:PutObject",
        "kms:GenerateDataKey",
        "kms:Encrypt",
    }
    by_sid = {st["Sid"]: st for st in doc["Statement"]}
    # the Route 53 block reads the ingress zone's records, nothing else
    zone = next(iter(plans("stores").values()))["workflows"][0]["steps"][-1]["route53HealthCheckConfigs"][0]
    assert by_sid["ReadRecords"]["Resource"] == [f"arn:aws:route53:::hostedzone/{zone['hostedZoneId']}"]
    # what changes anything is scoped to this stack's resources
    assert all(":service/" in r or ":ecs:" in r for r in by_sid["ScaleServices"]["Resource"])
    assert "*" not in by_sid["ScaleServices"]["Resource"] and "*" not in by_sid["PromoteDatabases"]["Resource"]
    assert len(by_sid["PromoteDatabases"]["Resource"]) == 3  # the global cluster and its two clusters
    assert by_sid["ReadPlan"]["Resource"] == [
        "arn:aws:arc-region-switch::123456789012:plan/support-agent-switch-usw2:*"
    ]
    # a DynamoDB-only stack asks for no RDS action
    assert not any(
        a.startswith("rds:") for st in _policy("support-agent", "-execution-policy")["Statement"] for a in st["Action"]
    )


def test_the_execution_role_is_assumed_by_region_switch_for_this_account_only() -> None:
    g = synth_case("support-agent").graph
    role = next(r for r in g.of_type("aws:iam/role:Role") if r.name.endswith("-execution-role"))
    statement = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert statement["Principal"] == {"Service": "arc-region-switch.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_the_stack_exports_the_plan_arn_and_its_start_commands() -> None:
    s = synth_case("support-agent")
    exports = s.graph.exports
    switch = exports["region_switch"]["support-agent-switch-usw2"]
    assert switch["plan_arn"]
    start = switch["start"]
    assert set(start) == {"activate-us-west-2", "activate-us-east-1"}
    assert start["activate-us-west-2"].startswith("aws arc-region-switch start-plan-execution --region us-west-2 ")
    assert "--target-region us-west-2 --action activate" in start["activate-us-west-2"]
    hub = exports["resilience_hub"]
    assert hub["policy_arn"] and hub["assess"][0].startswith("aws resiliencehub create-app --region us-east-1 ")
    assert hub["assess"][-1].startswith("aws resiliencehub start-app-assessment --region us-east-1 ")


def test_the_resiliency_policy_carries_the_objectives() -> None:
    s = synth_case("support-agent")
    policy = s.graph.of_type("aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy")
    assert len(policy) == 1
    p = policy[0].inputs
    assert p["tier"] == "Critical"  # 99.95 %
    want = {
        (e.disruption, e.kind): e.objective
        for e in s.plan.estimates
        if e.kind in ("rto", "rpo") and e.objective is not None
    }
    got = p["policy"]
    for key, disruption in (("az", "zone"), ("hardware", "zone"), ("software", "application"), ("region", "region")):
        assert got[key]["rto"] == f"{round(want[(disruption, 'rto')])}s"
        assert got[key]["rpo"] == f"{round(want[(disruption, 'rpo')])}s"
    groups = s.graph.of_type("aws:resourcegroups/group:Group")
    assert sorted(g.inputs["region"] for g in groups) == ["us-east-1", "us-west-2"]
    query = json.loads(groups[0].inputs["resourceQuery"]["query"])
    assert query["TagFilters"] == [{"Key": "agentha:system", "Values": ["support-agent"]}]


def test_an_active_active_plan_has_one_activate_and_one_deactivate_workflow_for_either_region() -> None:
    s = synth_case("order-routing")
    (plan,) = plans("order-routing").values()
    assert sorted(w["workflowTargetAction"] for w in plan["workflows"]) == ["activate", "deactivate"]
    assert all("workflowTargetRegion" not in w for w in plan["workflows"])
    assert "primaryRegion" not in plan
    start = s.graph.exports["region_switch"]["order-routing-switch-euc1"]["start"]
    assert set(start) == {f"{a}-{r}" for a in ("activate", "deactivate") for r in ("eu-west-1", "eu-central-1")}
    # taking a region out is started from the other (healthy) region's endpoint
    assert start["deactivate-eu-west-1"].startswith("aws arc-region-switch start-plan-execution --region eu-central-1 ")
    assert start["activate-eu-west-1"].startswith("aws arc-region-switch start-plan-execution --region eu-west-1 ")


# --- routing the plan switches (Route 53 health check block) ------------------------------------

CHECK = "aws:route53/healthCheck:HealthCheck"


def _leaves(case: str) -> tuple[dict[str, dict], dict[str, str]]:
    """Every health check by its id (the mocks' `<name>-<hash>`, which records carry), and each
    ingress record's region -> its health check id ("" for none)."""
    from stacks.capture import _short_hash

    g = synth_case(case).graph
    by_id = {f"{c.name}-{_short_hash(c.type + c.name)}": c.inputs for c in g.of_type(CHECK)}
    records = {
        rec.name.rsplit("-record-", 1)[1]: rec.inputs.get("healthCheckId", "")
        for rec in g.of_type("aws:route53/record:Record")
        if "-ingress-record-" in rec.name
    }
    return by_id, records


def _vended(case: str) -> dict[str, set[str]]:
    """region -> the ids the mocks' ListRoute53HealthChecks gives for it, over every plan."""
    from stacks.capture import _short_hash

    out: dict[str, set[str]] = {}
    for p in synth_case(case).graph.of_type(PLAN):
        arn = f"arn:aws:arc-region-switch::123456789012:plan/{p.inputs['name']}:{_short_hash(p.inputs['name'])[:6]}"
        routing = synth_case(case).plan.routing
        assert routing is not None
        record = routing.domain
        for region in p.inputs["regions"]:
            out.setdefault(region, set()).add(f"rs-{_short_hash(arn + record + region)}")
    return out


def healthy(check_id: str, checks: dict[str, dict], state: dict[str, bool]) -> bool:
    """Route 53's status of a check: a leaf's from `state`, a CALCULATED one's from its children
    (healthy when at least `childHealthThreshold` of them are)."""
    c = checks.get(check_id)
    if c is None or c["type"] != "CALCULATED":
        return state[check_id]
    return sum(healthy(k, checks, state) for k in c["childHealthchecks"]) >= c["childHealthThreshold"]


def leaves(check_id: str, checks: dict[str, dict]) -> set[str]:
    c = checks.get(check_id)
    if c is None or c["type"] != "CALCULATED":
        return {check_id}
    return {leaf for k in c["childHealthchecks"] for leaf in leaves(k, checks)}


@pytest.mark.parametrize("case", MULTI)
def test_every_workflow_moves_traffic_last_on_the_ingress_records(case: str) -> None:
    s = synth_case(case)
    routing = s.plan.routing
    assert routing is not None
    zone = {r.inputs["zoneId"] for r in s.graph.of_type("aws:route53/record:Record") if "-ingress-record-" in r.name}
    idents = {rec.region: rec.set_identifier for rec in routing.records}
    configs = []
    for plan in plans(case).values():
        for w in plan["workflows"]:
            last = w["steps"][-1]
            assert flat(last) == [("route-traffic", "Route53HealthCheck")]
            assert all(k != "Route53HealthCheck" for step in w["steps"][:-1] for _, k in flat(step))
            config = last["route53HealthCheckConfigs"][0]
            assert {config["hostedZoneId"]} == zone and config["recordName"] == routing.domain
            assert {r["region"]: r["recordSetIdentifier"] for r in config["recordSets"]} == {
                r: idents[r] for r in plan["regions"]
            }
            configs.append(config)
    # "provide the same configuration values for all health check execution blocks that use the same DNS records"
    assert all(c == configs[0] for c in configs if c["recordSets"] == configs[0]["recordSets"])


@pytest.mark.parametrize("case", ["support-agent", "hot", "stores", "stores-manual", "support-agent@staging"])
def test_active_passive_dns_follows_both_its_health_checks_and_the_plan(case: str) -> None:
    """The PRIMARY record needs the endpoint's checks and the plan's vended check; the SECONDARY only
    its own. Route 53's failover answer under each situation, computed from the built checks."""
    checks, records = _leaves(case)
    vended = _vended(case)
    routing = synth_case(case).plan.routing
    assert routing is not None
    primary, standby = routing.records
    p_leaves = leaves(records[primary.region], checks)
    assert vended[primary.region] <= p_leaves  # the plan can take the primary out
    s_leaves = leaves(records[standby.region], checks) if records[standby.region] else set()
    assert not (s_leaves & set().union(*vended.values()))  # the standby is never gated (see region_switch.py)

    def answer(endpoints_up: dict[str, bool], plan_active: str) -> str:
        state = {leaf: endpoints_up[primary.region] for leaf in p_leaves}
        state |= {leaf: endpoints_up[standby.region] for leaf in s_leaves}
        # STOP pattern: the activated region's vended check healthy, the other's unhealthy
        state |= {v: plan_active == r for r, ids in vended.items() for v in ids}
        p_ok = healthy(records[primary.region], checks, state)
        s_ok = healthy(records[standby.region], checks, state) if records[standby.region] else True
        if p_ok or not s_ok:  # both unhealthy: Route 53 answers with the primary
            return primary.region
        return standby.region

    up = {primary.region: True, standby.region: True}
    assert answer(up, primary.region) == primary.region  # steady state
    # the primary's endpoint fails and no plan ran yet: DNS fails over by itself, as before
    assert answer({**up, primary.region: False}, primary.region) == standby.region
    # a practice run (or graceful switch) while both serve: the plan moves the traffic
    assert answer(up, standby.region) == standby.region
    # after a failover the primary recovers: traffic stays until the failback workflow runs
    assert answer(up, standby.region) == standby.region and answer(up, primary.region) == primary.region


@pytest.mark.parametrize("case", ["order-routing", "private-synthetic", "strong"])
def test_active_active_takes_a_region_out_on_its_health_or_the_plan(case: str) -> None:
    checks, records = _leaves(case)
    vended = _vended(case)
    regions = sorted(records)
    for region in regions:
        assert vended[region] <= leaves(records[region], checks)
    for region in regions:
        ours = {leaf for leaf in leaves(records[region], checks) if leaf not in set().union(*vended.values())}
        # steady state: blue/green's idle group has no healthy host (its alarm treats missing data as breaching)
        idle = {leaf for leaf in ours if "-alarm-check-2-" in leaf}
        base = {leaf: leaf not in idle for r in regions for leaf in leaves(records[r], checks)}
        assert healthy(records[region], checks, base)
        # the plan deactivates it: out, whatever its endpoint says
        assert not healthy(records[region], checks, base | {v: False for v in vended[region]})
        # its endpoint fails (every target group, synthetic too): out without any plan
        assert not healthy(records[region], checks, base | dict.fromkeys(ours, False))
        # another region's deactivation leaves it in
        others = {v for r in regions if r != region for v in vended[r] if v not in vended[region]}
        assert healthy(records[region], checks, base | dict.fromkeys(others, False))
        if idle:
            # The known limit (failover_routing.py): while a deploy runs both groups, one threshold over
            # every leaf lets both groups outvote the plan's check; the deactivation lands after the switch.
            deploy = base | dict.fromkeys(idle, True)
            assert healthy(records[region], checks, deploy | {v: False for v in vended[region]})


def test_more_than_two_regions_get_one_plan_per_pair_with_the_primary() -> None:
    """A plan has exactly two regions and a child plan must have its parent's regions (ARC guide,
    "Create child plans"), so a third region cannot join through a parent plan: pairs it is."""
    s = synth_case("strong")
    built = plans("strong")
    primary = s.plan.primary_region.name
    assert len(s.plan.regions) == 3 and len(built) == 2
    assert all(len(p["regions"]) == 2 and p["regions"][0] == primary for p in built.values())
    assert {p["regions"][1] for p in built.values()} == {r.name for r in s.plan.regions} - {primary}
    # the primary's record needs both plans' checks: either plan can take it out
    checks, records = _leaves("strong")
    assert len(_vended("strong")[primary]) == 2 and _vended("strong")[primary] <= leaves(records[primary], checks)


# --- what is automatic and what waits for a person: the plan and the built plan agree -------------


def _by_hand_before(workflow: dict, store: str) -> bool:
    """Whether the built failover workflow waits for a person (a ManualApproval) at or before the
    step that makes `store` writable in the target region."""
    for step in workflow["steps"]:
        blocks = flat(step)
        mine = any(name == f"promote-{store}" for name, _ in blocks)
        if mine:
            return dict(blocks)[f"promote-{store}"] == "ManualApproval" or any(
                k == "ManualApproval" for n, k in blocks if n == "approve-failover"
            )
        if any(k == "ManualApproval" for _, k in blocks):
            return True
    raise AssertionError(f"no step promotes {store}")


@pytest.mark.parametrize("case", ["stores", "stores-manual", "aurora", "aurora-manual", "claims-aws"])
def test_a_store_promoted_by_hand_counts_the_hand_in_the_region_rto(case: str) -> None:
    """Automatic DNS failover buys nothing for writes while a store waits for someone: wherever the
    built plan's failover workflow holds a manual approval before a store is writable, the region RTO
    counts the operator response for it (failover.manual_response), and nowhere else."""
    from blueprints.spec.loader import load_spec

    s = synth_case(case)
    spec = load_spec(spec_path(case), CASES[case][1]).spec
    operator = spec.topology.failover.manual_response.total_seconds()
    timing = s.plan.timing
    assert timing is not None
    rsp = region_switch_plans(s.plan)[0]
    built = plans(case)[rsp.name]
    workflow = next(
        w
        for w in built["workflows"]
        if (w["workflowTargetAction"], w.get("workflowTargetRegion")) == (rsp.failover.action, rsp.failover.region)
    )
    rto = next(e for e in s.plan.estimates if e.kind == "rto" and e.disruption == "region")
    assert rto.value is not None
    promoted = {(st.part or "").removeprefix("store:"): st for st in timing.store_promotion}
    assert promoted  # every case holds a store the plan promotes
    for store, step in promoted.items():
        by_hand = _by_hand_before(workflow, store)
        counted = timing.manual_response_s is not None or any("manual_response" in t.label for t in step.terms)
        assert by_hand == counted, (store, by_hand, counted)
        own = step.seconds + (timing.manual_response_s or 0.0)
        assert rto.value >= timing.region_detection.seconds + own  # the region waits for its slowest store
        if by_hand:
            assert own >= operator  # not the automatic figure
    # the trigger exists exactly when nothing waits for a person before the first step
    assert bool(built.get("triggers")) == (timing.manual_response_s is None)


def test_hand_promoted_aurora_costs_the_operator_response_over_the_automatic_plan() -> None:
    auto = next(e for e in synth_case("aurora").plan.estimates if e.kind == "rto" and e.disruption == "region")
    manual = next(e for e in synth_case("aurora-manual").plan.estimates if e.kind == "rto" and e.disruption == "region")
    assert auto.value is not None and manual.value is not None
    plan = synth_case("aurora-manual").plan
    assert plan.timing is not None and plan.timing.manual_response_s is not None
    # manual: detection + operator + max(DNS, scale + Aurora); automatic: detection + max(DNS, trigger + ...)
    assert "operator response" in manual.formula and "operator response" not in auto.formula
    assert manual.value - auto.value >= plan.timing.manual_response_s - 300  # the trigger's 5 min it replaces


# --- execution reports -------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["support-agent", "order-routing", "stores"])
def test_every_execution_report_lands_in_an_encrypted_bucket_only_the_plan_writes(case: str) -> None:
    s = synth_case(case)
    g = s.graph
    for name, plan in plans(case).items():
        (config,) = plan["reportConfigurations"][0]["reportOutputs"][0]["s3Configurations"]
        assert config["bucketOwner"] == "123456789012"
        bucket = next(b for b in g.of_type("aws:s3/bucket:Bucket") if b.name == f"{name}-reports")
        # in the region the failover activates: Region switch runs that execution there
        assert bucket.inputs["region"] == plan["regions"][1] and bucket.inputs["forceDestroy"] is False
        assert bucket.inputs["bucketPrefix"].startswith(f"{name}-rep")
        assert config["bucketPath"].startswith(f"{name}-reports-") and config["bucketPath"].endswith("/reports")

        def one(typ: str, suffix: str, name: str = name) -> dict:
            return next(r.inputs for r in g.of_type(typ) if r.name == f"{name}-reports-{suffix}")

        sse = one(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption"
        )["rules"][0]
        assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        key = sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        assert plan["regions"][1] in key  # the region's own customer managed key
        assert one("aws:s3/bucketVersioning:BucketVersioning", "versioning")["versioningConfiguration"] == {
            "status": "Enabled"
        }
        block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access")
        assert all(
            block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        assert one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership")["rule"] == {
            "objectOwnership": "BucketOwnerEnforced"
        }
        (deny,) = json.loads(one("aws:s3/bucketPolicy:BucketPolicy", "policy")["policy"])["Statement"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        statements = {st["Sid"]: st for st in _policy(case, f"{name}-execution-policy")["Statement"]}
        assert statements["WriteReports"]["Action"] == ["s3:PutObject"]
        assert len(statements["WriteReports"]["Resource"]) == 1
        assert statements["WriteReports"]["Resource"][0].endswith("/reports/*")
        assert statements["EncryptReports"]["Resource"] == [key]
        assert statements["EncryptReports"]["Condition"] == {
            "StringEquals": {"kms:ViaService": f"s3.{plan['regions'][1]}.amazonaws.com"}
        }
