"""Rules of blueprints/spec/rules/queues.py: visibility, dead-letter retention, SQS limits, idempotency."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import agent, aws, kubernetes, of_rule, only, queue, run


def test_visibility_exceeds_step_passes() -> None:
    assert of_rule(aws(), "visibility-exceeds-step") == []


def test_visibility_exceeds_step_fails_when_a_consumer_steps_longer() -> None:
    spec = aws()
    queue(spec, "inbound")["visibility_timeout"] = "2m"  # conversation's step is 2m: not above it
    p = only(spec, "visibility-exceeds-step")
    assert p.path == "queues[0].visibility_timeout"
    assert "'conversation'" in p.message and "delivered again" in p.message
    assert p.fix.startswith("set visibility_timeout above 2m (e.g. 4m)")


def test_visibility_exceeds_step_names_every_consumer_that_is_too_slow() -> None:
    spec = aws()
    agent(spec, "action-executor")["consumes"] = ["actions", "inbound"]
    agent(spec, "action-executor")["max_step_duration"] = "6m"
    queue(spec, "actions")["visibility_timeout"] = "10m"
    p = only(spec, "visibility-exceeds-step")
    assert p.path == "queues[0].visibility_timeout"
    assert "'action-executor'" in p.message


def test_dead_letter_retention_passes_when_at_least_the_queue() -> None:
    assert of_rule(aws(), "dead-letter-retention") == []


def test_dead_letter_retention_fails_when_shorter_than_the_queue() -> None:
    spec = aws()
    queue(spec, "inbound")["dead_letter"] = {"retention": "1d"}
    p = only(spec, "dead-letter-retention")
    assert p.path == "queues[0].dead_letter.retention"
    assert "original enqueue time" in p.message
    assert p.fix.startswith("set dead_letter.retention to at least 4d")


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("retention", "30s", "queues[1].retention"),
        ("retention", "15d", "queues[1].retention"),
        ("visibility_timeout", "13h", "queues[1].visibility_timeout"),
    ],
)
def test_sqs_limits_fail_outside_the_service_limits(field: str, value: str, path: str) -> None:
    spec = aws()
    queue(spec, "actions")[field] = value
    found = [p for p in run(spec) if p.rule == "sqs-limits"]
    assert [p.path for p in found] == [path]
    assert "60s and 14d" in found[0].message or "at most 12h" in found[0].message


def test_sqs_limits_pass_at_the_bounds_and_do_not_apply_on_kubernetes() -> None:
    spec = aws()
    queue(spec, "actions").update(retention="14d", visibility_timeout="12h")
    agent(spec, "action-executor")["idempotency"]["ttl"] = "14d"
    assert of_rule(spec, "sqs-limits") == []
    spec = kubernetes()
    queue(spec, "tasks").update(retention="30d", visibility_timeout="13h")
    queue(spec, "tasks")["dead_letter"] = {"retention": "30d"}
    assert of_rule(spec, "sqs-limits") == []


def test_idempotency_window_passes_when_keys_outlive_redeliveries() -> None:
    assert of_rule(aws(), "idempotency-window") == []


def test_idempotency_window_warns_when_keys_expire_before_the_queue_forgets() -> None:
    spec = aws()
    agent(spec, "action-executor")["idempotency"]["ttl"] = "24h"  # actions keep messages 4d
    p = only(spec, "idempotency-window")
    assert p.severity == "warning"
    assert p.path == "agents[1].idempotency.ttl"
    assert p.fix == "set idempotency.ttl to at least 4d"
    # What the user wrote is echoed as they wrote it (it said 1d for 24h).
    assert p.value == "24h" and "expire after 24h," in p.message
