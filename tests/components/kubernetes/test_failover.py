"""Failover state on Kubernetes: which region is primary NOW (`topology.failover.current_primary`), and
fenced regions returning from an outage (`topology.failover.fenced`).

A render must never let two regions take writes: every region's CloudNativePG Cluster names the same
primary, exactly one Cluster is that primary, and every k8gb Gslb sends users to its region. After a
failover all of it moves together, and a returning region is fenced: no agents (k8gb sees no ready
endpoint, nothing consumes its queues) and PostgreSQL fenced (`cnpg.io/fencedInstances: ["*"]`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from tests.components.kubernetes.support import Case, crd_schemas, load_spec, spec_file, synth_path, variant

STANDBYS = ("pilot-light", "warm", "hot")
EU, US = "europe-west4", "us-central1"


@cache
def failed_over(standby: str, current: str | None, fenced: tuple[str, ...] = ()) -> Case:
    spec = variant(f"active-passive-{standby}")
    failover = spec["topology"].setdefault("failover", {})
    if current is not None:
        failover["current_primary"] = current
    if fenced:
        failover["fenced"] = list(fenced)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    return Case(f"{standby}/{current}/{fenced}", load_spec(path), synth_path(path))


STATES = [
    (standby, current, fenced)
    for standby in STANDBYS
    for current, fenced in ((None, ()), (US, ()), (US, (EU,)), (EU, (US,)))
]


def of(c: Case, kind: str, region: str | None = None) -> list[dict[str, Any]]:
    return [m.object for m in c.objects if m.object["kind"] == kind and (region is None or m.region == region)]


@pytest.mark.parametrize(("standby", "current", "fenced"), STATES)
def test_two_regions_never_both_render_as_primary(standby, current, fenced):
    from stacks.failover_runbook import primary_problems

    c = failed_over(standby, current, fenced)
    expected = current or EU
    clusters = of(c, "Cluster")
    assert {m.region for m in c.objects if m.object["kind"] == "Cluster"} == {EU, US}
    primaries = [o for o in clusters if o["spec"]["replica"]["primary"] == o["metadata"]["name"]]
    assert len(primaries) == 1, [o["metadata"]["name"] for o in primaries]
    assert primaries[0]["metadata"]["annotations"]["agentha.dev/region"] == expected
    assert len({o["spec"]["replica"]["primary"] for o in clusters}) == 1
    assert {g["spec"]["strategy"]["primaryGeoTag"] for g in of(c, "Gslb")} == {expected}
    assert primary_problems(c.objects) == []
    # Only the primary bootstraps an empty database and backs up; the others restore from it.
    for cluster in clusters:
        is_primary = cluster is primaries[0]
        assert ("initdb" in cluster["spec"]["bootstrap"]) is is_primary
        if not is_primary:
            assert cluster["spec"]["bootstrap"]["recovery"]["source"] == primaries[0]["metadata"]["name"]
            assert cluster["spec"]["replica"]["source"] == primaries[0]["metadata"]["name"]
    assert [o["spec"]["cluster"]["name"] for o in of(c, "ScheduledBackup")] == [primaries[0]["metadata"]["name"]]


def test_switching_the_primary_moves_k8gb_and_every_cluster_together():
    before, after = failed_over("warm", None), failed_over("warm", US)
    eu_cluster = of(before, "Cluster", EU)[0]["metadata"]["name"]
    us_cluster = of(before, "Cluster", US)[0]["metadata"]["name"]
    assert {o["spec"]["replica"]["primary"] for o in of(before, "Cluster")} == {eu_cluster}
    # Same objects (names), new primary everywhere.
    assert [o["metadata"]["name"] for o in of(after, "Cluster", US)] == [us_cluster]
    assert {o["spec"]["replica"]["primary"] for o in of(after, "Cluster")} == {us_cluster}
    assert {g["spec"]["strategy"]["primaryGeoTag"] for g in of(after, "Gslb")} == {US}
    assert [m.region for m in after.objects if m.object["kind"] == "ScheduledBackup"] == [US]
    # The regions swap compute too: the new primary runs the full count, the old one the standby's.
    full = {a.name: a.placement(EU).desired for a in before.plan.agents}
    assert {a.name: a.placement(US).desired for a in after.plan.agents} == full
    assert {a.name: a.placement(EU).desired for a in after.plan.agents} == {
        a.name: a.placement(US).desired for a in before.plan.agents
    }
    # Chaos drills run where the primary is.
    assert {m.region for m in after.objects if m.object["kind"] == "Schedule"} <= {US}


@pytest.mark.parametrize("standby", STANDBYS)
def test_a_fenced_region_runs_no_agents_and_its_database_cannot_write(standby):
    c = failed_over(standby, US, (EU,))
    assert c.plan.region(EU).fenced and not c.plan.region(EU).serving and c.plan.region(EU).compute == "none"
    (cluster,) = of(c, "Cluster", EU)
    assert cluster["metadata"]["annotations"]["cnpg.io/fencedInstances"] == '["*"]'
    assert cluster["spec"]["replica"]["primary"] == of(c, "Cluster", US)[0]["metadata"]["name"]
    # No agent runs: k8gb sees no ready endpoint behind the ingress, nothing consumes or writes.
    for kind in ("Deployment", "Rollout"):
        # Explicitly 0: a Deployment without `replicas` runs one pod.
        assert all(w["spec"]["replicas"] == 0 for w in of(c, kind, EU)), kind
    assert of(c, "HorizontalPodAutoscaler", EU) == [] and of(c, "ScaledObject", EU) == []
    # The primary itself is never fenced.
    assert "cnpg.io/fencedInstances" not in of(c, "Cluster", US)[0]["metadata"]["annotations"]


@pytest.mark.parametrize(("standby", "current", "fenced"), [s for s in STATES if s[1] is not None])
def test_failed_over_objects_are_valid_against_the_operators_crds(standby, current, fenced):
    schemas = crd_schemas()
    problems = []
    for m in failed_over(standby, current, fenced).objects:
        if m.object["kind"] in ("Cluster", "Gslb", "ScheduledBackup", "Schedule"):
            problems += [f"{m.path}: {e}" for e in schemas.errors(m.object)]
    assert not problems, "\n".join(problems)


def test_the_region_outage_drill_runbook_sends_people_to_the_switchover_not_to_a_read_only_database():
    c = failed_over("warm", None)
    drill = next(d for d in c.plan.chaos.drills if d.name == "region-outage")
    assert "FAILOVER.md" in " ".join(drill.runbook)
    assert "read-only" in drill.runbook[0]
