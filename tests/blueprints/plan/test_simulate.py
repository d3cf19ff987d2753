"""The Monte Carlo against the closed form: under the closed form's own assumptions the simulator must
land within its confidence interval; beyond them it shows what the closed form leaves out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from blueprints.errors import SpecError
from blueprints.figures import figures
from blueprints.plan.estimates import closed_form_value
from blueprints.plan.planner import plan
from blueprints.plan.reliability import ReliabilityModel, build
from blueprints.plan.simulate import MAX_HOURS, Options, check_options, run, simulate
from blueprints.spec.loader import load_spec, load_text
from tests.blueprints.plan.test_planner import single_region
from tests.blueprints.spec.rules.helpers import aws, dump, kubernetes
from tests.conftest import EXAMPLES


def model_of(spec: dict[str, Any]) -> tuple[Any, Any, ReliabilityModel]:
    s = load_text(dump(spec), "spec.yaml").spec
    p = plan(s)
    return s, p, build(s, p, figures())


def within(value: float, low: float, high: float) -> bool:
    return low <= value <= high


# --- the closed form reproduced under its own assumptions -----------------------------------------


@pytest.mark.parametrize("spec", [single_region(aws()), kubernetes()], ids=["aws-one-region", "kubernetes"])
def test_one_region_matches_the_closed_form(spec: dict[str, Any]) -> None:
    _, _, model = model_of(spec)
    closed = closed_form_value(model)[0]
    _, low, high, _ = run(model, Options(hours=1e7, seed=11))
    assert within(closed, low, high), (closed, low, high)
    assert high - low < 1e-4  # the interval says something


def test_instant_failover_and_independent_regions_match_the_closed_form() -> None:
    _, _, model = model_of(aws())
    simple = dataclasses.replace(model, failover_s=0.0, common_cause=0.0, detection_path=None)
    closed = closed_form_value(simple)[0]
    _, low, high, _ = run(simple, Options(hours=2e6, seed=5, instant_failover=True, independent=True))
    assert within(closed, low, high), (closed, low, high)


def test_failover_time_and_common_cause_match_the_closed_form() -> None:
    # Exponential outages, a fixed failover time (no random detection phase): the closed form's
    # E[min(F, L)] per region failure, β·U_region of common cause and the blind detection path.
    spec = aws()
    spec["stores"], spec["queues"] = [], []  # nothing in series: the region failures dominate
    for a in spec["agents"]:
        for key in ("consumes", "produces", "uses", "idempotency"):
            a.pop(key, None)
    _, _, model = model_of(spec)
    closed = closed_form_value(dataclasses.replace(model, cap=None))[0]
    _, low, high, _ = run(model, Options(hours=1e7, seed=2, jitter=False))
    assert within(closed, low, high), (closed, low, high)
    # ... and the instant-failover closed form it replaces lies outside: failover time counts.
    instant = closed_form_value(dataclasses.replace(model, failover_s=0.0, common_cause=0.0, cap=None))[0]
    assert instant > high


# --- what the closed form leaves out --------------------------------------------------------------


def support_prod() -> tuple[Any, Any]:
    loaded = load_spec(EXAMPLES / "support-agent" / "spec.yaml", "prod")
    return loaded.spec, plan(loaded.spec, "prod")


def test_deterministic_for_a_seed() -> None:
    s, p = support_prod()
    one = simulate(s, p, figures(), Options(hours=2e5, seed=9))
    two = simulate(s, p, figures(), Options(hours=2e5, seed=9))
    other = simulate(s, p, figures(), Options(hours=2e5, seed=11))
    assert one == two
    assert one.availability != other.availability


def test_replication_lag_exceeds_the_typical_figure_when_a_region_degrades_first() -> None:
    # Audit item 6: the typical lag (1 s) is no bound; the plan's bound is the lag alarm's.
    s, p = support_prod()
    r = simulate(s, p, figures(), Options(hours=1e6, seed=4))
    dist = r.rpo["region"]
    assert dist.count > 0 and dist.p50 is not None and dist.p99 is not None
    assert dist.p99 > 60 * figures().value("dynamodb-global-lag")
    assert r.rpo_above_bound is not None and 0 < r.rpo_above_bound < 1
    rpo = next(c for c in r.checks if c.name == "RPO region")
    assert rpo.closed_form == 30 + 180 and rpo.met is False


def test_region_rto_is_bounded_by_the_failover_time_and_every_region_down_is_reported_apart() -> None:
    s, p = support_prod()
    r = simulate(s, p, figures(), Options(hours=1e6, seed=4))
    rto = next(c for c in r.checks if c.name == "RTO region")
    assert r.rto["region"].p99 is not None and r.rto["region"].p99 <= rto.closed_form  # type: ignore[operator]
    assert "every region" in r.rto and r.rto["every region"].count > 0


@pytest.mark.parametrize("shape", ["lognormal", "pareto"])
def test_heavy_tailed_outages_keep_the_mean_and_run(shape: str) -> None:
    s, p = support_prod()
    heavy = simulate(s, p, figures(), Options(hours=5e5, seed=3, outages=shape))  # type: ignore[arg-type]
    assert 99.0 < heavy.availability < 100.0
    assert heavy.outages == shape


def test_objectives_are_checked_and_missed_ones_flagged() -> None:
    s, p = support_prod()
    r = simulate(s, p, figures(), Options(hours=2e5, seed=1))
    names = {c.name for c in r.checks}
    assert {"availability", "RTO zone", "RTO region", "RPO region"} <= names
    assert r.objectives_met is False
    data = r.to_json()
    assert data["objectives_met"] is False and data["ci_low"] <= data["availability"] <= data["ci_high"]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "seed", "rule"),
    [
        (0, 1, "simulate-hours"),
        (-5, 1, "simulate-hours"),
        (float("inf"), 1, "simulate-hours"),
        (float("nan"), 1, "simulate-hours"),
        (MAX_HOURS * 10, 1, "simulate-hours"),
        (10, -1, "simulate-seed"),
    ],
)
def test_bad_options_raise_the_domain_error(hours: float, seed: int, rule: str) -> None:
    with pytest.raises(SpecError) as err:
        check_options(hours, seed)
    problem = err.value.problems[0]
    assert problem.rule == rule and problem.fix


def test_a_part_that_would_need_too_many_draws_is_refused() -> None:
    _, _, model = model_of(single_region(aws()))
    region = model.regions[0]
    flaky = dataclasses.replace(region.parts[0], availability=0.5, mean_outage_s=0.001)
    broken = dataclasses.replace(model, regions=(dataclasses.replace(region, parts=(flaky,)),))
    with pytest.raises(SpecError) as err:
        run(broken, Options(hours=1e6))
    assert err.value.problems[0].rule == "simulate-size"


def test_stranded_queue_messages_are_delayed_for_the_outage_and_lost_past_retention() -> None:
    # Audit item 6, per queue: delayed while the failed region is out, lost when it stays out longer
    # than the queue keeps messages. Pareto outages (same mean) have the long tail that reaches it.
    s, p = support_prod()
    r = simulate(s, p, figures(), Options(hours=1e7, seed=1, outages="pareto"))
    assert [q.queue for q in r.queues] == ["inbound", "actions"]
    inbound = r.queues[0]
    assert inbound.retention_s == 4 * 86400
    assert inbound.delay.count == r.rto["region"].count  # one per region failover
    assert inbound.delay.p99 is not None and inbound.delay.p99 > r.rto["region"].p99  # type: ignore[operator]
    assert inbound.lost_share is not None and 0 < inbound.lost_share < 0.01
    exponential = simulate(s, p, figures(), Options(hours=1e6, seed=1))
    assert exponential.queues[0].lost_share == 0  # a 30-minute mean never reaches 4 days


def test_an_objective_inside_the_interval_is_said_to_be_unsettled() -> None:
    s, p = support_prod()
    r = simulate(s, p, figures(), Options(hours=2e5, seed=1))
    a = next(c for c in r.checks if c.name == "availability")
    assert "inside the 95 % CI" not in a.how  # 99.95 % is far outside support-agent's interval
    objectives = s.objectives.model_copy(update={"availability": round((r.ci_low + r.ci_high) / 2, 6)})
    unsettled = simulate(s.model_copy(update={"objectives": objectives}), p, figures(), Options(hours=2e5, seed=1))
    assert "inside the 95 % CI" in next(c for c in unsettled.checks if c.name == "availability").how


def test_a_single_writer_region_matches_the_closed_form() -> None:
    # The write primary's loss stops writes in every region for the promotion time: the simulator
    # counts it against all traffic, as the closed form does, and region RTO includes it.
    from tests.blueprints.plan.test_reliability import single_writer

    _, _, model = model_of(single_writer())
    assert model.writer_region == "us-east-1"
    closed = closed_form_value(dataclasses.replace(model, cap=None))[0]
    _, low, high, tally = run(dataclasses.replace(model, cap=None), Options(hours=1e7, seed=3, jitter=False))
    assert within(closed, low, high), (closed, low, high)
    import numpy as np

    writer = np.concatenate(tally.rto_writer)
    assert bool((np.abs(writer - model.write_failover_s) < 1e-6).any())  # writes back after the promotion
    assert float(writer.max()) <= model.write_failover_s + 1e-6
    # the routing failovers are tallied apart: a p99 over both would hide the rarer, longer writer losses
    assert not bool((np.abs(np.concatenate(tally.rto_region) - model.write_failover_s) < 1e-6).any())


def test_the_write_primarys_region_is_a_row_of_its_own_held_to_the_region_objective() -> None:
    # claims-kubernetes: the plan's region RTO (16m45s) is the writer region's loss (detection + promotion);
    # the simulated region failovers are k8gb moves of ~1m45s. The mixture's p99 said "met at 1m45s".
    loaded = load_spec(EXAMPLES / "claims-kubernetes" / "spec.yaml")
    p = plan(loaded.spec)
    r = simulate(loaded.spec, p, figures(), Options(hours=2e5, seed=1))
    region = next(e for e in p.estimates if (e.kind, e.disruption) == ("rto", "region"))
    writer = next(c for c in r.checks if c.name == "RTO write primary's region")
    assert writer.closed_form == region.value and writer.objective == region.objective
    assert r.rto["region"].p99 is not None and r.rto["region"].p99 < region.value  # type: ignore[operator]
    # on kubernetes nothing but its zones takes the writer region down: the closed form decides, and says so
    assert r.rto["write primary's region"].count == 0 and writer.met is region.met
    assert any("none happened, so the plan's closed form decides" in a for a in r.assumptions)
    assert any("On kubernetes nothing in the model takes us-east-1's PostgreSQL" in a for a in r.assumptions)
    # a single-writer spec on aws draws its Aurora writer: the row has samples, each at most the promotion
    from tests.blueprints.plan.test_reliability import single_writer

    spec = load_text(dump(single_writer())).spec
    aws_plan = plan(spec)
    aws_run = simulate(spec, aws_plan, figures(), Options(hours=1e6, seed=3))
    assert aws_run.rto["write primary's region"].count > 0
    assert not any("On kubernetes" in a for a in aws_run.assumptions)
