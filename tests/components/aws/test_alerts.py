"""AlertTopic: the encrypted SNS topic and its email subscriptions."""

from __future__ import annotations

import json

from components.aws.alerts import topic_policy
from tests.components.aws.helpers import dependencies, synth_case


def test_alert_topic_is_encrypted_and_mails_every_address() -> None:
    s = synth_case("support-agent")
    g = s.graph
    for topic in g.of_type("aws:sns/topic:Topic"):
        subscriptions = [
            r for r in g.of_type("aws:sns/topicSubscription:TopicSubscription") if topic.urn in dependencies(r, "topic")
        ]
        assert [r.inputs["endpoint"] for r in subscriptions] == list(s.plan.observability.emails)
        assert all(r.inputs["protocol"] == "email" for r in subscriptions)
    policy = json.loads(topic_policy("arn:t", "123"))
    allow, deny = policy["Statement"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
