"""stacks/failover_runbook.py: the FAILOVER.md runbook and check-primary.sh guard `render` writes.

The guard is run for real (POSIX sh) against a stand-in `kubectl` that answers from files, one per
kubeconfig context: it must refuse the stale render of a returning region while the other region is a
writable primary, and let the failover, the fenced return and the planned switchover through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.failover_runbook import GUARD, RUNBOOK, context_var, failover_files, primary_problems
from tests.components.kubernetes.support import Case, load_spec, spec_file, synth_path, variant

EU, US = "europe-west4", "us-central1"


@cache
def render_of(current: str | None = None, fenced: tuple[str, ...] = ()) -> tuple[Case, dict[str, str]]:
    spec = variant("active-passive-warm")
    failover = spec["topology"].setdefault("failover", {})
    if current:
        failover["current_primary"] = current
    if fenced:
        failover["fenced"] = list(fenced)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    c = Case(str((current, fenced)), load_spec(path), synth_path(path))
    return c, failover_files(c.plan, c.objects, "prod", EU)


def clusters(c: Case) -> dict[str, str]:
    return {m.region: m.object["metadata"]["name"] for m in c.objects if m.object["kind"] == "Cluster"}


def test_files_are_written_wherever_a_postgresql_store_has_one_writer_over_several_regions():
    _, files = render_of()
    assert sorted(files) == sorted([GUARD, RUNBOOK])
    from tests.components.kubernetes.support import case

    single = case("example:research-agent")
    assert failover_files(single.plan, single.objects, None, EU) == {}
    stateless = case("variant:active-active")  # active-active without PostgreSQL: nothing to promote
    assert failover_files(stateless.plan, stateless.objects, None, EU) == {}
    # Active-active with a `writes: primary-region` store: its region-failover runbook sends people to FAILOVER.md.
    _, files = claims_render()
    assert sorted(files) == sorted([GUARD, RUNBOOK])


# --- active-active with one writer region (claims-kubernetes) ------------------------------------------

E1, E2, W2 = "us-east-1", "us-east-2", "us-west-2"


@cache
def claims_render(current: str | None = None, fenced: tuple[str, ...] = ()) -> tuple[Case, dict[str, str]]:
    from tests.components.kubernetes.support import EXAMPLES

    spec = yaml.safe_load((EXAMPLES / "claims-kubernetes" / "spec.yaml").read_text(encoding="utf-8"))
    spec.pop("environments", None)
    failover = spec["topology"].setdefault("failover", {})
    if current:
        failover["current_primary"] = current
    if fenced:
        failover["fenced"] = list(fenced)
    path = spec_file(yaml.safe_dump(spec, sort_keys=False))
    c = Case(str(("claims", current, fenced)), load_spec(path), synth_path(path))
    return c, failover_files(c.plan, c.objects, "prod", E1)


def test_active_active_failover_promotes_then_points_every_other_region_at_the_new_writer():
    c, files = claims_render()
    text = files[RUNBOOK]
    names = clusters(c)
    assert "Writer (its PostgreSQL takes every region's writes; it serves users too): **us-east-1**" in text
    assert "(round robin)" in text and "primaryGeoTag" not in text
    # The Clusters' namespace, not CockroachDB's (the render holds both).
    assert "export NS=claims\n" in text
    assert {m.object["metadata"]["namespace"] for m in c.objects if m.object["kind"] == "Cluster"} == {"claims"}
    failover = text[text.index("## 1. Failover") : text.index("## 2.")]
    assert "current_primary: us-east-2" in failover and "fenced: [us-east-1]" in failover
    applies = [line for line in failover.splitlines() if "apply --server-side" in line]
    # Every reachable region, the new writer first; never the lost one.
    assert [line.split()[2] for line in applies] == [E2, W2]
    # The returning writer is fenced before anything else, then rebuilt from the new writer.
    order = [
        text.index(f"annotate clusters.postgresql.cnpg.io {names[E1]} cnpg.io/fencedInstances"),
        text.index(f"delete pvc -l cnpg.io/cluster={names[E1]}"),
        text.index("## 4. Switch back"),
    ]
    assert order == sorted(order)
    # A planned switch back applies the third region last, after the token promoted the writer.
    back = text[text.index("## 4. Switch back") : text.index("## 5.")]
    assert back.index('\\"promotionToken\\"') < back.index(f"sh check-primary.sh {W2}")
    assert "k8gb's primary" not in text


def test_active_active_fenced_return_runs_no_agents_there_and_fences_its_database():
    c, files = claims_render(E2, (E1,))
    assert c.plan.region(E1).fenced and not c.plan.region(E1).serving
    assert [s.primary_region for s in c.plan.stores if s.name == "policy-ledger"] == [E2]
    deployments = [
        m.object
        for m in c.objects
        if m.region == E1 and m.object["kind"] in ("Deployment", "Rollout") and "agents." in str(m.object)
    ]
    assert deployments and all(d["spec"].get("replicas", 0) == 0 for d in deployments)
    (ledger,) = [m.object for m in c.objects if m.region == E1 and m.object["kind"] == "Cluster"]
    assert ledger["metadata"]["annotations"]["cnpg.io/fencedInstances"] == '["*"]'
    assert ledger["spec"]["replica"]["primary"] == clusters(c)[E2]
    assert primary_problems(c.objects) == []
    text = files[RUNBOOK]
    assert "## 1. Failover: done, us-east-2 took over from us-east-1" in text and "## 5." not in text


def test_the_guard_refuses_the_returning_writers_stale_render_in_active_active(kube):
    c, stale = claims_render()  # rendered before the failover: us-east-1 writes
    names = clusters(c)
    kube["env"] |= {context_var(E1): "ctx-e1", context_var(E2): "ctx-e2", context_var(W2): "ctx-w2"}
    live(kube, "ctx-e2", names[E2])  # us-east-2 was promoted
    live(kube, "ctx-w2", names[E2])
    result = guard(kube, stale, E1)
    assert result.returncode == 1 and "REFUSED" in result.stderr
    _, now = claims_render(E2, (E1,))
    live(kube, "ctx-e1", names[E1])  # us-east-1 back, still a writable primary: the new render waits for the fence
    assert guard(kube, now, W2).returncode == 1
    live(kube, "ctx-e1", names[E1], fenced=True)
    assert guard(kube, now, W2).returncode == 0
    assert guard(kube, now, E1).returncode == 0


def test_the_runbook_names_this_renders_objects_and_orders_fence_before_rebuild():
    c, files = render_of()
    text = files[RUNBOOK]
    names = clusters(c)
    for name in names.values():
        assert f"`{name}`" in text
    assert "export CTX_EUROPE_WEST4=" in text and "export CTX_US_CENTRAL1=" in text
    assert "--env prod" in text
    order = [
        text.index("## 1. Failover"),
        text.index("current_primary: us-central1"),
        text.index(f"annotate clusters.postgresql.cnpg.io {names[EU]} cnpg.io/fencedInstances"),
        text.index(f"delete pvc -l cnpg.io/cluster={names[EU]}"),
        text.index("aws s3 mv --recursive s3://v-active-passive-warm-backups/" + names[EU]),
        text.index(".status.demotionToken"),
        text.index('\\"promotionToken\\"'),
    ]
    assert order == sorted(order)
    # Fence first: autoscalers are deleted before the ingress agent is scaled to 0 (else they scale it back).
    fence = text[text.index("## 2.") : text.index("## 3.")]
    assert fence.index("delete hpa") < fence.index("--replicas=0")
    # Every apply goes through the guard.
    applies = [line for line in text.splitlines() if "apply --server-side" in line]
    assert applies and all(line.startswith("sh check-primary.sh ") for line in applies)


def test_after_a_failover_the_runbook_continues_from_the_fenced_state():
    _, files = render_of(US, (EU,))
    text = files[RUNBOOK]
    assert "**us-central1**" in text and "a failover moved it" in text
    assert "## 1. Failover: done, us-central1 took over from europe-west4" in text
    assert "## 5." not in text  # no drill while a region is fenced


def test_primary_problems_catches_two_primaries_and_a_gslb_that_disagrees():
    import copy

    from stacks.manifests import Manifest

    c, _ = render_of()
    assert primary_problems(c.objects) == []
    names = clusters(c)

    def tampered(change: Any) -> list[Manifest]:
        out = []
        for m in c.objects:
            obj = copy.deepcopy(m.object)
            change(m.region, obj)
            out.append(Manifest(m.region, m.path, obj))
        return out

    def us_claims_primary(region: str, obj: dict[str, Any]) -> None:
        if obj["kind"] == "Cluster" and region == US:
            obj["spec"]["replica"]["primary"] = names[US]

    assert any("different primaries" in p for p in primary_problems(tampered(us_claims_primary)))

    def us_routes_to_itself(region: str, obj: dict[str, Any]) -> None:
        if obj["kind"] == "Gslb" and region == US:
            obj["spec"]["strategy"]["primaryGeoTag"] = US

    assert any("geo tags" in p for p in primary_problems(tampered(us_routes_to_itself)))


# --- the guard, run ----------------------------------------------------------------------------------

STUB = """#!/bin/sh
# kubectl --context CTX --request-timeout=15s -n NS get clusters.postgresql.cnpg.io NAME -o jsonpath=...
state="$FAKE_KUBE/$2"
[ -f "$state" ] || { echo "Unable to connect to the server" >&2; exit 1; }
case "${10}" in
  *fencedInstances*) sed -n 2p "$state" ;;
  *) sed -n 1p "$state" | tr -d '\\n' ;;
esac
"""


@pytest.fixture
def kube(tmp_path: Path) -> dict[str, Any]:
    if shutil.which("sh") is None:
        pytest.skip("no POSIX sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "kubectl"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    state = tmp_path / "state"
    state.mkdir()
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", FAKE_KUBE=str(state))
    env |= {context_var(EU): "ctx-eu", context_var(US): "ctx-us"}
    return {"env": env, "state": state, "dir": tmp_path}


def live(kube: dict[str, Any], context: str, primary: str | None, fenced: bool = False) -> None:
    """The live cluster of a context: its `spec.replica.primary` and fence; None = unreachable."""
    path = kube["state"] / context
    if primary is None:
        path.unlink(missing_ok=True)
    else:
        fence = '["*"]' if fenced else ""
        path.write_text(f"{primary}\n{fence}\n", encoding="utf-8")


def guard(
    kube: dict[str, Any], files: dict[str, str], region: str, shell: str | None = "sh"
) -> subprocess.CompletedProcess[str]:
    script = kube["dir"] / GUARD
    script.write_text(files[GUARD], encoding="utf-8")
    return subprocess.run(
        [shell or "sh", str(script), region], env=kube["env"], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_guard_refuses_a_stale_render_of_the_returning_region(kube):
    c, stale = render_of()  # rendered before the failover: europe-west4 primary
    names = clusters(c)
    live(kube, "ctx-us", names[US])  # us-central1 was promoted
    result = guard(kube, stale, EU)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "REFUSED" in result.stderr and names[US] in result.stderr


def test_the_guard_lets_the_failover_and_the_fenced_return_through(kube):
    c, now = render_of(US, (EU,))
    names = clusters(c)
    # Failover: europe-west4 cannot be reached; us-central1 is still a replica of it.
    live(kube, "ctx-eu", None)
    live(kube, "ctx-us", names[EU])
    result = guard(kube, now, US)
    assert result.returncode == 0 and "cannot be read: not checked" in result.stdout
    # europe-west4 returns as a writable primary: applying the new primary is refused until it is fenced.
    live(kube, "ctx-eu", names[EU])
    assert guard(kube, now, US).returncode == 1
    live(kube, "ctx-eu", names[EU], fenced=True)
    assert guard(kube, now, US).returncode == 0
    # Its fenced render goes on while us-central1 is the primary it names.
    live(kube, "ctx-us", names[US])
    assert guard(kube, now, EU).returncode == 0


def test_the_guard_lets_a_planned_switchover_through_in_its_order(kube):
    c, back = render_of()  # switching back: europe-west4 primary again
    names = clusters(c)
    # Step 2: demote us-central1 first; europe-west4 is a replica of it.
    live(kube, "ctx-eu", names[US])
    live(kube, "ctx-us", names[US])
    assert guard(kube, back, US).returncode == 0
    # Step 4: us-central1 now names europe-west4; apply europe-west4.
    live(kube, "ctx-us", names[EU])
    assert guard(kube, back, EU).returncode == 0
    # Out of order (europe-west4 first, while us-central1 is still a writable primary): refused.
    live(kube, "ctx-us", names[US])
    assert guard(kube, back, EU).returncode == 1


def test_the_guard_needs_a_region_its_contexts_and_kubectl(kube):
    _, files = render_of()
    assert guard(kube, files, "mars").returncode == 2
    # Without kubectl every cluster would read as unreachable and pass: refused instead.
    path = kube["env"]["PATH"]
    kube["env"]["PATH"] = str(kube["dir"] / "state")
    assert guard(kube, files, EU, shell=shutil.which("sh")).returncode == 2
    kube["env"]["PATH"] = path
    kube["env"].pop(context_var(US))
    assert guard(kube, files, EU).returncode == 2
