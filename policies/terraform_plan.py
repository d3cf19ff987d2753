"""The captured AWS graph as Terraform plan JSON, for scanners that read Terraform plans (checkov).

pulumi-aws is bridged from the Terraform AWS provider, so every AWS resource has a Terraform twin with
the same fields: the type token maps to a Terraform type (`aws:sqs/queue:Queue` ↔ `aws_sqs_queue`),
input names are the Terraform names in camelCase (`kmsMasterKeyId` ↔ `kms_master_key_id`), a nested
block Terraform allows once is one object in Pulumi (`healthCheck: {...}` ↔ `health_check: [{...}]`
in plan JSON), and a repeatable block gets a plural Pulumi name (`defaultActions` ↔ `default_action`).
This module undoes those three renamings and writes the plan JSON document `terraform show -json`
would print for a plan that creates every resource: `planned_values`, `resource_changes`, and a
`configuration` whose expressions carry references between resources (from the graph's property
dependencies), which graph checks need (for example "this load balancer has a web ACL associated").

Pure data in, pure data out: no Pulumi import, so it runs on a graph loaded from `synth --output json`.
Resource types the table below does not know are left out and named in `Translation.untranslated`
rather than guessed; component resources and providers have no Terraform twin and are skipped.

    agentha-blueprint synth spec.yaml --env prod --output tfplan --out plan.json
    checkov -f plan.json --framework terraform_plan
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stacks.graph import CapturedResource, ResourceGraph

# Pulumi type token → Terraform resource type, for the AWS resources the components build (and a few
# more a user's own program is likely to add). Checked against the provider docs' "Import" sections and
# the bridged provider's mapping; extend it when a component starts building a new type.
TERRAFORM_TYPES: dict[str, str] = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "aws_cloudwatch_composite_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": "aws_ecr_pull_through_cache_rule",
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": "aws_elasticache_global_replication_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:elasticache/user:User": "aws_elasticache_user",
    "aws:elasticache/userGroup:UserGroup": "aws_elasticache_user_group",
    "aws:fis/experimentTemplate:ExperimentTemplate": "aws_fis_experiment_template",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/replicaKey:ReplicaKey": "aws_kms_replica_key",
    "aws:dsql/cluster:Cluster": "aws_dsql_cluster",
    "aws:dsql/clusterPeering:ClusterPeering": "aws_dsql_cluster_peering",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/globalCluster:GlobalCluster": "aws_rds_global_cluster",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:route53/zone:Zone": "aws_route53_zone",
    "aws:route53/zoneAssociation:ZoneAssociation": "aws_route53_zone_association",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:scheduler/schedule:Schedule": "aws_scheduler_schedule",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:synthetics/canary:Canary": "aws_synthetics_canary",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:arcregionswitch/plan:Plan": "aws_arcregionswitch_plan",
    "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy": "aws_resiliencehub_resiliency_policy",
    "aws:resourcegroups/group:Group": "aws_resourcegroups_group",
}

# Inputs whose object value is a map of the user's own keys (not a nested block): kept as an object.
_MAPS = frozenset({"tags", "tags_all", "dimensions", "variables", "parameters", "environment_variables"})
# Pulumi inputs with no Terraform argument: a Pulumi asset or archive instead of `filename`/`s3_key`
# (a Lambda function's `code`, an S3 object's `source`).
_DROPPED = frozenset({"code", "source"})
# Repeatable blocks whose Pulumi plural is not the Terraform name plus "s" / "ies".
_SINGULAR = {
    "global_secondary_indexes": "global_secondary_index",
    "local_secondary_indexes": "local_secondary_index",
    "dimensions": "dimensions",  # appautoscaling's metric dimensions: the Terraform block is plural too
    "aliases": "alias",
    "statuses": "status",
    "addresses": "address",
}

PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"


@dataclass
class Translation:
    """A Terraform plan document and what could not be put in it."""

    plan: dict[str, Any]
    addresses: dict[str, str] = field(default_factory=dict)  # URN → Terraform address
    untranslated: list[str] = field(default_factory=list)  # Pulumi types with no entry in TERRAFORM_TYPES


def snake(name: str) -> str:
    """camelCase engine name → Terraform snake_case (`kmsMasterKeyId` → `kms_master_key_id`)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def singular(key: str) -> str:
    """The Terraform block name of a repeatable block Pulumi named in the plural."""
    if key in _SINGULAR:
        return _SINGULAR[key]
    if key.endswith("ies"):
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


def terraform_values(inputs: dict[str, Any]) -> dict[str, Any]:
    """Pulumi inputs (engine camelCase) → Terraform values: snake_case keys, blocks as lists."""
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        name = snake(key)
        if name in _DROPPED or name.startswith("__"):
            continue
        if isinstance(value, dict) and name not in _MAPS:
            out[name] = [terraform_values(value)]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[singular(name)] = [terraform_values(v) for v in value]
        else:
            out[name] = value
    return out


def _identifier(name: str, taken: set[str]) -> str:
    """A Terraform resource name (letters, digits, `_`, `-`; not starting with a digit), unique per type."""
    base = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    if not base or not (base[0].isalpha() or base[0] == "_"):
        base = f"r_{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def translate(graph: ResourceGraph) -> Translation:
    """The whole AWS part of the graph as one Terraform plan that creates every resource."""
    addresses: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    untranslated: set[str] = set()
    chosen: list[tuple[CapturedResource, str, str]] = []
    for resource in graph:
        if not resource.custom or resource.is_provider or not resource.type.startswith("aws:"):
            continue
        tf_type = TERRAFORM_TYPES.get(resource.type)
        if tf_type is None:
            untranslated.add(resource.type)
            continue
        tf_name = _identifier(resource.name, names.setdefault(tf_type, set()))
        addresses[resource.urn] = f"{tf_type}.{tf_name}"
        chosen.append((resource, tf_type, tf_name))

    planned, changes, configured = [], [], []
    for resource, tf_type, tf_name in chosen:
        address = f"{tf_type}.{tf_name}"
        values = terraform_values(resource.inputs)
        planned.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": tf_name,
                "provider_name": PROVIDER_NAME,
                "schema_version": 0,
                "values": values,
                "sensitive_values": {},
            }
        )
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": tf_name,
                "provider_name": PROVIDER_NAME,
                "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}},
            }
        )
        configured.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": tf_name,
                "provider_config_key": "aws",
                "expressions": _expressions(resource, values, addresses),
                "schema_version": 0,
            }
        )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER_NAME}},
            "root_module": {"resources": configured},
        },
    }
    return Translation(plan=plan, addresses=addresses, untranslated=sorted(untranslated))


def _expressions(resource: CapturedResource, values: dict[str, Any], addresses: dict[str, str]) -> dict[str, Any]:
    """Configuration expressions: constants, except where an input came from another resource's output,
    which becomes a reference to that resource (`aws_lb.x.arn`, `aws_lb.x`) as Terraform writes it."""
    expressions: dict[str, Any] = {}
    for key, value in values.items():
        if not isinstance(value, list | dict) or key in _MAPS:
            expressions[key] = {"constant_value": value}
    for key, urns in resource.property_dependencies.items():
        refs: list[str] = []
        for urn in urns:
            target = addresses.get(urn)
            if target is not None:
                refs += [f"{target}.id", target]
        if refs:
            expressions[snake(key)] = {"references": refs}
    return expressions
