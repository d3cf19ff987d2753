"""Customer managed KMS keys rotate their key material."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation


def validate(args: Any, report_violation: Any) -> None:
    spec = get(args.props, "customerMasterKeySpec") or get(args.props, "keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys
    rotation = get(args.props, "enableKeyRotation")
    if rotation is True or rotation is UNKNOWN:
        return
    violation(
        report_violation,
        Subject.of(args),
        "does not rotate its key material",
        "set enableKeyRotation: true",
    )


RULE = ResourceRule(
    id="agentha-aws-kms-key-enable-rotation",
    description="Customer managed KMS keys have automatic rotation on.",
    severity="low",
    topics=("security",),
    # Mandatory (was advisory): rotation costs nothing in availability, every generated key rotates,
    # and outside scanners (checkov CKV_AWS_7, CIS 3.6) fail the same keys.
    enforcement="mandatory",
    why="Rotation limits how much data one key version protects and is expected by most compliance baselines; "
    "it costs nothing in availability (old versions keep decrypting).",
    fix="Set enableKeyRotation: true on the key.",
    types=("aws:kms/key:Key",),
    validate=validate,
)
