"""Reading resources the same way offline and inside the Pulumi engine.

During `pulumi preview` the engine hands policies property bags whose not-yet-known values raise
`UnknownValueError` when read; offline the bags are the captured inputs (plain dicts). The helpers
here read both: a value that is unknown during preview comes back as `UNKNOWN`, so a rule can say
"set, value not known yet" instead of crashing or guessing.

`Subject` is one resource as a rule sees it: type, name, URN, properties, its region, and the spec
path it was built from (the `agentha:spec-path` tag on AWS, the `agentha.dev/spec-path` annotation
on Kubernetes). `violation()` words every finding the same way: the resource, where it is, the
spec path it came from, what is wrong, and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pulumi_policy.proxy import UnknownValueError

SPEC_PATH_TAG = "agentha:spec-path"
SPEC_PATH_ANNOTATION = "agentha.dev/spec-path"
REGION_ANNOTATION = "agentha.dev/region"


class _Unknown:
    """A value the engine does not know yet (preview of a resource that depends on new outputs)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown during preview>"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """`obj[p0][p1]...`; `default` when a step is missing or None, `UNKNOWN` when a step is unknown.

    Anything read below an unknown value is unknown too.
    """
    node = obj
    for key in path:
        if node is UNKNOWN:
            return UNKNOWN
        try:
            if isinstance(key, int):
                if isinstance(node, str | bytes) or not isinstance(node, Sequence) or not -len(node) <= key < len(node):
                    return default
                node = node[key]
            else:
                if not isinstance(node, Mapping):
                    return default
                node = node[key]
        except UnknownValueError:
            return UNKNOWN
        except (KeyError, IndexError, TypeError):
            return default
        if node is None:
            return default
    return node


def items(value: Any) -> list[Any]:
    """A list property as a plain list (empty when missing; `[UNKNOWN]` when the list is unknown)."""
    if value is UNKNOWN:
        return [UNKNOWN]
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return []
    out = []
    for i in range(len(value)):
        try:
            out.append(value[i])
        except UnknownValueError:
            out.append(UNKNOWN)
    return out


def mapping(value: Any) -> dict[str, Any]:
    """A map property as a plain dict of its known entries (unknown entries become `UNKNOWN`)."""
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key in value:
        try:
            out[str(key)] = value[key]
        except UnknownValueError:
            out[str(key)] = UNKNOWN
    return out


def as_json(value: Any) -> Any:
    """A JSON-document property (IAM policies, redrive policies, container definitions) as data.

    Providers accept either a JSON string or an already-structured value; `UNKNOWN` stays unknown,
    text that is not JSON comes back as None.
    """
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return plain(value)


def plain(value: Any) -> Any:
    """Deep copy of a (possibly proxied) property into plain dicts and lists, unknowns as `UNKNOWN`."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in mapping(value).items()}
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Sequence):
        return [plain(v) for v in items(value)]
    return value


def number(value: Any) -> float | None:
    """A numeric property (the engine sends every number as a float; strings of digits appear too)."""
    if isinstance(value, bool) or value is None or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


TYPE_LABELS: dict[str, str] = {
    "aws:sqs/queue:Queue": "SQS queue",
    "aws:sqs/queuePolicy:QueuePolicy": "SQS queue policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "SQS redrive-allow policy",
    "aws:ecs/service:Service": "ECS service",
    "aws:ecs/taskDefinition:TaskDefinition": "ECS task definition",
    "aws:lb/loadBalancer:LoadBalancer": "load balancer",
    "aws:lb/listener:Listener": "load balancer listener",
    "aws:lb/targetGroup:TargetGroup": "target group",
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:rds/cluster:Cluster": "Aurora cluster",
    "aws:rds/clusterInstance:ClusterInstance": "Aurora instance",
    "aws:rds/globalCluster:GlobalCluster": "Aurora global database",
    "aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache replication group",
    "aws:route53/record:Record": "Route 53 record",
    "aws:route53/healthCheck:HealthCheck": "Route 53 health check",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarm",
    "aws:cloudwatch/logGroup:LogGroup": "log group",
    "aws:ec2/securityGroup:SecurityGroup": "security group",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group ingress rule",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "security group rule",
    "aws:iam/role:Role": "IAM role",
    "aws:iam/rolePolicy:RolePolicy": "IAM role policy",
    "aws:iam/policy:Policy": "IAM policy",
    "aws:kms/key:Key": "KMS key",
    "aws:secretsmanager/secret:Secret": "secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "secret version",
    "aws:sns/topic:Topic": "SNS topic",
    "aws:appautoscaling/target:Target": "autoscaling target",
    "aws:ec2/vpc:Vpc": "VPC",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/route:Route": "route",
    "aws:ec2/routeTable:RouteTable": "route table",
    "aws:ec2/natGateway:NatGateway": "NAT gateway",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "default security group",
    "aws:sns/topicPolicy:TopicPolicy": "SNS topic policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policy",
    "aws:s3/bucketPolicy:BucketPolicy": "S3 bucket policy",
}


def type_label(type_token: str) -> str:
    """`aws:sqs/queue:Queue` -> `SQS queue`; `kubernetes:apps/v1:Deployment` -> `Deployment`."""
    if type_token in TYPE_LABELS:
        return TYPE_LABELS[type_token]
    return type_token.rsplit(":", 1)[-1] if ":" in type_token else type_token


@dataclass(frozen=True)
class Subject:
    """One resource as a rule sees it, the same whether it came from the engine or the capture."""

    type: str
    name: str
    urn: str
    props: Any
    provider_props: Any = None
    region_hint: str | None = field(default=None, compare=False)

    @classmethod
    def of(cls, args: Any) -> Subject:
        """From `ResourceValidationArgs` or a stack's `PolicyResource`."""
        provider = getattr(args, "provider", None)
        return cls(
            type=args.resource_type,
            name=args.name,
            urn=args.urn,
            props=args.props,
            provider_props=provider.props if provider is not None else None,
        )

    @property
    def is_kubernetes(self) -> bool:
        return self.type.startswith("kubernetes:")

    @property
    def is_aws(self) -> bool:
        return self.type.startswith("aws:")

    @cached_property
    def tags(self) -> dict[str, Any]:
        return mapping(get(self.props, "tags"))

    @cached_property
    def labels(self) -> dict[str, Any]:
        return mapping(get(self.props, "metadata", "labels"))

    @cached_property
    def annotations(self) -> dict[str, Any]:
        return mapping(get(self.props, "metadata", "annotations"))

    def tag(self, key: str) -> str | None:
        value = self.tags.get(key)
        return value if isinstance(value, str) else None

    @cached_property
    def spec_path(self) -> str | None:
        value = self.tag(SPEC_PATH_TAG) if self.is_aws else self.annotations.get(SPEC_PATH_ANNOTATION)
        return value if isinstance(value, str) else None

    @cached_property
    def region(self) -> str | None:
        """The region the resource is placed in (pulumi-aws v7 `region`, else its provider's)."""
        if self.region_hint:
            return self.region_hint
        if self.is_kubernetes:
            noted = self.annotations.get(REGION_ANNOTATION)
            if isinstance(noted, str):
                return noted
            context = get(self.provider_props, "context")
            if isinstance(context, str):
                from policies.context import current

                return current().region_for_context(context) or context
        value = get(self.props, "region")
        if isinstance(value, str):
            return value
        value = get(self.provider_props, "region")
        return value if isinstance(value, str) else None

    @property
    def label(self) -> str:
        return f"{type_label(self.type)} '{self.name}'"


def message(subject: Subject | None, problem: str, fix: str, spec_path: str | None = None) -> str:
    """`<resource> in <region> (spec: <path>): <problem>. Fix: <fix>` — the one wording of a violation."""
    path = spec_path or (subject.spec_path if subject else None)
    head = "stack" if subject is None else subject.label + (f" in {subject.region}" if subject.region else "")
    origin = f" (spec: {path})" if path else ""
    problem = problem.rstrip(".")
    fix = fix.rstrip(".")
    return f"{head}{origin}: {problem}. Fix: {fix}."


def violation(
    report_violation: Any,
    subject: Subject | None,
    problem: str,
    fix: str,
    *,
    spec_path: str | None = None,
) -> None:
    """Report one violation; offline collectors also receive the parts (resource, spec path, fix)."""
    text = message(subject, problem, fix, spec_path)
    structured = getattr(report_violation, "structured", None)
    if structured is not None:
        structured(subject, problem, fix, spec_path or (subject.spec_path if subject else None), text)
    else:
        report_violation(text, subject.urn if subject is not None else None)


def names(values: Iterable[Any]) -> str:
    """`a, b and c` for messages."""
    parts = [str(v) for v in values]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
