"""The tagging convention."""

from __future__ import annotations

from components.aws.tags import TagContext


def test_tag_context() -> None:
    ctx = TagContext("sys", "prod", "team", (("cost-center", "1"), ("agentha:part", "spoof")))
    tags = ctx.tags("inbound", "queue", region="eu-west-1", spec_path="queues.inbound")
    assert tags == {
        "cost-center": "1",
        "owner": "team",
        "agentha:system": "sys",
        "agentha:environment": "prod",
        "agentha:part": "inbound",
        "agentha:role": "queue",
        "agentha:region": "eu-west-1",
        "agentha:spec-path": "queues.inbound",
    }
    assert ctx.scope == "sys-prod" and TagContext("sys").scope == "sys"
    assert "agentha:environment" not in TagContext("sys").tags("network", "vpc")
