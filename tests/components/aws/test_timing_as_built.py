"""The timing the plan counts is the timing the AWS components build (blueprints/plan/timing.py).

Each case synthesizes an example and reads the built resources: the "no healthy host" alarms a
private ingress fails over on, and the Route 53 health checks of a public one, must carry exactly
the settings the plan's `timing` record is computed from.
"""

from __future__ import annotations

from tests.components.aws.helpers import synth_case


def test_private_ingress_alarm_is_the_one_the_region_rto_counts() -> None:
    s = synth_case("order-routing@prod")
    plan = s.plan
    assert plan.timing is not None and plan.routing is not None
    assert plan.timing.region_detection.mechanism == "route53-alarm"
    want = plan.observability.alarms.no_healthy_host
    assert want is not None
    alarms = [
        r for r in s.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-no-healthy-hosts-" in r.inputs["name"]
    ]
    assert len(alarms) == 4  # blue and green target groups, in each of two regions
    for alarm in alarms:
        i = alarm.inputs
        assert i["metricName"] == want.metric
        assert (i["period"], i["evaluationPeriods"], i["datapointsToAlarm"]) == (
            want.period_s,
            want.evaluation_periods,
            want.datapoints,
        )
    # the detection step is the load balancer check + this alarm's window + the metric delay
    window = next(t for t in plan.timing.region_detection.terms if t.label.startswith("alarm "))
    assert window.value == want.period_s * want.evaluation_periods
    groups = s.graph.of_type("aws:lb/targetGroup:TargetGroup")
    ingress = plan.agent(plan.routing.agent).lb_health_check
    assert ingress is not None
    router_groups = [g for g in groups if g.name.startswith(f"{plan.system}-{plan.routing.agent}-")]
    assert router_groups
    for g in router_groups:
        hc = g.inputs["healthCheck"]
        assert (hc["interval"], hc["unhealthyThreshold"]) == (ingress.period_s, ingress.failure_threshold)


def test_public_ingress_route53_check_is_the_one_the_region_rto_counts() -> None:
    s = synth_case("support-agent@prod")
    plan = s.plan
    assert plan.timing is not None and plan.routing is not None
    det = plan.timing.region_detection
    assert det.mechanism == "route53-https"
    checks = [c for c in s.graph.of_type("aws:route53/healthCheck:HealthCheck") if c.inputs["type"] == "HTTPS"]
    assert checks
    for check in checks:
        i = check.inputs
        assert (i["requestInterval"], i["failureThreshold"]) == (
            plan.routing.interval_s,
            plan.routing.failure_threshold,
        )
        assert det.seconds == i["requestInterval"] * i["failureThreshold"]


def test_alias_records_have_no_ttl_of_their_own() -> None:
    # The switch counts the load balancer's fixed 60 s alias TTL; a `ttl` on the record would be
    # rejected next to `aliases`, and failover.dns_ttl must not pretend to set one.
    s = synth_case("order-routing@prod")
    assert s.plan.routing is not None and s.plan.routing.ttl_s == 60
    for record in s.graph.of_type("aws:route53/record:Record"):
        if "-ingress-record-" in record.name:
            assert "ttl" not in record.inputs and record.inputs["aliases"]


def test_pilot_light_activation_alarms_are_the_ones_the_scale_out_step_counts() -> None:
    s = synth_case("support-agent@staging")  # pilot-light standby
    plan = s.plan
    want = plan.observability.alarms.standby_activation
    assert want is not None and plan.timing is not None and plan.timing.standby_start is not None
    alarms = [
        r for r in s.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-activate-on-" in r.inputs["name"]
    ]
    assert alarms  # on requests (503 while no task) and on each consumed queue's waiting messages
    for alarm in alarms:
        i = alarm.inputs
        assert (i["evaluationPeriods"], i["datapointsToAlarm"]) == (want.evaluation_periods, want.datapoints)
        periods = (
            [i["period"]] if "period" in i else [q["metric"]["period"] for q in i["metricQueries"] if "metric" in q]
        )
        assert periods and set(periods) == {want.period_s}
    window = next(t for t in plan.timing.standby_start.terms if t.label.startswith("activation alarm"))
    assert window.value == want.period_s * want.evaluation_periods
    assert "autoscaling-reaction" not in {t.figure for t in plan.timing.standby_start.terms}


def test_the_synthetic_alarm_the_region_rto_counts_is_the_one_route53_reads() -> None:
    # order-routing (private ingress) with a one-minute synthetic failing over after one failed run:
    # 60 s + 15 s timeout + metric delay, faster than the 'no healthy host' path, so it decides.
    s = synth_case("private-synthetic")
    plan = s.plan
    assert plan.timing is not None and plan.routing is not None and plan.routing.synthetic is not None
    det = plan.timing.region_detection
    assert det.mechanism == "route53-synthetic"
    syn = plan.routing.synthetic
    alarms = {a.inputs["name"]: a for a in s.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    canaries = {c.inputs["region"]: c for c in s.graph.of_type("aws:synthetics/canary:Canary")}
    checks = s.graph.of_type("aws:route53/healthCheck:HealthCheck")
    read = {c.inputs["cloudwatchAlarmName"] for c in checks if c.inputs["type"] == "CLOUDWATCH_METRIC"}
    for region in syn.regions:
        (name,) = [n for n in read if n.endswith(f"-ingress-synthetic-{region}")]
        built = alarms[name].inputs
        window = built["period"] * built["evaluationPeriods"]
        timeout = canaries[region].inputs["runConfig"]["timeoutInSeconds"]
        assert det.terms[0].value == window and det.terms[1].value == timeout
        assert det.seconds == window + timeout + det.terms[2].value
        assert canaries[region].inputs["schedule"]["expression"] == f"rate({built['period'] // 60:g} minute)"


def test_the_region_switch_steps_the_plan_counts_are_the_built_failover_workflow() -> None:
    # plan's timing.switch_plan: the trigger (automatic), then one timed step per built step of
    # the failover workflow (activate the standby), in the same order.
    for case, standby in (
        ("stores", "us-west-2"),
        ("stores-manual", "us-west-2"),
        ("support-agent@staging", "us-west-2"),
    ):
        s = synth_case(case)
        timing = s.plan.timing
        assert timing is not None and timing.switch_plan
        (plan,) = s.graph.of_type("aws:arcregionswitch/plan:Plan")
        workflow = next(
            w
            for w in plan.inputs["workflows"]
            if (w["workflowTargetAction"], w["workflowTargetRegion"]) == ("activate", standby)
        )
        triggered = bool(plan.inputs.get("triggers"))
        counted = [st.mechanism for st in timing.switch_plan]
        assert (counted[0] == "region-switch-trigger") == triggered, case
        assert len(counted) == len(workflow["steps"]) + triggered, case
        built_kinds = [
            {i["executionBlockType"] for i in step.get("parallelConfigs", [{}])[0].get("steps", [step])}
            for step in workflow["steps"]
        ]
        for kinds, mechanism in zip(built_kinds, counted[triggered:], strict=True):
            if mechanism == "region-switch-ecs":
                assert kinds == {"ECSServiceScaling"}, case
            elif mechanism == "region-switch-approval":
                assert kinds == {"ManualApproval"}, case
            elif mechanism == "region-switch-route53":
                assert kinds == {"Route53HealthCheck"}, case
            else:
                assert kinds <= {"AuroraGlobalDatabase", "ManualApproval"}, case


def test_a_promoted_store_counts_the_plan_steps_before_it() -> None:
    s = synth_case("stores")
    timing = s.plan.timing
    assert timing is not None
    promote = {st.label: st for st in timing.store_promotion}
    aurora = promote["promote store sessions (Region switch plan)"]
    trigger, scale = timing.switch_plan[0], timing.switch_plan[1]
    assert trigger.mechanism == "region-switch-trigger" and scale.mechanism == "region-switch-ecs"
    assert aurora.seconds == trigger.seconds + scale.seconds + 300  # aurora-global-promotion
    # no operator response in automatic mode: the trigger starts the plan
    assert not any("manual_response" in t.label for t in aurora.terms)
