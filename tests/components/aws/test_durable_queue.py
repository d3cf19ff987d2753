"""DurableQueue: SQS queue and dead-letter queue per region, encrypted, TLS-only, with alarms."""

from __future__ import annotations

import json

from components.aws.durable_queue import deny_insecure_transport
from tests.components.aws.helpers import dependencies, doc, graph, synth_case, tags


def test_fifo_queues_keep_their_planned_names_and_settings_in_every_region() -> None:
    s = synth_case("order-routing")
    plan = s.plan.queue("order-events")
    queues = [r for r in s.graph.of_type("aws:sqs/queue:Queue") if tags(r)["agentha:part"] == "order-events"]
    assert sorted(r.inputs["region"] for r in queues) == sorted(2 * list(plan.regions))
    for q in queues:
        if tags(q)["agentha:role"] == "queue":
            assert q.inputs["name"] == plan.physical_name == "order-routing-order-events.fifo"
            assert q.inputs["visibilityTimeoutSeconds"] == plan.visibility_timeout_s
            assert q.inputs["messageRetentionSeconds"] == plan.retention_s
            assert q.inputs["contentBasedDeduplication"] is True
            assert q.inputs["receiveWaitTimeSeconds"] == 20
        else:
            assert q.inputs["name"] == plan.dead_letter_physical_name
            assert q.inputs["messageRetentionSeconds"] == plan.dead_letter_retention_s


def test_standby_regions_have_their_queues_ready() -> None:
    s = synth_case("support-agent@staging")  # pilot light: nothing runs in us-west-2
    regions = {r.inputs["region"] for r in s.graph.of_type("aws:sqs/queue:Queue")}
    assert regions == {"us-east-1", "us-west-2"}


def test_dead_letter_queue_accepts_redrives_only_from_its_queue() -> None:
    g = graph("support-agent")
    for allow in g.of_type("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"):
        policy = doc(allow, "redriveAllowPolicy")
        assert policy["redrivePermission"] == "byQueue"
        (source,) = policy["sourceQueueArns"]
        (queue_urn,) = dependencies(allow, "redriveAllowPolicy")
        queue = g.by_urn(queue_urn)
        assert queue is not None and tags(queue)["agentha:role"] == "queue" and source.endswith(queue.inputs["name"])


def test_every_queue_refuses_requests_without_tls() -> None:
    g = graph("order-routing")
    policies = g.of_type("aws:sqs/queuePolicy:QueuePolicy")
    assert len(policies) == len(g.of_type("aws:sqs/queue:Queue"))
    for policy in policies:
        (statement,) = doc(policy, "policy")["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert json.loads(deny_insecure_transport("arn:q"))["Statement"][0]["Resource"] == "arn:q"


def test_queue_alarms_watch_the_real_queues() -> None:
    g = graph("support-agent")
    alarm = next(
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"] == "support-agent-inbound-dead-letters-us-east-1"
    )
    assert alarm.inputs["dimensions"]["QueueName"] == "support-agent-inbound-dlq.fifo"
    assert alarm.inputs["threshold"] == 1 and alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    age = next(
        r
        for r in g.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["name"] == "support-agent-inbound-oldest-message-age-us-west-2"
    )
    assert age.inputs["metricName"] == "ApproximateAgeOfOldestMessage" and age.inputs["threshold"] == 300
