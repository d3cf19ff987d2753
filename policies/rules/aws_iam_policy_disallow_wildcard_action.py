"""No policy document allows a wildcard action (`*`, `sqs:*`, `s3:Get*`) or uses Allow with NotAction."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import as_list, statements

# Where each type keeps its policy documents.
DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:kms/key:Key": ("policy",),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
}


def _documents(args: Any) -> list[Any]:
    docs = [get(args.props, key) for key in DOCUMENTS.get(args.resource_type, ())]
    if args.resource_type == "aws:iam/role:Role":
        docs += [get(p, "policy") for p in items(get(args.props, "inlinePolicies"))]
    return [d for d in docs if d is not None and d is not UNKNOWN]


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    for statement in (s for doc in _documents(args) for s in statements(doc)):
        if statement.get("Effect") != "Allow":
            continue  # a Deny with a wildcard only narrows what is allowed
        sid = f" (statement {statement['Sid']})" if statement.get("Sid") else ""
        if statement.get("NotAction") is not None:
            violation(
                report_violation,
                subject,
                f"allows NotAction{sid}, which grants every action but the listed ones",
                "list the allowed actions explicitly under Action",
            )
        wild = [a for a in as_list(statement.get("Action")) if isinstance(a, str) and ("*" in a or "?" in a)]
        if wild:
            violation(
                report_violation,
                subject,
                f"allows wildcard action(s) {', '.join(sorted(wild))}{sid}",
                "name each action the agent needs (least privilege), e.g. sqs:ReceiveMessage, sqs:DeleteMessage",
            )


RULE = ResourceRule(
    id="agentha-aws-iam-policy-disallow-wildcard-action",
    description="Policy documents allow only explicitly named actions (no wildcard, no Allow+NotAction).",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="A wildcard action grants today's and every future action of a service; a compromised agent (prompt "
    "injection, a leaked token) can then delete queues or tables instead of reading one.",
    fix="Replace wildcards with the exact actions the agent uses.",
    types=tuple(DOCUMENTS),
    validate=validate,
)
