"""SyntheticCanary: the ingress agent's synthetic transaction per region, alarmed and in the SLO signals."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from blueprints.plan.models import HealthAlarmTiming, SyntheticPlan
from components.aws.synthetic_canary import (
    HANDLER,
    RUNTIME_VERSION,
    SCRIPT_PATH,
    canary_script,
    schedule_expression,
)
from tests.components.aws.helpers import doc, graph, synth_case, tags

CANARY = "aws:synthetics/canary:Canary"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CHECK = "aws:route53/healthCheck:HealthCheck"


def canaries(case: str) -> dict[str, object]:
    return {c.inputs["region"]: c for c in graph(case).of_type(CANARY)}


def test_a_canary_runs_in_every_region_with_ingress_replicas() -> None:
    plan = synth_case("support-agent").plan
    assert plan.routing is not None and plan.routing.synthetic is not None
    assert set(canaries("support-agent")) == set(plan.routing.synthetic.regions) == {"us-east-1", "us-west-2"}
    # a pilot-light standby has no task: a canary would wake it each run
    staging = synth_case("support-agent@staging").plan
    assert staging.routing is not None and staging.routing.synthetic is not None
    assert set(canaries("support-agent@staging")) == {"us-east-1"}
    # no synthetic in the spec, no canary
    assert graph("order-routing").of_type(CANARY) == []


def test_the_canary_arguments_are_the_ones_aws_accepts() -> None:
    plan = synth_case("support-agent").plan
    assert plan.routing is not None and plan.routing.synthetic is not None
    syn = plan.routing.synthetic
    for canary in canaries("support-agent").values():
        i = canary.inputs  # type: ignore[attr-defined]
        assert i["runtimeVersion"] == RUNTIME_VERSION == "syn-nodejs-puppeteer-13.1"
        assert i["handler"] == HANDLER and f"nodejs/node_modules/{HANDLER.split('.')[0]}.js" == SCRIPT_PATH
        assert len(i["name"]) <= 21 and i["name"] == i["name"].lower()
        assert i["schedule"] == {"expression": "rate(1 minute)"}
        assert i["runConfig"]["timeoutInSeconds"] == syn.timeout_s == 30
        assert i["runConfig"]["memoryInMb"] == 960
        assert i["startCanary"] is True and i["deleteLambda"] is True
        assert i["successRetentionPeriod"] == 7 and i["failureRetentionPeriod"] == 31
        assert i["artifactConfig"]["s3Encryption"]["encryptionMode"] == "SSE_KMS"
        assert "vpcConfig" not in i  # public ingress: reached from outside the VPC
        assert tags(canary)["agentha:spec-path"] == "ingress.synthetic"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minutes", "expected"), [(1, "rate(1 minute)"), (5, "rate(5 minutes)"), (60, "rate(60 minutes)")]
)
def test_the_schedule_is_the_spec_interval(minutes: int, expected: str) -> None:
    assert schedule_expression(minutes * 60) == expected


def test_the_alarm_counts_missing_runs_as_failures_and_notifies() -> None:
    g = graph("support-agent")
    plan = synth_case("support-agent").plan
    assert plan.routing is not None and plan.routing.synthetic is not None
    timing = plan.routing.synthetic.alarm
    alarms = [a for a in g.of_type(ALARM) if a.inputs["name"].endswith(f"-ingress-synthetic-{a.inputs['region']}")]
    assert {a.inputs["region"] for a in alarms} == {"us-east-1", "us-west-2"}
    for a in alarms:
        i = a.inputs
        assert (i["namespace"], i["metricName"]) == ("CloudWatchSynthetics", "SuccessPercent")
        assert set(i["dimensions"]) == {"CanaryName"}
        assert i["treatMissingData"] == "breaching"  # a total outage, or a canary that cannot run
        assert (i["period"], i["evaluationPeriods"], i["datapointsToAlarm"]) == (
            timing.period_s,
            timing.evaluation_periods,
            timing.datapoints,
        )
        assert (i["comparisonOperator"], i["threshold"], i["statistic"]) == ("LessThanThreshold", 100, "Minimum")
        assert i["alarmActions"] and i["okActions"]


def test_the_synthetic_alarm_is_part_of_the_slo_burn_abort_alarm() -> None:
    g = graph("support-agent")
    for region in ("us-east-1", "us-west-2"):
        name = next(
            a.inputs["name"] for a in g.of_type(ALARM) if a.inputs["name"].endswith(f"-ingress-synthetic-{region}")
        )
        composite = next(
            c
            for c in g.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
            if c.inputs["alarmName"].endswith(f"-availability-slo-burn-{region}")
        )
        assert f'OR ALARM("{name}")' in composite.inputs["alarmRule"]


def test_a_public_region_fails_over_on_https_and_the_synthetic_together() -> None:
    g = graph("support-agent")
    checks = g.of_type(CHECK)
    by_name = {c.name: c for c in checks}
    for region in ("us-east-1", "us-west-2"):
        calculated = by_name[f"support-agent-ingress-combined-check-{region}"]
        assert calculated.inputs["type"] == "CALCULATED"
        # the primary also needs the Region switch plan's vended check (test_region_switch_plan)
        children = calculated.inputs["childHealthchecks"]
        vended = sum(c.startswith("rs-") for c in children)
        assert vended == (region == "us-east-1")
        assert calculated.inputs["childHealthThreshold"] == len(children) == 2 + vended
        https = by_name[f"support-agent-ingress-health-check-{region}"]
        synthetic = by_name[f"support-agent-ingress-synthetic-check-{region}"]
        assert https.inputs["type"] == "HTTPS"
        assert synthetic.inputs["type"] == "CLOUDWATCH_METRIC"
        assert synthetic.inputs["cloudwatchAlarmName"].endswith(f"-ingress-synthetic-{region}")
        assert synthetic.inputs["insufficientDataHealthStatus"] == "LastKnownStatus"
    records = [r for r in g.of_type("aws:route53/record:Record") if r.inputs.get("healthCheckId")]
    assert len(records) == 2  # each failover record is judged by the calculated check


def test_a_private_canary_runs_in_the_private_subnets_and_may_only_leave_on_443_to_the_vpc() -> None:
    g = graph("private-synthetic")
    plan = synth_case("private-synthetic").plan
    assert plan.routing is not None and not plan.routing.public
    found = canaries("private-synthetic")
    assert set(found) == {r.name for r in plan.regions}
    for region, canary in found.items():
        vpc = canary.inputs["vpcConfig"]  # type: ignore[attr-defined]
        assert len(vpc["subnetIds"]) == len(plan.region(region).zones) and len(vpc["securityGroupIds"]) == 1
        assert canary.inputs["schedule"] == {"expression": "rate(1 minute)"}  # type: ignore[attr-defined]
    egress = [
        r for r in g.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") if "-synthetic-" in r.name
    ]
    assert len(egress) == len(found)
    assert all((e.inputs["fromPort"], e.inputs["toPort"], e.inputs["ipProtocol"]) == (443, 443, "tcp") for e in egress)
    assert all(e.inputs["cidrIpv4"] != "0.0.0.0/0" for e in egress)
    # a private region's calculated check needs the 'no healthy host' check and the synthetic's
    checks = {c.name: c for c in g.of_type(CHECK)}
    for region in found:
        calc = checks[f"order-routing-ingress-combined-check-{region}"]
        # the synthetic, the plan's vended check, and either blue/green group
        assert calc.inputs["type"] == "CALCULATED" and calc.inputs["childHealthThreshold"] == 3
    endpoints = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"monitoring", "s3"} <= endpoints


def test_the_role_is_least_privilege_with_no_wildcard_action() -> None:
    g = graph("private-synthetic")
    policies = [p for p in g.of_type("aws:iam/rolePolicy:RolePolicy") if "-synthetic-policy-" in p.name]
    assert policies
    for policy in policies:
        statements = {s["Sid"]: s for s in doc(policy, "policy")["Statement"]}
        for s in statements.values():
            assert all("*" not in a for a in s["Action"])
        assert statements["WriteArtifacts"]["Resource"][0].endswith("/runs/*")
        assert statements["PublishSyntheticsMetrics"]["Condition"] == {
            "StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}
        }
        assert statements["WriteOwnLogs"]["Resource"][0].split(":log-group:")[1].startswith("/aws/lambda/cwsyn-")
        assert "kms:ViaService" in statements["EncryptArtifactsThroughS3"]["Condition"]["StringEquals"]
        assert "LambdaNetworkInterfaces" in statements  # private ingress: the canary runs in the VPC
    public = [p for p in graph("support-agent").of_type("aws:iam/rolePolicy:RolePolicy") if "-synthetic-" in p.name]
    assert all("LambdaNetworkInterfaces" not in {s["Sid"] for s in doc(p, "policy")["Statement"]} for p in public)


def test_the_artifact_bucket_is_encrypted_private_tls_only_and_expires_runs() -> None:
    g = graph("support-agent")
    buckets = [b for b in g.of_type("aws:s3/bucket:Bucket") if "-synthetic-" in b.name]
    assert len(buckets) == 2 and all(b.inputs["forceDestroy"] is False for b in buckets)

    def synthetic(*types: str) -> list:  # the access log buckets are another component's (test_access_logs)
        return [r for r in g.of_type(*types) if "-synthetic-" in r.name]

    sse = synthetic("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert len(sse) == 2
    assert all(r.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms" for r in sse)
    blocks = synthetic("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(blocks) == 2 and all(all(b.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy")) for b in blocks)
    lifecycles = synthetic("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert len(lifecycles) == 2
    assert all(r.inputs["rules"][0]["filter"] == {"prefix": "runs/"} for r in lifecycles)
    for policy in synthetic("aws:s3/bucketPolicy:BucketPolicy"):
        statement = doc(policy, "policy")["Statement"][0]
        assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_code_object_is_the_generated_script_named_by_its_hash() -> None:
    g = graph("support-agent")
    objects = [o for o in g.of_type("aws:s3/bucketObjectv2:BucketObjectv2") if "-synthetic-code-" in o.name]
    assert len(objects) == 2
    keys = {o.inputs["key"] for o in objects}
    assert len(keys) == 1 and next(iter(keys)).startswith("code/")  # same transaction, same code in each region


def synthetic(**changes: object) -> SyntheticPlan:
    base = {
        "path": "/v1/chat",
        "method": "POST",
        "body": '{"message": "ping"}',
        "expect_status": 200,
        "body_contains": "pong",
        "interval_s": 60,
        "timeout_s": 30,
        "failure_threshold": 2,
        "failover": True,
        "regions": ("us-east-1",),
        "alarm": HealthAlarmTiming("SuccessPercent", 60, 2, 2),
    }
    base.update(changes)
    return SyntheticPlan(**base)  # type: ignore[arg-type]


HARNESS = r"""
const Module = require('module');
const seen = {};
const answer = JSON.parse(process.env.ANSWER);
const original = Module._load;
Module._load = function (name, ...rest) {
  if (name !== 'https') return original.call(this, name, ...rest);
  return {
    request(options, onResponse) {
      seen.options = options; seen.written = '';
      const handlers = {};
      const request = {
        on(event, fn) { handlers[event] = fn; return request; },
        write(data) { seen.written += data; },
        destroy(err) { handlers.error(err); },
        end() {
          const listeners = {};
          const response = { statusCode: answer.status, setEncoding() {},
            on(event, fn) { listeners[event] = fn; return response; } };
          onResponse(response);
          listeners.data(answer.body);
          listeners.end();
        },
      };
      return request;
    },
  };
};
const canary = require(process.argv[2]);
canary.handler().then(
  (r) => console.log(JSON.stringify({ ok: r, seen })),
  (e) => console.log(JSON.stringify({ error: e.message, seen })));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the generated canary script")
@pytest.mark.parametrize(
    ("status", "body", "passes", "says"),
    [
        (200, '{"reply": "pong"}', True, ""),
        (503, "no healthy upstream", False, "answered 503, expected 200"),
        (200, '{"reply": "sorry"}', False, 'does not contain \\"pong\\"'),
    ],
)
def test_the_generated_script_passes_only_on_the_expected_answer(
    tmp_path: Path, status: int, body: str, passes: bool, says: str
) -> None:
    script = canary_script(synthetic(), "support.acme.example")
    # what the canary uploads: a zip holding the script where the Node.js runtimes load it
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(SCRIPT_PATH, script)
    with zipfile.ZipFile(archive) as z:
        (tmp_path / "canary.js").write_bytes(z.read(SCRIPT_PATH))
    (tmp_path / "harness.js").write_text(HARNESS)
    env = {"TARGET_HOST": "alb-123.us-east-1.elb.amazonaws.com", "ANSWER": json.dumps({"status": status, "body": body})}
    out = subprocess.run(
        ["node", str(tmp_path / "harness.js"), str(tmp_path / "canary.js")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=True,
    ).stdout
    result = json.loads(out)
    options = result["seen"]["options"]
    # this region's load balancer, with SNI and Host of the domain: the certificate is checked against it
    assert options["host"] == "alb-123.us-east-1.elb.amazonaws.com"
    assert options["servername"] == "support.acme.example" and options["headers"]["Host"] == "support.acme.example"
    assert (options["method"], options["path"], options["port"]) == ("POST", "/v1/chat", 443)
    assert result["seen"]["written"] == '{"message": "ping"}'
    if passes:
        assert result["ok"] == "passed"
    else:
        assert says in json.dumps(result["error"])
