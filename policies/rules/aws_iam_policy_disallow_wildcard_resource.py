"""Identity policies name their resources: no `Resource: "*"` on an action that can be scoped to resources.

Whether an action can be scoped comes from the AWS Service Authorization Reference (vendored subset,
`policies/iam_actions.py`): `sqs:SendMessage` on `"*"` reaches every queue in the account, while
`ec2:DescribeSubnets` or `tag:GetResources` exist only on `"*"` and pass. A `"*"` is accepted when a
condition scopes it instead: a key of the action's own service (`ecs:cluster`, `cloudwatch:namespace`,
`kms:ViaService`) or `aws:ResourceTag/...`, `aws:ResourceAccount`, `aws:ResourceOrgID`. Wildcard
*actions* are the business of agentha-aws-iam-policy-disallow-wildcard-action, and resource policies
(where `"*"` means the resource itself) of agentha-aws-resource-policy-disallow-public-principal.
"""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation
from policies.rules._shared import as_list, statements

DOCUMENTS: dict[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
ROLE = "aws:iam/role:Role"
RESOURCE_KEYS = ("aws:resourcetag/", "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths")
NEGATED = ("not", "null")
# Actions the reference lets scope to resources but that services call to *discover* resources, with no
# identifier, so a scoped grant would break them: AWS FIS resolves its RDS targets by listing clusters
# (AWS's managed AWSFaultInjectionSimulatorRDSAccess policy grants rds:DescribeDBClusters on "*").
# Read-only; each entry needs such a reason.
DISCOVERY = frozenset({"rds:describedbclusters"})


def _documents(args: Any) -> list[Any]:
    if args.resource_type == ROLE:
        docs = [get(p, "policy") for p in items(get(args.props, "inlinePolicies"))]
    else:
        docs = [get(args.props, DOCUMENTS[args.resource_type])]
    return [d for d in docs if d is not None and d is not UNKNOWN]


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    """The keys the statement's Condition tests positively (not negated, not only-if-present)."""
    keys: set[str] = set()
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return keys
    for operator, tests in condition.items():
        op = str(operator).lower()
        if any(word in op.rpartition(":")[2] for word in NEGATED) or op.endswith("ifexists"):
            continue
        if op.startswith("forallvalues:") or not isinstance(tests, dict):
            continue
        keys |= {str(k).lower() for k in tests}
    return keys


def _scoped_by_condition(action: str, keys: set[str]) -> bool:
    service = action.partition(":")[0].lower()
    return any(k.startswith(f"{service}:") or k.startswith(RESOURCE_KEYS) for k in keys)


def validate(args: Any, report_violation: Any) -> None:
    from policies.iam_actions import supports_resource_level  # the table loads on first use only

    subject = Subject.of(args)
    for statement in (s for doc in _documents(args) for s in statements(doc)):
        if statement.get("Effect") != "Allow":
            continue
        everywhere = "*" in as_list(statement.get("Resource")) or statement.get("NotResource") is not None
        if not everywhere:
            continue
        keys = _condition_keys(statement)
        scoped = sorted(
            {
                a
                for a in as_list(statement.get("Action"))
                if isinstance(a, str)
                and a.lower() not in DISCOVERY
                and supports_resource_level(a)
                and not _scoped_by_condition(a, keys)
            }
        )
        if not scoped:
            continue
        sid = f" (statement {statement['Sid']})" if statement.get("Sid") else ""
        what = "NotResource" if statement.get("NotResource") is not None else 'Resource "*"'
        violation(
            report_violation,
            subject,
            f"allows {', '.join(scoped)} on {what}{sid}: these actions can be limited to named resources, and "
            '"*" grants them on every such resource in the account',
            'list the ARNs the agent uses (its queue, table, secret, key) under Resource, or scope "*" with a '
            "condition on the service's own key (e.g. ecs:cluster) or aws:ResourceTag",
        )


RULE = ResourceRule(
    id="agentha-aws-iam-policy-disallow-wildcard-resource",
    description="Identity policies name the resources of every action that supports resource-level permissions.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Least privilege: an agent that may send to, read or delete every queue, table or secret in the account "
    "turns one compromised task (prompt injection, a leaked token) into an account-wide incident.",
    fix='Name each resource ARN; keep "*" only for actions AWS cannot scope (Describe/List calls, '
    "ecr:GetAuthorizationToken) or with a scoping condition.",
    types=(*DOCUMENTS, ROLE),
    validate=validate,
)
