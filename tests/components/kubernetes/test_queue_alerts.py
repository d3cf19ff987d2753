"""QueueOldestMessageAgeHigh pages on old messages, not on a fresh message in a quiet queue.

RabbitMQ exports no message age for quorum queues, so the alert estimates it as backlog ÷ ack rate.
On a queue with no acks in the last five minutes that estimate divides by ~0 and calls one message that
arrived a minute ago older than any threshold. A message older than the threshold can only exist if the
queue held messages for the whole threshold, so the alert requires that as well.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.components.kubernetes.support import case

promql_parser = pytest.importorskip("promql_parser", reason="promql-parser is not installed")

EXAMPLE = "example:research-agent"


def age_alert() -> dict:
    from tests.components.kubernetes.support import index

    (rule,) = index(case(EXAMPLE)).of("PrometheusRule")
    return next(r for g in rule["spec"]["groups"] for r in g["rules"] if r.get("alert") == "QueueOldestMessageAgeHigh")


def test_the_estimate_is_guarded_by_a_backlog_that_lasted_the_whole_threshold():
    expr = promql_parser.parse(age_alert()["expr"])
    assert str(expr.op) == "and"
    estimate, guard = expr.lhs.expr, expr.rhs.expr
    assert str(estimate.op) == ">" and "clamp_min" in estimate.lhs.prettify()
    assert str(guard.op) == ">" and guard.rhs.prettify() == "0"
    call = guard.lhs
    assert call.func.name == "min_over_time"
    (subquery,) = call.args
    # The backlog the estimate divides, held non-zero over the whole threshold (30m in the example).
    assert subquery.range >= timedelta(seconds=1800) and subquery.step == timedelta(minutes=1)
    assert subquery.expr.prettify() == estimate.lhs.lhs.prettify()
    assert "rabbitmq_detailed_queue_messages_ready" in subquery.expr.prettify()


def evaluate(backlog: list[float], acks_per_s: float, threshold_s: float) -> bool:
    """The alert's condition at the last minute of a per-minute backlog history (its two halves)."""
    estimate = backlog[-1] / max(acks_per_s, 1e-9) > threshold_s
    window = backlog[-(int(threshold_s // 60) + 1) :]
    held = len(backlog) > threshold_s // 60 and min(window) > 0
    return estimate and held


def test_a_fresh_message_in_a_quiet_queue_does_not_page_and_a_stuck_one_does():
    quiet = [0.0] * 40 + [1.0] * 3  # one message, three minutes old, no ack in the last five minutes
    assert (quiet[-1] / 1e-9 > 1800) is True  # what the estimate alone said: page
    assert evaluate(quiet, 0.0, 1800) is False
    stuck = [1.0] * 45  # the same message, unconsumed for 45 minutes
    assert evaluate(stuck, 0.0, 1800) is True
    busy = [300.0] * 45  # a standing backlog drained at 0.1/s: ~50 minutes' wait
    assert evaluate(busy, 0.1, 1800) is True
