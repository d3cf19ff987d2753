"""No role can be assumed by anyone: a trust policy names its principals (or pins `"*"` with a condition)."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import is_public_principal, narrowing_condition, statements

# Condition keys that pin who may assume the role (an organisation, account or principal), or, for a
# service principal, on whose behalf it acts.
TRUST_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    )
)


def validate(args: Any, report_violation: Any) -> None:
    document = get(args.props, "assumeRolePolicy")
    if document is None or document is UNKNOWN:
        return
    subject = Subject.of(args)
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        everyone = is_public_principal(statement.get("Principal")) or statement.get("NotPrincipal") is not None
        if not everyone or narrowing_condition(statement, TRUST_KEYS):
            continue
        sid = f" (statement {statement['Sid']})" if statement.get("Sid") else ""
        violation(
            report_violation,
            subject,
            f'can be assumed by any principal{sid}: its trust policy allows "*" with no condition on the '
            "caller's organisation, account or ARN, so every AWS account gets this role's permissions",
            'trust the service or account that needs the role (e.g. {"Service": "ecs-tasks.amazonaws.com"} with '
            'aws:SourceAccount), or pin "*" with aws:PrincipalOrgID / aws:PrincipalArn equal to fixed values',
        )


RULE = ResourceRule(
    id="agentha-aws-iam-role-disallow-public-trust",
    description='Role trust policies name who may assume the role; Principal "*" only with a caller condition.',
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="A role anyone can assume hands its permissions (queues, tables, secrets, keys) to every AWS account.",
    fix='Trust the exact service or account principal; pin any "*" with aws:PrincipalOrgID or aws:PrincipalArn.',
    types=("aws:iam/role:Role",),
    validate=validate,
)
