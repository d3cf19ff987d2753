"""SyntheticCanary: the ingress agent's synthetic transaction in one region, and its alarm.

A CloudWatch Synthetics canary sends the spec's request (`ingress.synthetic`) to this region's
ingress load balancer on a schedule and checks the answer's status and body. It exercises the real
agent path end to end and sees what the load balancer's metrics cannot: with no task left, or with
no request reaching the load balancer at all, `RequestCount` has no data, while every canary run
fails. Its alarm (`SuccessPercent` < 100 on `failure_threshold` consecutive runs, missing data
breaching: a canary that cannot run reads as failing) notifies the region's topic, is part of the
region's SLO signals (slo_burn.py) and, with `synthetic.failover`, of the region's Route 53 health
check (failover_routing.py). Its timing is decided by blueprints/plan/timing.py.

The request goes to the load balancer's own DNS name with TLS SNI and Host set to the ingress domain,
so the certificate is validated against the domain (the check fails on a wrong certificate) and this
region is tested, not whichever region DNS answers with. The script uses Node.js built-ins only (no
Synthetics library call), so it runs unchanged on any Node.js Synthetics runtime.

Runtime: `syn-nodejs-puppeteer-13.1` (AWS lists deprecated runtimes in "Runtime versions support
policy"; 7.0 and older are deprecated, 13.1 is not). Code: a zip generated here, uploaded to the
artifact bucket under a key named by its content hash, so a changed transaction deploys new code.

A private ingress is reached from inside the VPC: the canary runs in the private subnets with a
security group that may leave only on 443 to the VPC (the internal load balancer takes 443 from the
VPC). It then reaches S3 and CloudWatch through NAT or the VPC endpoints the topology adds.

Artifacts (screenshots, logs, HAR) go to a bucket per region: SSE-KMS with the region key, public
access blocked, TLS only, `runs/` expired after ARTIFACT_DAYS; runs are kept SUCCESS_RETENTION_DAYS
(successes) and FAILURE_RETENTION_DAYS (failures) in Synthetics.

Least privilege (AWS, "Required roles and permissions for canaries"): the role may write artifacts
under its prefix and read the bucket's location, list buckets (the runtime calls ListAllMyBuckets; it
takes no resource), publish metrics only in the CloudWatchSynthetics namespace, write its own
`cwsyn-<name>-*` log groups, use the region key only through S3, and (private ingress only) manage
its Lambda's network interfaces. No wildcard action. Not managed here: the Lambda function's log
group, which Synthetics creates with a generated suffix (its retention is Lambda's default).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, ec2, iam, s3, synthetics, vpc

from blueprints.plan import naming
from blueprints.plan.models import SyntheticPlan
from components.aws.alarms import AlarmTarget, metric_alarm
from components.aws.buckets import ABORT_INCOMPLETE_UPLOADS, private_bucket
from components.aws.iam import Statement, policy_json, trust_policy
from components.aws.tags import TagContext

TOKEN = "agentha:aws:SyntheticCanary"

RUNTIME_VERSION = "syn-nodejs-puppeteer-13.1"
SCRIPT_FILE = "agentha_synthetic"
HANDLER = f"{SCRIPT_FILE}.handler"
SCRIPT_PATH = f"nodejs/node_modules/{SCRIPT_FILE}.js"
"""The Node.js runtimes load the handler file from nodejs/node_modules (every version accepts it)."""
NAMESPACE = "CloudWatchSynthetics"
METRIC = "SuccessPercent"
MEMORY_MB = 960
"""The smallest memory a Synthetics canary accepts (multiples of 64, at least 960 MB)."""
SUCCESS_RETENTION_DAYS = 7
FAILURE_RETENTION_DAYS = 31
ARTIFACT_DAYS = 31
NAME_LIMIT = 21
"""Canary names: lowercase letters, digits, - and _, at most 21 characters."""
SPEC_PATH = "ingress.synthetic"

SCRIPT = """'use strict';
// agentha-blueprint synthetic transaction: one HTTPS request to this region's ingress load balancer,
// TLS SNI and Host set to the ingress domain (the certificate is checked against it).
const https = require('https');
const CHECK = __CHECK__;

exports.handler = async function () {
  const host = process.env.TARGET_HOST;
  if (!host) throw new Error('TARGET_HOST is not set');
  const answer = await new Promise((resolve, reject) => {
    const headers = { Host: CHECK.domain, 'User-Agent': 'agentha-synthetic/1' };
    if (CHECK.body !== null) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(CHECK.body);
    }
    const request = https.request(
      { host, servername: CHECK.domain, port: 443, path: CHECK.path, method: CHECK.method, headers,
        timeout: CHECK.timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { if (body.length < 1048576) body += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
    request.on('timeout', () => request.destroy(new Error('no answer within ' + CHECK.timeoutMs + ' ms')));
    request.on('error', reject);
    if (CHECK.body !== null) request.write(CHECK.body);
    request.end();
  });
  if (answer.status !== CHECK.expectStatus) {
    throw new Error(CHECK.method + ' ' + CHECK.path + ' answered ' + answer.status +
      ', expected ' + CHECK.expectStatus);
  }
  if (CHECK.bodyContains !== null && !answer.body.includes(CHECK.bodyContains)) {
    throw new Error(CHECK.method + ' ' + CHECK.path + ': the answer does not contain ' +
      JSON.stringify(CHECK.bodyContains));
  }
  return 'passed';
};
"""


def canary_script(synthetic: SyntheticPlan, domain: str) -> str:
    """The canary's Node.js source for this transaction (deterministic: same plan, same bytes)."""
    check = {
        "domain": domain,
        "path": synthetic.path,
        "method": synthetic.method,
        "body": synthetic.body,
        "expectStatus": synthetic.expect_status,
        "bodyContains": synthetic.body_contains,
        # leave the runtime a few seconds to report the failure before the run itself times out
        "timeoutMs": max(5, synthetic.timeout_s - 5) * 1000,
    }
    return SCRIPT.replace("__CHECK__", json.dumps(check, sort_keys=True))


def schedule_expression(interval_s: int) -> str:
    minutes = interval_s // 60
    return f"rate({minutes} minute{'s' if minutes != 1 else ''})"


def canary_name(scope: str, region: str) -> str:
    return naming.fit(naming.join(scope, "syn", naming.region_code(region)), NAME_LIMIT)


@dataclass(frozen=True)
class SyntheticCanaryArgs:
    synthetic: SyntheticPlan
    region: str
    tags: TagContext
    domain: str
    load_balancer_dns: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    topic_arn: pulumi.Input[str]
    public: bool
    vpc_id: pulumi.Input[str] | None = None
    vpc_cidr: pulumi.Input[str] | None = None
    private_subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Private ingress only: the canary runs in these subnets to reach the internal load balancer."""


class SyntheticCanary(pulumi.ComponentResource):
    """One region's CloudWatch Synthetics canary for the ingress agent's transaction, and its alarm."""

    canary_name: pulumi.Output[str]
    alarm: cloudwatch.MetricAlarm
    alarm_name: pulumi.Output[str]

    def __init__(self, name: str, args: SyntheticCanaryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        a = args
        syn = a.synthetic
        region = a.region
        system = a.tags.system
        child = pulumi.ResourceOptions(parent=self)
        tags = a.tags.tags("ingress", "synthetic", region=region, spec_path=SPEC_PATH)
        physical = canary_name(a.tags.scope, region)
        if a.public is False and (a.vpc_id is None or a.vpc_cidr is None or not a.private_subnet_ids):
            raise ValueError(f"region {region}: a private ingress's canary needs the VPC and its private subnets")

        # --- artifact bucket ------------------------------------------------------------------------
        bucket = private_bucket(
            lambda role: naming.resource(system, "synthetic", naming.join("artifacts", role), region),
            parent=self,
            region=region,
            bucket_prefix=naming.fit(naming.join(a.tags.scope, "syn", naming.region_code(region)), 30) + "-",
            tags=tags,
            kms_key_arn=a.key_arn,
            lifecycle=[
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-runs",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="runs/"),
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=ARTIFACT_DAYS),
                ),
                ABORT_INCOMPLETE_UPLOADS,
            ],
            ownership=False,
            versioning=False,
        ).bucket
        script = canary_script(syn, a.domain)
        digest = hashlib.sha256(script.encode()).hexdigest()[:16]
        code = s3.BucketObjectv2(
            naming.resource(system, "synthetic", "code", region),
            s3.BucketObjectv2Args(
                bucket=bucket.id,
                key=f"code/{digest}.zip",
                source=pulumi.AssetArchive({SCRIPT_PATH: pulumi.StringAsset(script)}),
                region=region,
                tags=tags,
            ),
            opts=child,
        )

        # --- execution role ---------------------------------------------------------------------------
        via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}
        log_groups = pulumi.Output.concat(
            "arn:", a.partition, ":logs:", region, ":", a.account_id, ":log-group:/aws/lambda/cwsyn-", physical, "-*"
        )
        statements = [
            Statement("WriteArtifacts", ("s3:PutObject", "s3:GetObject"), [bucket.arn.apply(lambda b: f"{b}/runs/*")]),
            Statement("LocateArtifactBucket", ("s3:GetBucketLocation",), [bucket.arn]),
            # The runtime lists buckets before it writes; ListAllMyBuckets takes no resource.
            Statement("ListBuckets", ("s3:ListAllMyBuckets",), ["*"]),
            Statement(
                "PublishSyntheticsMetrics",
                ("cloudwatch:PutMetricData",),
                ["*"],  # PutMetricData takes no resource; the namespace condition scopes it
                {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
            ),
            Statement(
                "WriteOwnLogs", ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), [log_groups]
            ),
            Statement("EncryptArtifactsThroughS3", ("kms:GenerateDataKey", "kms:Decrypt"), [a.key_arn], via_s3),
        ]
        if not a.public:
            statements.append(
                Statement(
                    "LambdaNetworkInterfaces",
                    ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"),
                    ["*"],  # documented for VPC canaries: the interfaces do not exist before the call
                )
            )
        role = iam.Role(
            naming.resource(system, "synthetic", "role", region),
            iam.RoleArgs(
                name=naming.physical(a.tags.scope, "synthetic", naming.region_code(region), "iam-role"),
                description=f"{system}: runs the synthetic transaction canary in {region}",
                assume_role_policy=trust_policy("lambda.amazonaws.com", a.account_id),
                tags=tags,
            ),
            opts=child,
        )
        policy = iam.RolePolicy(
            naming.resource(system, "synthetic", "policy", region),
            iam.RolePolicyArgs(role=role.id, policy=policy_json(statements)),
            opts=child,
        )

        # --- network (private ingress) ------------------------------------------------------------------
        vpc_config = None
        if not a.public:
            group = ec2.SecurityGroup(
                naming.resource(system, "synthetic", "sg", region),
                ec2.SecurityGroupArgs(
                    vpc_id=a.vpc_id,
                    description=f"{system}: synthetic canary (HTTPS to the VPC only)",
                    region=region,
                    tags=tags,
                ),
                opts=child,
            )
            vpc.SecurityGroupEgressRule(
                naming.resource(system, "synthetic", "egress-https", region),
                vpc.SecurityGroupEgressRuleArgs(
                    security_group_id=group.id,
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_ipv4=a.vpc_cidr,
                    description="the internal load balancer, and AWS APIs through the VPC endpoints",
                    region=region,
                    tags=tags,
                ),
                opts=child,
            )
            vpc_config = synthetics.CanaryVpcConfigArgs(
                subnet_ids=list(a.private_subnet_ids), security_group_ids=[group.id]
            )

        # --- the canary ---------------------------------------------------------------------------------
        canary = synthetics.Canary(
            naming.resource(system, "synthetic", "canary", region),
            synthetics.CanaryArgs(
                name=physical,
                runtime_version=RUNTIME_VERSION,
                handler=HANDLER,
                s3_bucket=bucket.id,
                s3_key=code.key,
                execution_role_arn=role.arn,
                artifact_s3_location=bucket.id.apply(lambda b: f"s3://{b}/runs/"),
                artifact_config=synthetics.CanaryArtifactConfigArgs(
                    s3_encryption=synthetics.CanaryArtifactConfigS3EncryptionArgs(
                        encryption_mode="SSE_KMS", kms_key_arn=a.key_arn
                    )
                ),
                schedule=synthetics.CanaryScheduleArgs(expression=schedule_expression(syn.interval_s)),
                run_config=synthetics.CanaryRunConfigArgs(
                    timeout_in_seconds=syn.timeout_s,
                    memory_in_mb=MEMORY_MB,
                    active_tracing=False,
                    environment_variables={"TARGET_HOST": a.load_balancer_dns},
                ),
                vpc_config=vpc_config,
                start_canary=True,
                delete_lambda=True,
                success_retention_period=SUCCESS_RETENTION_DAYS,
                failure_retention_period=FAILURE_RETENTION_DAYS,
                region=region,
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.canary_name = canary.name

        # --- the alarm: every failed run counts; no run at all is a failure too -----------------------------
        alarm = syn.alarm
        target = AlarmTarget(region=region, tags=a.tags, scope=a.tags.scope, topic_arn=a.topic_arn)
        self.alarm = metric_alarm(
            target,
            part="ingress",
            sli="synthetic",
            spec_path=SPEC_PATH,
            description=f"{system} ({region}): the synthetic {syn.method} {syn.path} failed {alarm.datapoints} run(s) "
            f"in a row, or no run reported — users of this region are likely failing too",
            namespace=NAMESPACE,
            metric=alarm.metric,
            dimensions={"CanaryName": canary.name},
            statistic="Minimum",
            threshold=100,
            comparison="LessThanThreshold",
            period=alarm.period_s,
            evaluation_periods=alarm.evaluation_periods,
            datapoints=alarm.datapoints,
            missing="breaching",
            parent=self,
        )
        self.alarm_name = self.alarm.name
        self.register_outputs({"canary_name": self.canary_name, "alarm_name": self.alarm_name})
