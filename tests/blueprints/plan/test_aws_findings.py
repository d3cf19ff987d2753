"""Planner findings about what the AWS components can and cannot build (blueprints/plan/aws_findings.py)."""

from __future__ import annotations

from blueprints.plan.models import Finding
from blueprints.plan.planner import plan_core
from blueprints.spec.loader import load_spec, load_text
from tests.blueprints.spec.rules.helpers import aws, dump
from tests.conftest import EXAMPLES

SUPPORT = EXAMPLES / "support-agent" / "spec.yaml"


def findings(code: str, spec_path=SUPPORT, env: str | None = None) -> list[Finding]:
    loaded = load_spec(spec_path, env)
    return [f for f in plan_core(loaded.spec, env).findings if f.code == code]


def test_replicas_keep_35_days_of_pitr_whatever_the_spec_says_and_plan_says_so() -> None:
    (finding,) = findings("dynamodb-replica-pitr")  # idempotency keeps 7 days; conversations keeps 35: fine
    assert finding.severity == "warning" and finding.path == "stores[1].backup.retention"
    assert "keeps 7 days" in finding.message and "us-west-2 keep 35" in finding.message
    assert "RecoveryPeriodInDays=7" in (finding.fix or "") and "--region us-west-2" in (finding.fix or "")
    assert findings("dynamodb-replica-pitr", env="dev") == []  # one region: no replica


def test_zone_evacuation_shows_what_a_zonal_shift_leaves_in_each_serving_region() -> None:
    (finding,) = findings("zone-evacuation")  # the warm standby serves nothing until failover
    assert finding.severity == "info" and "region us-east-1" in finding.message
    assert "conversation 3 of 5 tasks (min 3)" in finding.message
    spec = aws()
    spec["agents"][0]["replicas"]["static_stability"] = False
    loaded = load_text(dump(spec), "spec.yaml")
    (short,) = [f for f in plan_core(loaded.spec).findings if f.code == "zone-evacuation"]
    assert short.severity == "warning" and "below min" in short.message


def test_a_port_nobody_calls_is_said_to_get_no_load_balancer() -> None:
    (finding,) = findings("port-without-callers")
    assert "action-executor" in finding.message and finding.path == "agents[1].port"
    spec = aws()
    spec["agents"][0]["calls"] = ["action-executor"]
    loaded = load_text(dump(spec), "spec.yaml")
    planned = plan_core(loaded.spec)
    assert not [f for f in planned.findings if f.code == "port-without-callers"]
    assert planned.agent("action-executor").callers == ("conversation",)
