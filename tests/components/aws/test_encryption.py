"""RegionKey: one rotating customer managed key per region, a policy with explicit actions."""

from __future__ import annotations

import json

from components.aws.encryption import key_policy
from tests.components.aws.helpers import graph


def test_key_policy_lists_explicit_actions_and_scopes_the_services() -> None:
    policy = key_policy("eu-west-1", "123456789012", "aws")
    statements = {s["Sid"]: s for s in policy["Statement"]}
    for statement in statements.values():
        assert all("*" not in a for a in statement["Action"])
    admin = statements["AccountAdministersKeyAndIamGrantsUse"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert "kms:PutKeyPolicy" in admin["Action"]  # the account can always fix the policy (no lock-out)
    logs = statements["CloudWatchLogsOfThisRegion"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].startswith("arn:aws:logs:eu-west-1:")


def test_one_rotating_key_per_region() -> None:
    g = graph("order-routing")
    keys = g.of_type("aws:kms/key:Key")
    assert sorted(k.inputs["region"] for k in keys) == ["eu-central-1", "eu-west-1"]
    assert all(k.inputs["enableKeyRotation"] and k.inputs["deletionWindowInDays"] == 30 for k in keys)
    assert json.loads(keys[0].inputs["policy"])["Statement"][0]["Principal"]["AWS"].endswith(":root")
    aliases = {a.inputs["name"] for a in g.of_type("aws:kms/alias:Alias")}
    assert aliases == {"alias/agentha/order-routing"}
    assert {a.inputs["name"] for a in graph("order-routing@dev").of_type("aws:kms/alias:Alias")} == {
        "alias/agentha/order-routing-dev"
    }
