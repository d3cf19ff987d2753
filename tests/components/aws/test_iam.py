"""IAM policy builders: explicit actions only."""

from __future__ import annotations

import pytest

from components.aws.iam import Statement, deny_without_tls


def test_statements_refuse_wildcard_actions() -> None:
    with pytest.raises(ValueError, match="wildcard"):
        Statement("Bad", ("sqs:*",), ["arn:q"])
    with pytest.raises(ValueError, match="wildcard"):
        Statement("Bad", ("s3:Get*",), ["arn:b"])


def test_deny_without_tls_refuses_only_plaintext_requests() -> None:
    statement = deny_without_tls("sns:Publish", "arn:t")
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Action"] == "sns:Publish" and statement["Resource"] == "arn:t"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
