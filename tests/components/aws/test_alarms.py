"""The load balancer's error ratio: a total outage reads 100 %, not "no data"."""

from __future__ import annotations

import pytest

from components.aws.alarms import ERROR_RATIO_EXPRESSION
from tests.components.aws.helpers import graph


def _rate(target5xx: float | None, elb5xx: float | None, elb503: float | None, requests: float | None) -> float | None:
    """ERROR_RATIO_EXPRESSION evaluated for one period the way CloudWatch does (FILL(x, 0) turns a
    missing datapoint into 0; a division by zero yields no datapoint)."""
    values = {"target5xx": target5xx, "elb5xx": elb5xx, "elb503": elb503, "requests": requests}
    filled = {k: 0.0 if v is None else v for k, v in values.items()}
    denominator = filled["requests"] + filled["elb503"]
    if denominator == 0:
        return None
    return 100 * (filled["target5xx"] + filled["elb5xx"]) / denominator


def test_the_expression_counts_the_load_balancers_own_refusals_in_the_denominator() -> None:
    # The old expression divided by RequestCount alone, which has no datapoint when no target is left.
    assert ERROR_RATIO_EXPRESSION == (
        "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb503, 0))"
    )
    assert _rate(None, 120, 120, None) == 100  # every task gone: the ALB answers 503 itself
    assert _rate(5, None, None, 100) == 5
    assert _rate(0, 10, None, 100) == 10  # 502/504 reached a target: already in RequestCount
    assert _rate(None, None, None, None) is None  # no traffic at all: nobody was refused


@pytest.mark.parametrize("case", ["support-agent", "order-routing"])
def test_the_5xx_alarm_sees_a_total_outage(case: str) -> None:
    g = graph(case)
    alarms = [a for a in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-5xx-rate-" in a.inputs["name"]]
    assert alarms
    for alarm in alarms:
        queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
        assert queries["rate"]["expression"] == ERROR_RATIO_EXPRESSION and queries["rate"]["returnData"] is True
        metrics = {i: q["metric"]["metricName"] for i, q in queries.items() if "metric" in q}
        assert metrics == {
            "target5xx": "HTTPCode_Target_5XX_Count",
            "elb5xx": "HTTPCode_ELB_5XX_Count",
            "elb503": "HTTPCode_ELB_503_Count",
            "requests": "RequestCount",
        }
        assert all(q["metric"]["stat"] == "Sum" for q in queries.values() if "metric" in q)
        # With no request and no refusal there is no datapoint: that is no traffic, not an outage, and
        # must not page or roll back a deployment; a total outage has datapoints (the 503s).
        assert alarm.inputs["treatMissingData"] == "notBreaching"
