"""Seeded defects for the AWS rules (support-agent prod/staging and the all-engines fixture)."""

from __future__ import annotations

from typing import Any

from tests.policies.graphs import mutate, resource
from tests.policies.rules.corpus import DELETE, Defect, add, change, change_all, drop, json_field, setting

SA = "support-agent"
E1, W2 = "us-east-1", "us-west-2"


def _first_statement_actions(actions: list[str]):
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        doc["Statement"][0]["Action"] = actions
        return doc

    return edit


def _plain_secret(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    main = containers[0]
    main["secrets"] = []
    main["environment"].append({"name": "LLM_API_KEY", "value": "sk-live-0000"})
    return containers


def _secret_from(region: str):
    def edit(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for ref in containers[0]["secrets"]:
            parts = ref["valueFrom"].split(":")
            parts[3] = region
            ref["valueFrom"] = ":".join(parts)
        return containers

    return edit


def _to_anywhere(rule: dict[str, Any]) -> None:
    rule.pop("prefixListId", None)
    rule["cidrIpv4"] = "0.0.0.0/0"


def _no_health_check(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    containers[0].pop("healthCheck", None)
    return containers


def _writable_root(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    containers[0].pop("readonlyRootFilesystem", None)
    return containers


def _fifo_to_standard(policy: dict[str, Any]) -> dict[str, Any]:
    policy["deadLetterTargetArn"] = policy["deadLetterTargetArn"].removesuffix(".fifo")
    return policy


def _instances_in_one_zone(r: Any) -> bool:
    return (
        r.type == "aws:rds/clusterInstance:ClusterInstance"
        and r.region == E1
        and not r.name.startswith("engines-records-instance-1-")
    )


DEFECTS: list[Defect] = [
    # --- SQS ---------------------------------------------------------------------------------------
    Defect(
        "agentha-aws-sqs-queue-require-dead-letter-queue",
        "support-prod",
        "queue without redrive policy",
        "has no dead-letter queue",
        change(f"{SA}-inbound-queue-{E1}", setting("redrivePolicy", DELETE)),
    ),
    Defect(
        "agentha-aws-sqs-queue-require-dead-letter-queue",
        "support-prod",
        "FIFO queue with a standard dead-letter queue",
        "is a FIFO queue whose dead-letter queue is a standard queue",
        change(f"{SA}-inbound-queue-{W2}", json_field("redrivePolicy", _fifo_to_standard)),
    ),
    Defect(
        "agentha-aws-sqs-queue-require-dead-letter-queue",
        "support-prod",
        "delivery limit differs from the spec",
        "after 50 deliveries, but the spec says 5",
        change(f"{SA}-inbound-queue-{E1}", json_field("redrivePolicy", lambda p: {**p, "maxReceiveCount": 50})),
    ),
    Defect(
        "agentha-aws-sqs-queue-cover-longest-step",
        "support-prod",
        "visibility timeout below the consumer's longest step",
        "no longer than the longest step of its consumer 'conversation' (2m)",
        change(f"{SA}-inbound-queue-{E1}", setting("visibilityTimeoutSeconds", 60)),
    ),
    Defect(
        "agentha-aws-sqs-queue-enable-encryption",
        "support-prod",
        "dead-letter queue without KMS key",
        "unencrypted at rest",
        change(f"{SA}-actions-dlq-{W2}", setting("kmsMasterKeyId", DELETE)),
    ),
    Defect(
        "agentha-aws-sqs-queue-policy-deny-insecure-transport",
        "support-prod",
        "queue policy without the TLS-only deny",
        "does not deny requests made without TLS",
        change(f"{SA}-inbound-queue-policy-{E1}", json_field("policy", lambda d: {**d, "Statement": []})),
    ),
    # --- ECS and autoscaling -----------------------------------------------------------------------
    Defect(
        "agentha-aws-ecs-service-spread-across-zones",
        "support-prod",
        "service in one subnet",
        "places tasks in 1 subnet(s) but the plan spreads this agent over 3 zone(s)",
        change(
            f"{SA}-conversation-service-{E1}",
            lambda i: i["networkConfiguration"].update(subnets=i["networkConfiguration"]["subnets"][:1]),
        ),
    ),
    Defect(
        "agentha-aws-ecs-service-spread-across-zones",
        "support-prod",
        "desired count below the zone-loss floor",
        "asks for 1 task(s) but the plan needs 5",
        change(f"{SA}-conversation-service-{E1}", setting("desiredCount", 1)),
    ),
    Defect(
        "agentha-aws-ecs-service-enable-circuit-breaker",
        "support-prod",
        "rolling service without rollback",
        "rollback on its circuit breaker",
        change(f"{SA}-action-executor-service-{E1}", setting("deploymentCircuitBreaker.rollback", False)),
    ),
    Defect(
        "agentha-aws-ecs-service-enable-circuit-breaker",
        "support-prod",
        "canary service without alarm rollback",
        "shifts traffic with the CANARY strategy but rolls back on no deployment alarm",
        change(f"{SA}-conversation-service-{W2}", setting("alarms.rollback", False)),
    ),
    Defect(
        "agentha-aws-ecs-service-keep-full-capacity",
        "support-prod",
        "minimum healthy 50 %",
        "minimum healthy 50 %",
        change(f"{SA}-action-executor-service-{W2}", setting("deploymentMinimumHealthyPercent", 50)),
    ),
    Defect(
        "agentha-aws-ecs-service-disallow-public-ip",
        "support-prod",
        "tasks with public IPs",
        "gives its tasks public IP addresses",
        change(f"{SA}-conversation-service-{E1}", setting("networkConfiguration.assignPublicIp", True)),
    ),
    Defect(
        "agentha-aws-appautoscaling-target-hold-zone-floor",
        "support-prod",
        "autoscaling minimum of 1",
        "may scale the agent down to 1 task(s), below the plan's 5",
        change(f"{SA}-conversation-scaling-target-{E1}", setting("minCapacity", 1)),
    ),
    Defect(
        "agentha-aws-ecs-task-definition-disallow-plain-secrets",
        "support-prod",
        "spec secret as a plain environment value",
        "gets LLM_API_KEY as a plain environment value although it is the spec secret 'llm-api-key'",
        change(f"{SA}-model-gateway-task-{E1}", json_field("containerDefinitions", _plain_secret)),
    ),
    Defect(
        "agentha-aws-ecs-task-definition-read-regional-secrets",
        "support-prod",
        "standby tasks read the primary region's secret",
        "reads LLM_API_KEY from us-east-1",
        change(f"{SA}-model-gateway-task-{W2}", json_field("containerDefinitions", _secret_from(E1))),
    ),
    Defect(
        "agentha-aws-ecs-task-definition-require-health-check",
        "support-prod",
        "container without health check",
        "has no health check although the spec gives a liveness probe (/healthz)",
        change(f"{SA}-conversation-task-{E1}", json_field("containerDefinitions", _no_health_check)),
    ),
    Defect(
        "agentha-aws-ecs-task-definition-require-readonly-root",
        "support-prod",
        "container with a writable root filesystem",
        "container 'action-executor' can write to its root filesystem",
        change(f"{SA}-action-executor-task-{W2}", json_field("containerDefinitions", _writable_root)),
    ),
    # --- load balancing ----------------------------------------------------------------------------
    Defect(
        "agentha-aws-lb-load-balancer-span-planned-zones",
        "support-prod",
        "ALB in one subnet",
        "is attached to 1 subnet(s) but the plan uses 3 zone(s)",
        change(f"{SA}-conversation-alb-{E1}", lambda i: i.update(subnets=i["subnets"][:1])),
    ),
    Defect(
        "agentha-aws-lb-load-balancer-disallow-public-scheme",
        "engines",
        "internal agent's NLB internet-facing",
        "is internet-facing",
        change(f"engines-scorer-nlb-{E1}", setting("internal", False)),
    ),
    Defect(
        "agentha-aws-lb-listener-require-tls",
        "support-prod",
        "HTTPS listener with a TLS 1.0 policy",
        "ELBSecurityPolicy-2016-08",
        change(f"{SA}-conversation-https-{E1}", setting("sslPolicy", "ELBSecurityPolicy-2016-08")),
    ),
    Defect(
        "agentha-aws-lb-target-group-require-health-check",
        "support-prod",
        "target group checks / instead of readiness",
        "instead of the agent's readiness probe /readyz",
        change(f"{SA}-conversation-tg-blue-{E1}", setting("healthCheck.path", "/")),
    ),
    Defect(
        "agentha-aws-ec2-security-group-disallow-public-ingress",
        "support-prod",
        "public load balancer open on 8443",
        "opens port 8443 to 0.0.0.0/0 on the public load balancer",
        change(f"{SA}-conversation-lb-in-443-{E1}", lambda i: i.update(fromPort=8443, toPort=8443)),
    ),
    Defect(
        "agentha-aws-ec2-security-group-disallow-public-ingress",
        "engines",
        "internal NLB open to the internet",
        "opens port 8090 to 0.0.0.0/0, but the spec asks for no public ingress here",
        change(f"engines-scorer-lb-from-api-{W2}", setting("cidrIpv4", "0.0.0.0/0")),
    ),
    Defect(
        "agentha-aws-ec2-security-group-restrict-gateway-caller-egress",
        "support-prod",
        "narrowed agent's tasks opened to the internet",
        "lets the tasks of agent 'conversation' leave for 0.0.0.0/0",
        change(f"{SA}-conversation-task-to-s3-{W2}", _to_anywhere),
    ),
    # --- DNS ---------------------------------------------------------------------------------------
    Defect(
        "agentha-aws-route53-record-require-health-check",
        "support-prod",
        "primary failover record without health check",
        "is a failover record (PRIMARY) without a health check",
        change(f"{SA}-ingress-record-{E1}", setting("healthCheckId", DELETE)),
    ),
    Defect(
        "agentha-aws-route53-health-check-match-failover-spec",
        "support-prod",
        "health check probes another path",
        "probes / instead of the spec's failover health path /readyz",
        change(f"{SA}-ingress-health-check-{W2}", setting("resourcePath", "/")),
    ),
    # --- DynamoDB ----------------------------------------------------------------------------------
    Defect(
        "agentha-aws-dynamodb-table-enable-point-in-time-recovery",
        "support-prod",
        "table without PITR",
        "has point-in-time recovery off: a bad write",
        change(f"{SA}-conversations-table", setting("pointInTimeRecovery.enabled", False)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-point-in-time-recovery",
        "support-prod",
        "replica without PITR",
        "point-in-time recovery off on its replica in us-west-2",
        change(f"{SA}-conversations-table", setting("replicas.0.pointInTimeRecovery", False)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-encryption",
        "support-prod",
        "table with AWS owned key",
        "is encrypted only with an AWS owned key",
        change(f"{SA}-idempotency-table", setting("serverSideEncryption.enabled", False)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-encryption",
        "support-prod",
        "replica without its region's key",
        "its replica in us-west-2 names no key of its own region",
        change(f"{SA}-idempotency-table", setting("replicas.0.kmsKeyArn", DELETE)),
    ),
    Defect(
        "agentha-aws-dsql-cluster-enable-deletion-protection",
        "claims-aws",
        "DSQL cluster without deletion protection",
        "has deletion protection off",
        change("claims-claims-dsql-us-east-2", setting("deletionProtectionEnabled", False)),
    ),
    Defect(
        "agentha-aws-dsql-cluster-require-backup-plan",
        "claims-aws",
        "DSQL cluster without its AWS Backup selection",
        "is backed up by no AWS Backup plan",
        drop("claims-claims-backup-selection-us-east-2"),
    ),
    Defect(
        "agentha-aws-dsql-cluster-require-backup-plan",
        "claims-aws",
        "AWS Backup selection that names no cluster",
        "is backed up by no AWS Backup plan",
        change("claims-claims-backup-selection-us-east-1", setting("resources", [])),
    ),
    Defect(
        "agentha-aws-dsql-cluster-enable-encryption",
        "claims-aws",
        "DSQL cluster on an AWS owned key",
        "encrypts its data with an AWS owned key",
        change("claims-claims-dsql-us-east-1", setting("kmsEncryptionKey", "AWS_OWNED_KMS_KEY")),
    ),
    Defect(
        "agentha-aws-dsql-cluster-join-multi-region",
        "claims-aws",
        "DSQL cluster created without the witness (a single-Region cluster)",
        "is not part of a multi-Region cluster with the plan's witness us-west-2",
        change("claims-claims-dsql-us-east-2", setting("multiRegionProperties", DELETE)),
    ),
    Defect(
        "agentha-aws-dsql-cluster-join-multi-region",
        "claims-aws",
        "DSQL clusters never peered",
        "is never peered with the other region's cluster",
        drop("claims-claims-dsql-peering-us-east-1"),
    ),
    Defect(
        "agentha-stack-part-cover-planned-regions",
        "claims-aws",
        "DSQL store missing in one planned region",
        "store 'claims' is missing in us-east-2",
        drop("claims-claims-dsql-us-east-2"),
    ),
    Defect(
        "agentha-aws-rds-cluster-enable-write-forwarding",
        "claims-aws",
        "secondary Aurora cluster of a primary-region store that does not forward writes",
        "does not forward writes: the agents in us-east-2 cannot write at all",
        change("claims-policy-ledger-cluster-us-east-2", setting("enableGlobalWriteForwarding", DELETE)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-deletion-protection",
        "support-prod",
        "table without deletion protection",
        "has deletion protection off",
        change(f"{SA}-conversations-table", setting("deletionProtectionEnabled", False)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-replicate-planned-regions",
        "support-prod",
        "global table without its standby replica",
        "has no replica in us-west-2, where the plan places store 'conversations'",
        change(f"{SA}-conversations-table", setting("replicas", [])),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-strong-consistency",
        "engines",
        "synchronous store whose replica is eventually consistent",
        "replicates to us-west-2 with eventual consistency, but the plan counts store 'ledger' as synchronous",
        change("engines-ledger-table", setting("replicas.0.consistencyMode", DELETE)),
    ),
    Defect(
        "agentha-aws-dynamodb-table-enable-strong-consistency",
        "engines",
        "two-region strongly consistent table without its witness",
        "has no witness, but the plan places store 'ledger' in two regions with a witness in us-east-2",
        change("engines-ledger-table", setting("globalTableWitness", DELETE)),
    ),
    # --- Aurora, ElastiCache -----------------------------------------------------------------------
    Defect(
        "agentha-aws-rds-cluster-enable-encryption",
        "engines",
        "cluster without storage encryption",
        "stores data unencrypted",
        change(f"engines-records-cluster-{E1}", setting("storageEncrypted", False)),
    ),
    Defect(
        "agentha-aws-rds-cluster-enable-deletion-protection",
        "engines",
        "cluster without deletion protection",
        "has deletion protection off",
        change(f"engines-records-cluster-{W2}", setting("deletionProtection", False)),
    ),
    Defect(
        "agentha-aws-rds-cluster-enable-deletion-protection",
        "engines",
        "backups shorter than the spec",
        "keeps backups for 1 day(s), less than the spec's 14",
        change(f"engines-records-cluster-{E1}", setting("backupRetentionPeriod", 1)),
    ),
    Defect(
        "agentha-aws-rds-cluster-join-global-cluster",
        "engines",
        "standby cluster outside the global database",
        "is not a member of a global database",
        change(f"engines-records-cluster-{W2}", setting("globalClusterIdentifier", DELETE)),
    ),
    Defect(
        "agentha-aws-rds-cluster-spread-instances-across-zones",
        "engines",
        "every instance in one zone",
        "has instances pinned to 1 zone(s) (us-east-1a)",
        change_all(_instances_in_one_zone, setting("availabilityZone", "us-east-1a")),
    ),
    Defect(
        "agentha-aws-elasticache-replication-group-enable-automatic-failover",
        "engines",
        "no automatic failover",
        "has automatic failover off",
        change(f"engines-sessions-cache-{E1}", setting("automaticFailoverEnabled", False)),
    ),
    Defect(
        "agentha-aws-elasticache-replication-group-enable-encryption",
        "engines",
        "no encryption in transit",
        "does not encrypt in transit",
        change(f"engines-sessions-cache-{E1}", setting("transitEncryptionEnabled", False)),
    ),
    Defect(
        "agentha-aws-elasticache-replication-group-require-authentication",
        "engines",
        "primary without a user group",
        "lets any client that reaches it in",
        change(f"engines-sessions-cache-{E1}", setting("userGroupIds", DELETE)),
    ),
    Defect(
        "agentha-aws-elasticache-replication-group-require-authentication",
        "engines",
        "secondary of the global datastore without a user group",
        "lets any client that reaches it in",
        change(f"engines-sessions-cache-{W2}", setting("userGroupIds", [])),
    ),
    Defect(
        "agentha-aws-elasticache-replication-group-join-global-datastore",
        "engines",
        "standalone secondary",
        "is a standalone group in us-west-2",
        change(f"engines-sessions-cache-{W2}", setting("globalReplicationGroupId", DELETE)),
    ),
    # --- secrets, keys, IAM ------------------------------------------------------------------------
    Defect(
        "agentha-aws-secretsmanager-secret-replicate-planned-regions",
        "engines",
        "secret without its standby replica",
        "has no replica in us-west-2",
        change("engines-model-key-secret", setting("replicas", [])),
    ),
    Defect(
        "agentha-aws-secretsmanager-secret-version-disallow-inline-value",
        "support-prod",
        "a secret version with the value in the program",
        "sets the secret's value from the program (secretString)",
        add(
            resource(
                "aws:secretsmanager/secretVersion:SecretVersion",
                f"{SA}-llm-api-key-value",
                {
                    "secretId": "arn:aws:secretsmanager:us-east-1:123456789012:x",
                    "secretString": "[secret]",
                    "region": E1,
                },
                region=E1,
            )
        ),
    ),
    Defect(
        "agentha-aws-kms-key-enable-rotation",
        "support-prod",
        "key without rotation",
        "does not rotate its key material",
        change(f"{SA}-key-{W2}", setting("enableKeyRotation", False)),
    ),
    Defect(
        "agentha-aws-iam-policy-disallow-wildcard-action",
        "support-prod",
        "task role allowed sqs:*",
        "allows wildcard action(s) sqs:*",
        change(f"{SA}-conversation-task-policy-{E1}", json_field("policy", _first_statement_actions(["sqs:*"]))),
    ),
    # --- observability -----------------------------------------------------------------------------
    Defect(
        "agentha-aws-cloudwatch-log-group-configure-retention",
        "support-prod",
        "log group kept forever",
        "keeps logs forever",
        change(f"{SA}-conversation-logs-{E1}", setting("retentionInDays", DELETE)),
    ),
    Defect(
        "agentha-aws-cloudwatch-metric-alarm-require-notification",
        "support-prod",
        "SLI alarm without action",
        "has no alarm action: it fires silently",
        change(f"{SA}-conversation-5xx-rate-alarm-{E1}", setting("alarmActions", [])),
    ),
    Defect(
        "agentha-aws-cloudwatch-metric-alarm-cover-spec-slis",
        "support-prod",
        "standby queue without its backlog alarm",
        "the spec names the SLI oldest message age (observability.alarms.oldest_message_age) but 'inbound' in "
        "us-west-2 has no alarm",
        drop(f"{SA}-inbound-oldest-message-age-alarm-{W2}"),
    ),
    Defect(
        "agentha-aws-sns-topic-enable-encryption",
        "support-prod",
        "alert topic without KMS key",
        "is not encrypted at rest",
        change(f"{SA}-alerts-topic-{W2}", setting("kmsMasterKeyId", DELETE)),
    ),
    Defect(
        "agentha-aws-sns-topic-require-subscription",
        "support-prod",
        "standby alert topic without subscriber",
        "has no email subscription for oncall@acme.example",
        drop(f"{SA}-alerts-email-0-{W2}"),
    ),
    # --- network -----------------------------------------------------------------------------------
    Defect(
        "agentha-aws-ec2-nat-gateway-spread-across-zones",
        "support-prod",
        "a zone without NAT gateway",
        "has no NAT gateway in us-east-1c",
        drop(f"{SA}-network-nat-us-east-1c"),
    ),
]

DEFECTS += [
    Defect(
        "agentha-aws-sqs-queue-keep-dead-letters-longer",
        "support-prod",
        "dead letters kept shorter than the queue",
        "keeps dead letters for 1d, less than its queue keeps messages (4d)",
        change(f"{SA}-inbound-dlq-{E1}", setting("messageRetentionSeconds", 86400)),
    ),
    Defect(
        "agentha-aws-rds-cluster-instance-disallow-public-access",
        "engines",
        "publicly accessible instance",
        "is publicly accessible",
        change(f"engines-records-instance-2-{W2}", setting("publiclyAccessible", True)),
    ),
    Defect(
        "agentha-aws-ecs-service-enable-zone-rebalancing",
        "support-prod",
        "no zone rebalancing",
        "does not rebalance tasks across zones",
        change(f"{SA}-action-executor-service-{E1}", setting("availabilityZoneRebalancing", "DISABLED")),
    ),
    # --- failure paths: rollback, drill stop conditions, the error ratio ---------------------------
    Defect(
        "agentha-aws-ecs-service-disallow-dead-letter-rollback",
        "support-prod",
        "deployment rolls back on a dead-letter alarm",
        "rolls back deployments on the dead-letter alarm support-agent-prod-inbound-dead-letters-us-east-1",
        change(
            f"{SA}-conversation-service-{E1}",
            lambda i: i["alarms"]["alarmNames"].append(f"{SA}-prod-inbound-dead-letters-{E1}"),
        ),
    ),
    Defect(
        "agentha-aws-fis-experiment-template-disallow-symptom-stop",
        "support-prod",
        "zone-outage drill stops on the region-health composite",
        f"{SA}-prod-actions-dead-letters-{E1} (dead letters), "
        f"{SA}-prod-conversation-running-below-min-{E1} (running tasks)",
        change(
            f"{SA}-zone-outage-experiment-{E1}",
            setting(
                "stopConditions.0.value",
                f"arn:aws:cloudwatch:{E1}:123456789012:alarm:{SA}-prod-region-health-composite-{E1}",
            ),
        ),
    ),
    Defect(
        "agentha-aws-fis-experiment-template-disallow-symptom-stop",
        "support-prod",
        "agent-crash drill stops on an unhealthy-hosts alarm",
        "(unhealthy hosts), which the drill trips on purpose",
        change(
            f"{SA}-agent-crash-experiment-{E1}",
            setting(
                "stopConditions.0.value",
                f"arn:aws:cloudwatch:{E1}:123456789012:alarm:{SA}-prod-conversation-unhealthy-hosts-blue-{E1}",
            ),
        ),
    ),
    Defect(
        "agentha-aws-cloudwatch-metric-alarm-count-refused-requests",
        "support-prod",
        "5xx ratio over RequestCount alone",
        "divides by RequestCount alone",
        change(
            f"{SA}-conversation-5xx-rate-alarm-{W2}",
            lambda i: i["metricQueries"][-1].update(
                expression="100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests"
            ),
        ),
    ),
]


# --- issue 13: blind spots a security reviewer expects any pack to catch ----------------------------


def _add_statement(statement: dict[str, Any]):
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        doc["Statement"].append(statement)
        return doc

    return edit


def _first_statement_resource(resource: Any):
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        doc["Statement"][0]["Resource"] = resource
        return doc

    return edit


def _anyone_may_assume(doc: dict[str, Any]) -> dict[str, Any]:
    doc["Statement"][0]["Principal"] = {"AWS": "*"}
    doc["Statement"][0].pop("Condition", None)
    return doc


def _route_through(route: str, nat: str):
    """The private route `route` sends its traffic through NAT gateway `nat` (input and its dependency)."""

    def damage(g: Any) -> Any:
        target = g.named(nat)
        assert target is not None
        graph = mutate(g, lambda r: r.custom and r.name == route, setting("natGatewayId", f"{nat}-id"))
        return mutate(
            graph,
            lambda r: r.custom and r.name == route,
            property_dependencies={
                **graph.named(route).property_dependencies,  # type: ignore[union-attr]
                "natGatewayId": (target.urn,),
            },
        )

    return damage


QUEUE_E1 = f"arn:aws:sqs:{E1}:123456789012:{SA}-prod-inbound.fifo"

DEFECTS += [
    Defect(
        "agentha-aws-resource-policy-disallow-public-principal",
        "support-prod",
        "queue policy lets any account send",
        "allows sqs:SendMessage to any principal (*) (statement PartnerSend) with no condition that pins the caller",
        change(
            f"{SA}-inbound-queue-policy-{E1}",
            json_field(
                "policy",
                _add_statement(
                    {
                        "Sid": "PartnerSend",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "sqs:SendMessage",
                        "Resource": QUEUE_E1,
                    }
                ),
            ),
        ),
    ),
    Defect(
        "agentha-aws-resource-policy-disallow-public-principal",
        "support-prod",
        "key policy lets any AWS principal decrypt",
        "allows kms:Decrypt to any principal (*)",
        change(
            f"{SA}-key-{W2}",
            json_field(
                "policy",
                _add_statement(
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
                ),
            ),
        ),
    ),
    Defect(
        "agentha-aws-iam-policy-disallow-wildcard-resource",
        "support-prod",
        "task role consumes every queue in the account",
        "allows sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes, sqs:GetQueueUrl, "
        'sqs:ReceiveMessage on Resource "*" (statement ConsumeOwnQueues)',
        change(f"{SA}-conversation-task-policy-{E1}", json_field("policy", _first_statement_resource("*"))),
    ),
    Defect(
        "agentha-aws-iam-role-disallow-public-trust",
        "support-prod",
        "task role any AWS principal can assume",
        "can be assumed by any principal",
        change(f"{SA}-conversation-task-role-{E1}", json_field("assumeRolePolicy", _anyone_may_assume)),
    ),
    Defect(
        "agentha-aws-ec2-vpc-restrict-default-security-group",
        "support-prod",
        "VPC with its default security group unmanaged",
        "leaves its default security group unmanaged",
        drop(f"{SA}-network-default-sg-{E1}"),
    ),
    Defect(
        "agentha-aws-ec2-vpc-restrict-default-security-group",
        "support-prod",
        "default security group that allows the VPC in",
        "allows traffic (inline ingress rules)",
        change(
            f"{SA}-network-default-sg-{W2}",
            setting("ingress", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]),
        ),
    ),
    Defect(
        "agentha-aws-lb-load-balancer-enable-access-logs",
        "support-prod",
        "internet-facing ALB without access logs",
        "faces the internet but writes no access logs",
        change(f"{SA}-conversation-alb-{E1}", setting("accessLogs", DELETE)),
    ),
    Defect(
        "agentha-aws-ec2-vpc-enable-flow-logs",
        "support-prod",
        "VPC without a flow log",
        "has no flow log",
        drop(f"{SA}-flow-log-{W2}"),
    ),
    Defect(
        "agentha-aws-cloudwatch-log-group-enable-encryption",
        "support-prod",
        "agent log group without KMS key",
        "is not encrypted with a customer managed KMS key",
        change(f"{SA}-conversation-logs-{E1}", setting("kmsKeyId", DELETE)),
    ),
    Defect(
        "agentha-aws-ec2-subnet-disallow-public-ip",
        "support-prod",
        "private subnet that maps public IPs",
        "is private (no route to an internet gateway) but assigns a public IP address",
        change(f"{SA}-network-private-subnet-{E1}a", setting("mapPublicIpOnLaunch", True)),
    ),
    Defect(
        "agentha-aws-lb-load-balancer-drop-invalid-headers",
        "support-prod",
        "ALB passing invalid headers on",
        "routes requests with invalid header names to its targets",
        change(f"{SA}-conversation-alb-{W2}", setting("dropInvalidHeaderFields", False)),
    ),
    Defect(
        "agentha-aws-ec2-route-table-use-own-zone-nat",
        "support-prod",
        "zone b's private route through zone a's NAT gateway",
        f"sends the egress of subnet '{SA}-network-private-subnet-{E1}b' in {E1}b through NAT gateway "
        f"'{SA}-network-nat-{E1}a' in {E1}a",
        _route_through(f"{SA}-network-private-default-route-{E1}b", f"{SA}-network-nat-{E1}a"),
    ),
]
