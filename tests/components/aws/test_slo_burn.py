"""SloBurn: the availability error-budget burn alarms, the drills' abort condition."""

from __future__ import annotations

import pytest

from components.aws.slo_burn import BURN_RATE, burn_rule, burn_threshold_percent
from tests.components.aws.helpers import graph, synth_case, tags


def test_the_threshold_is_the_burn_rate_times_the_error_budget() -> None:
    assert burn_threshold_percent(99.95) == pytest.approx(0.72)
    assert burn_threshold_percent(99.9) == pytest.approx(1.44)
    assert burn_threshold_percent(90.0) == 100.0  # capped: a ratio cannot exceed 100 %
    assert BURN_RATE == 14.4  # 2 % of a 30-day budget in one hour (SRE Workbook)


def test_the_rule_needs_both_windows_and_falls_back_only_without_a_load_balancer() -> None:
    assert burn_rule([("s", "l")], ["age"]) == '(ALARM("s") AND ALARM("l"))'
    assert burn_rule([], ["a", "b"]) == 'ALARM("a") OR ALARM("b")'


@pytest.mark.parametrize("case", ["support-agent", "order-routing", "support-agent@dev"])
def test_every_region_with_an_alb_ingress_has_its_burn_alarm(case: str) -> None:
    plan = synth_case(case).plan
    g = graph(case)
    composites = {
        a.inputs["region"]: a
        for a in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
        if a.inputs["alarmName"].endswith(f"-availability-slo-burn-{a.inputs['region']}")
    }
    for region in plan.regions:
        composite = composites[region.name]
        assert composite.inputs["alarmActions"] and composite.inputs["okActions"]  # it pages too
        assert tags(composite)["agentha:role"] == "alarm-slo-burn"
        windows = [
            a
            for a in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs["region"] == region.name and "-slo-burn-" in a.inputs["name"]
        ]
        assert len(windows) == 2
        for w in windows:
            assert f'ALARM("{w.inputs["name"]}")' in composite.inputs["alarmRule"]
            assert w.inputs["evaluationPeriods"] == 1 and w.inputs["treatMissingData"] == "notBreaching"
            assert w.inputs["threshold"] == pytest.approx(
                burn_threshold_percent(plan.observability.availability_objective)
            )


def test_a_region_without_an_alb_ingress_aborts_on_its_queue_age_alarms() -> None:
    """Queue workers only: work waiting longer than the spec allows is what hurts customers there."""
    from components.aws.slo_burn import SloBurn, SloBurnArgs
    from components.aws.tags import TagContext
    from stacks.capture import synthesize

    def program() -> None:
        SloBurn(
            "workers-slo-burn",
            SloBurnArgs(
                region="eu-west-1",
                tags=TagContext(system="workers"),
                topic_arn="arn:aws:sns:eu-west-1:123456789012:alerts",
                objective_percent=99.9,
                fallback_alarm_names=["workers-jobs-oldest-message-age-eu-west-1"],
            ),
        )

    g = synthesize(program, project="agentha-blueprint", stack="fallback")
    (composite,) = g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    assert composite.inputs["alarmRule"] == 'ALARM("workers-jobs-oldest-message-age-eu-west-1")'
    assert not g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")  # no load balancer, no burn windows
