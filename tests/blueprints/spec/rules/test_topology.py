"""Rules of blueprints/spec/rules/topology.py: regions, zones, patterns, standby, Route 53, drills."""

from __future__ import annotations

import pytest

from tests.blueprints.spec.rules.helpers import aws, kubernetes, of_rule, only, run


def multi_zone() -> dict:
    spec = aws()
    spec["topology"] = {
        "pattern": "multi-zone",
        "regions": [{"name": "us-east-1", "role": "primary", "zones": ["us-east-1a", "us-east-1b", "us-east-1c"]}],
    }
    del spec["objectives"]["disruptions"]["region"]
    spec["chaos"]["drills"] = ["zone-outage"]
    return spec


def test_region_name_passes() -> None:
    assert of_rule(aws(), "region-name") == []
    assert of_rule(kubernetes(), "region-name") == []  # any name on kubernetes


def test_region_name_fails_for_a_non_aws_name() -> None:
    spec = multi_zone()
    spec["topology"]["regions"][0]["name"] = "us-east"
    spec["topology"]["regions"][0]["zones"] = ["us-easta", "us-eastb"]
    found = [p for p in run(spec) if p.rule == "region-name"]
    assert [p.path for p in found] == ["topology.regions[0].name"]
    assert "us-east-1, eu-west-1" in found[0].fix


def test_region_name_fails_for_a_region_listed_twice() -> None:
    spec = aws()
    spec["topology"]["regions"][1] = dict(spec["topology"]["regions"][0], role="standby")
    found = [p for p in run(spec) if p.rule == "region-name"]
    assert [p.path for p in found] == ["topology.regions[1].name"]
    assert "listed twice" in found[0].message


def test_zone_in_region_passes() -> None:
    assert of_rule(aws(), "zone-in-region") == []


def test_zone_in_region_fails_for_another_regions_zone() -> None:
    spec = aws()
    spec["topology"]["regions"][1]["zones"][2] = "us-east-1c"
    p = only(spec, "zone-in-region")
    assert p.path == "topology.regions[1].zones[2]"
    assert p.fix == "use zones of us-west-2, such as us-west-2a, us-west-2b, us-west-2c"


def test_zone_in_region_fails_for_a_zone_listed_twice() -> None:
    spec = aws()
    spec["topology"]["regions"][0]["zones"][2] = "us-east-1a"
    p = only(spec, "zone-in-region")
    assert "listed twice" in p.message


def test_zone_in_region_does_not_check_names_on_kubernetes() -> None:
    spec = kubernetes()
    spec["topology"]["regions"][0]["zones"] = ["a", "b", "c"]
    assert of_rule(spec, "zone-in-region") == []


def test_zone_count_passes() -> None:
    assert of_rule(aws(), "zone-count") == []


def test_zone_count_fails_for_one_zone_in_a_multi_zone_pattern() -> None:
    spec = multi_zone()
    spec["topology"]["regions"][0]["zones"] = ["us-east-1a"]
    p = only(spec, "zone-count")
    assert p.path == "topology.regions[0].zones"
    assert "at least 2 zones" in p.message
    assert "pattern single-zone" in p.fix


def test_zone_count_fails_for_two_zones_in_single_zone() -> None:
    spec = multi_zone()
    spec["topology"]["pattern"] = "single-zone"
    spec["topology"]["regions"][0]["zones"] = ["us-east-1a", "us-east-1b"]
    p = only(spec, "zone-count")
    assert "exactly one zone" in p.message


def test_zone_count_fails_for_more_zones_than_the_network_plan_holds() -> None:
    spec = multi_zone()
    spec["topology"]["regions"][0]["zones"] = [f"us-east-1{c}" for c in "abcdefghi"]
    for a in spec["agents"]:
        a["replicas"]["max"] = 20  # keep the replica warning out of this case
    p = only(spec, "zone-count")
    assert "9 zones" in p.message and p.allowed == "≤ 8"


def test_pattern_regions_passes_for_each_pattern() -> None:
    assert of_rule(aws(), "pattern-regions") == []
    assert of_rule(multi_zone(), "pattern-regions") == []


def test_pattern_regions_multi_zone_runs_in_one_region() -> None:
    spec = aws()
    spec["topology"]["pattern"] = "multi-zone"
    del spec["topology"]["standby"]
    found = [p for p in run(spec) if p.rule == "pattern-regions"]
    assert {p.path for p in found} == {"topology.regions", "topology.regions[1].role"}
    assert "runs in one region, found 2" in found[0].message


@pytest.mark.parametrize(
    ("roles", "words"),
    [
        (["primary", "primary"], "exactly one primary region, found 2"),
        (["standby", "standby"], "exactly one primary region, found 0"),
    ],
)
def test_pattern_regions_active_passive_roles(roles: list[str], words: str) -> None:
    spec = aws()
    for region, role in zip(spec["topology"]["regions"], roles, strict=True):
        region["role"] = role
    found = [p for p in run(spec) if p.rule == "pattern-regions"]
    assert any(words in p.message for p in found)


def test_pattern_regions_active_passive_needs_a_standby() -> None:
    spec = aws()
    spec["topology"]["regions"][1]["role"] = "primary"
    spec["topology"]["regions"][0]["role"] = "primary"
    found = [p for p in run(spec) if p.rule == "pattern-regions"]
    assert any("at least one standby region" in p.message and "role: standby" in p.fix for p in found)


def test_pattern_regions_active_active_needs_two_active_regions() -> None:
    spec = multi_zone()
    spec["topology"]["pattern"] = "active-active"
    found = [p for p in run(spec) if p.rule == "pattern-regions"]
    assert [p.message for p in found] == [
        "active-active needs at least 2 regions, found 1",
        "every region of an active-active topology serves traffic",
    ]


def test_standby_pattern_passes() -> None:
    assert of_rule(aws(), "standby-pattern") == []


def test_standby_pattern_fails_outside_active_passive() -> None:
    spec = multi_zone()
    spec["topology"]["standby"] = "warm"
    p = only(spec, "standby-pattern")
    assert p.path == "topology.standby"
    assert "remove `standby`" in p.fix


def test_route53_interval_passes_at_10s_and_30s() -> None:
    spec = aws()
    spec["topology"]["failover"]["health_check"]["interval"] = "30s"
    assert of_rule(spec, "route53-interval") == []


def test_route53_interval_fails_otherwise() -> None:
    spec = aws()
    spec["topology"]["failover"]["health_check"]["interval"] = "15s"
    p = only(spec, "route53-interval")
    assert p.path == "topology.failover.health_check.interval"
    assert p.allowed == "10s, 30s"


def test_route53_interval_only_matters_with_failover_on_aws() -> None:
    spec = multi_zone()
    spec["topology"]["failover"] = {"health_check": {"interval": "15s"}}
    assert of_rule(spec, "route53-interval") == []


def test_drill_pattern_passes_with_a_second_region() -> None:
    assert of_rule(aws(), "drill-pattern") == []


def test_drill_pattern_fails_for_a_region_drill_in_one_region() -> None:
    spec = multi_zone()
    spec["chaos"]["drills"] = ["zone-outage", "region-outage"]
    p = only(spec, "drill-pattern")
    assert p.path == "chaos.drills[1]"
    assert "active-passive" in p.fix


def kubernetes_active_passive() -> dict:
    spec = kubernetes()
    spec["topology"] = {
        "pattern": "active-passive",
        "regions": [
            {"name": "eu", "role": "primary", "zones": ["eu-a", "eu-b", "eu-c"]},
            {"name": "us", "role": "standby", "zones": ["us-a", "us-b", "us-c"]},
        ],
    }
    return spec


def test_failover_primary_passes_after_a_failover_and_while_the_old_primary_is_fenced() -> None:
    spec = kubernetes_active_passive()
    assert of_rule(spec, "failover-primary") == []
    spec["topology"]["failover"] = {"current_primary": "us"}
    assert of_rule(spec, "failover-primary") == []
    spec["topology"]["failover"]["fenced"] = ["eu"]
    assert of_rule(spec, "failover-primary") == []


def test_failover_primary_fails_for_an_unknown_region() -> None:
    spec = kubernetes_active_passive()
    spec["topology"]["failover"] = {"current_primary": "ap"}
    p = only(spec, "failover-primary")
    assert p.path == "topology.failover.current_primary" and "eu, us" in p.fix
    spec["topology"]["failover"] = {"fenced": ["ap"]}
    assert only(spec, "failover-primary").path == "topology.failover.fenced[0]"


def test_failover_primary_refuses_to_fence_the_region_that_takes_writes() -> None:
    # Fencing the primary leaves no writable database: the spec must name the region that took over.
    spec = kubernetes_active_passive()
    spec["topology"]["failover"] = {"fenced": ["eu"]}
    p = only(spec, "failover-primary")
    assert p.path == "topology.failover.fenced[0]" and "current primary" in p.message
    assert "current_primary" in p.fix
    spec["topology"]["failover"] = {"current_primary": "us", "fenced": ["us"]}
    assert only(spec, "failover-primary").path == "topology.failover.fenced[0]"


def kubernetes_single_writer() -> dict:
    """Active-active on kubernetes; PostgreSQL takes every region's writes in one region (the first)."""
    spec = kubernetes()
    spec["topology"] = {
        "pattern": "active-active",
        "regions": [
            {"name": "eu", "role": "active", "zones": ["eu-a", "eu-b", "eu-c"], "pod_cidrs": ["10.1.0.0/16"]},
            {"name": "us", "role": "active", "zones": ["us-a", "us-b", "us-c"], "pod_cidrs": ["10.2.0.0/16"]},
        ],
    }
    spec["stores"] = [dict(spec["stores"][0], writes="primary-region")]
    for a in spec["agents"]:
        a["uses"] = [u for u in a.get("uses", []) if u != "cache"]
    return spec


def test_failover_primary_lets_an_active_active_single_writer_fence_its_returning_old_writer() -> None:
    spec = kubernetes_single_writer()
    spec["topology"]["failover"] = {"current_primary": "us", "fenced": ["eu"]}
    assert of_rule(spec, "failover-primary") == []
    # The writer is the first region until a promotion moves it: fencing it leaves nothing to write to.
    spec["topology"]["failover"] = {"fenced": ["eu"]}
    p = only(spec, "failover-primary")
    assert p.path == "topology.failover.fenced[0]" and "current primary" in p.message
    spec["topology"]["failover"] = {"fenced": ["us"]}
    assert of_rule(spec, "failover-primary") == []


def test_failover_primary_refuses_fencing_in_active_active_without_a_single_writer() -> None:
    spec = kubernetes_single_writer()
    spec["stores"][0]["writes"] = "multi-region"
    spec["stores"][0]["engine"] = "cockroachdb"
    spec["topology"]["failover"] = {"fenced": ["us"]}
    problems = [p for p in run(spec) if p.rule == "failover-primary"]
    assert len(problems) == 1 and problems[0].path == "topology.failover.fenced"
    assert "no such store" in problems[0].message


@pytest.mark.parametrize("target", ["aws", "kubernetes-multi-zone"])
def test_failover_primary_applies_to_kubernetes_active_passive_only(target: str) -> None:
    spec = aws() if target == "aws" else kubernetes()
    region = spec["topology"]["regions"][0]["name"]
    spec["topology"].setdefault("failover", {})["current_primary"] = region
    p = only(spec, "failover-primary")
    assert p.path == "topology.failover.current_primary" and "active-passive" in p.message
