"""IAM policy builders: explicit actions only."""

from __future__ import annotations

import pytest

from components.aws.iam import Statement


def test_statements_refuse_wildcard_actions() -> None:
    with pytest.raises(ValueError, match="wildcard"):
        Statement("Bad", ("sqs:*",), ["arn:q"])
    with pytest.raises(ValueError, match="wildcard"):
        Statement("Bad", ("s3:Get*",), ["arn:b"])
