"""The model gateway's PrometheusRule group, evaluated by Prometheus's own rule engine (`promtool test rules`).

The provider alerts divide rates of LiteLLM's counters; when those counters stop arriving, each of them
evaluates to nothing and stays quiet. These tests feed the rendered rules series over time and check which
alerts fire, with which labels, including the two that watch the metrics themselves: a gateway that is gone
(or whose metrics are) must page, not leave every provider alert blind. Skipped where `promtool` is not
installed (CI installs Debian's `prometheus` package, which ships it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kubernetes.gateway_rules import WatchedGateway, WatchedProvider, rules
from tests.components.kubernetes.support import case, load_spec, spec_file, specgen, synth_path, variant

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install prometheus)"
)

NS = "v-model-gateway"
SERVICE = "v-model-gateway-model-gateway"
SEL = f'namespace="{NS}",service="{SERVICE}"'


def group(objects: list[Any]) -> dict[str, Any]:
    (rule,) = [m.object for m in objects if m.object["kind"] == "PrometheusRule"]
    return next(g for g in rule["spec"]["groups"] if g["name"].endswith("-model-gateway"))


def expected(g: dict[str, Any], alert: str, dependency: str | None = None, **series: str) -> dict[str, Any]:
    """What promtool should see fire: the rule's labels (plus the series' own) and its annotations."""
    rule = next(r for r in g["rules"] if r["alert"] == alert and r["labels"].get("dependency") == dependency)
    return {"exp_labels": {**rule["labels"], **series}, "exp_annotations": rule["annotations"]}


def promtool(tmp_path: Path, g: dict[str, Any], tests: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [g]}), encoding="utf-8")
    (tmp_path / "tests.yaml").write_text(
        yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}), encoding="utf-8"
    )
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, "test", "rules", "tests.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )


def up(pod: str, values: str) -> dict[str, str]:
    return {"series": f'up{{{SEL},pod="{pod}"}}', "values": values}


def test_the_alerts_on_the_gateways_own_metrics_fire_as_documented(tmp_path: Path) -> None:
    g = group(case("variant:model-gateway").objects)
    missing = expected(g, "ModelGatewayMetricsMissing")

    def failing(pod: str) -> dict[str, Any]:
        return expected(g, "ModelGatewayScrapeFailing", namespace=NS, service=SERVICE, pod=pod)

    tests = [
        {  # healthy: both pods answer; nothing fires
            "interval": "1m",
            "input_series": [up("gw-a", "1x40"), up("gw-b", "1x40")],
            "alert_rule_test": [
                {"eval_time": "30m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": []},
                {"eval_time": "30m", "alertname": "ModelGatewayScrapeFailing", "exp_alerts": []},
            ],
        },
        {  # one pod's /metrics stops answering: a ticket for that pod, no page while the other answers
            "interval": "1m",
            "input_series": [up("gw-a", "1x40"), up("gw-b", "1x5 0x35")],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "ModelGatewayScrapeFailing", "exp_alerts": []},  # not yet 10m
                {
                    "eval_time": "20m",
                    "alertname": "ModelGatewayScrapeFailing",
                    "exp_alerts": [failing("gw-b")],
                },
                {"eval_time": "20m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": []},
            ],
        },
        {  # every pod gone (series end, as when the Deployment's pods are deleted): the region is blind
            "interval": "1m",
            "input_series": [up("gw-a", "1x5 stale"), up("gw-b", "1x5 stale")],
            "alert_rule_test": [
                {"eval_time": "12m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": []},
                {"eval_time": "20m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": [missing]},
            ],
        },
        {  # every pod failing its scrape: both the page and a ticket per pod
            "interval": "1m",
            "input_series": [up("gw-a", "0x30"), up("gw-b", "0x30")],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": [missing]},
                {
                    "eval_time": "20m",
                    "alertname": "ModelGatewayScrapeFailing",
                    "exp_alerts": [
                        failing("gw-a"),
                        failing("gw-b"),
                    ],
                },
            ],
        },
        {  # never scraped at all (the monitor selects nothing): the same page
            "interval": "1m",
            "input_series": [{"series": 'up{namespace="other",service="x",pod="y"}', "values": "1x30"}],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "ModelGatewayMetricsMissing", "exp_alerts": [missing]},
            ],
        },
    ]
    result = promtool(tmp_path, g, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_provider_error_rate_pages_on_failures_and_not_on_silence(tmp_path: Path) -> None:
    g = group(case("variant:model-gateway").objects)
    page = expected(g, "ModelProviderErrorRate", "llm")
    calls = f'litellm_deployment_total_requests_total{{{SEL},model_group="llm",pod="gw-a"}}'
    failed = 'model_group="llm",exception_status="500",pod="gw-a"'
    failures = f"litellm_deployment_failure_responses_total{{{SEL},{failed}}}"
    tests = [
        {  # 100 calls a minute, 10 of them failing (10 % > the spec's 2 %): pages after 5m
            "interval": "1m",
            "input_series": [
                {"series": calls, "values": "0+100x30"},
                {"series": failures, "values": "0+10x30"},
            ],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "ModelProviderErrorRate", "exp_alerts": [page]},
            ],
        },
        {  # calls without failures: quiet (the `or vector(0)` keeps the ratio at 0, not absent)
            "interval": "1m",
            "input_series": [{"series": calls, "values": "0+100x30"}],
            "alert_rule_test": [{"eval_time": "20m", "alertname": "ModelProviderErrorRate", "exp_alerts": []}],
        },
        {  # no metrics at all: the provider alert cannot see, which is why the two above exist
            "interval": "1m",
            "input_series": [up("gw-a", "0x30")],
            "alert_rule_test": [{"eval_time": "20m", "alertname": "ModelProviderErrorRate", "exp_alerts": []}],
        },
    ]
    result = promtool(tmp_path, g, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_absence_is_not_an_outage_where_the_gateway_runs_no_replica() -> None:
    # pilot light: the standby cluster runs no gateway pod until failover; absence there is the plan
    spec = variant("active-passive-pilot-light")
    specgen().with_model_gateway(spec)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    load_spec(path)
    from stacks.manifests import collect

    by_region: dict[str, set[str]] = {}
    for m in collect(synth_path(path).graph):
        if m.object["kind"] != "PrometheusRule":
            continue
        for grp in m.object["spec"]["groups"]:
            if grp["name"].endswith("-model-gateway"):
                by_region[m.region] = {r["alert"] for r in grp["rules"]}
    assert set(by_region) == {"europe-west4", "us-central1"}
    assert "ModelGatewayMetricsMissing" in by_region["europe-west4"]
    assert "ModelGatewayMetricsMissing" not in by_region["us-central1"]
    assert "ModelGatewayScrapeFailing" in by_region["us-central1"]  # once activated, a failing pod still shows


def test_rules_without_running_pods_leave_the_absence_alert_out() -> None:
    gw = WatchedGateway(service="s", providers=(WatchedProvider("p", 30.0),), error_ratio=0.01, running=False)
    names = [r["expr"] for r in rules("ns", gw, lambda *a: {"expr": a[0]})]
    assert "ModelGatewayMetricsMissing" not in names and "ModelGatewayScrapeFailing" in names
