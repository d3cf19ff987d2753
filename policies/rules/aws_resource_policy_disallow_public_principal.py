"""No resource policy lets anyone in: `Principal: "*"` is allowed only with a condition that pins the caller.

Resource policies (SQS queue, SNS topic, KMS key, Secrets Manager secret, S3 bucket) are read by the
service itself, across accounts: an Allow to `"*"` (or `{"AWS": "*"}`, or Allow with NotPrincipal)
reaches every AWS account and, for some services, anonymous callers. It is safe only when a
condition pins the request to fixed sources: aws:SourceArn / aws:SourceAccount (a service calling on
behalf of one resource or account), aws:PrincipalOrgID / aws:PrincipalAccount / aws:PrincipalArn,
aws:SourceVpce / aws:SourceVpc / aws:SourceIp, compared for equality with values that are not
wildcards. A Deny to `"*"` only takes access away and is always fine (the TLS-only statements).
"""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, violation
from policies.rules._shared import as_list, is_public_principal, narrowing_condition, statements

# Where each type keeps its resource policy (the stand-alone policy resources and the inline `policy`).
DOCUMENTS: dict[str, str] = {
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:kms/key:Key": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
}


def validate(args: Any, report_violation: Any) -> None:
    document = get(args.props, DOCUMENTS.get(args.resource_type, "policy"))
    if document is None or document is UNKNOWN:
        return
    subject = Subject.of(args)
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        everyone = is_public_principal(statement.get("Principal")) or statement.get("NotPrincipal") is not None
        if not everyone or narrowing_condition(statement):
            continue
        sid = f" (statement {statement['Sid']})" if statement.get("Sid") else ""
        actions = ", ".join(str(a) for a in as_list(statement.get("Action"))) or "NotAction"
        who = "everyone but the NotPrincipal" if statement.get("NotPrincipal") is not None else "any principal (*)"
        violation(
            report_violation,
            subject,
            f"allows {actions} to {who}{sid} with no condition that pins the caller: any AWS account can use it",
            'name the principals (an account, role or service), or keep Principal "*" only with a condition '
            "such as aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce equal to fixed values",
        )


RULE = ResourceRule(
    id="agentha-aws-resource-policy-disallow-public-principal",
    description='Resource policies grant nothing to Principal "*" unless a condition pins the caller.',
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why='A queue, topic, key, secret or bucket policy that allows "*" is readable or writable from any AWS '
    "account: injected messages reach the agents, alerts are spoofed, secrets and data leak. Outside scanners "
    "(checkov, Security Hub) flag the same statements.",
    fix="Grant to named principals, or add a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID "
    "or aws:SourceVpce with fixed values.",
    types=tuple(DOCUMENTS),
    validate=validate,
)
