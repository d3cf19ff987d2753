"""agentha-kubernetes-postgres-cluster-require-synchronous-replica judges durability by the region's zones.

`dataDurability: required` stops every commit once the only synchronous standby's zone is down, so the
blueprint sets `preferred` where a region has fewer than 3 instances over 3 zones (components/kubernetes/
state_store.py). The rule accepts exactly that, and still refuses `preferred` where 3 instances sit in 3
zones.
"""

from __future__ import annotations

from typing import Any

from tests.policies.rules.corpus import Defect, caught, change, setting

RULE = "agentha-kubernetes-postgres-cluster-require-synchronous-replica"


def _two_zone_standby() -> tuple[Any, Any]:
    import json
    import tempfile
    from pathlib import Path

    import yaml

    from blueprints.spec.loader import load_spec
    from policies.check import kube_contexts
    from policies.context import PolicyContext
    from stacks.synth import synth
    from tests.policies.graphs import FIXTURES

    spec = yaml.safe_load((FIXTURES / "kubernetes-active-passive.yaml").read_text(encoding="utf-8"))
    standby = spec["topology"]["regions"][1]
    standby["zones"] = standby["zones"][:2]
    for store in spec["stores"]:
        store.pop("instances", None)
    path = Path(tempfile.mkdtemp(prefix="agentha-durability-")) / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    loaded = load_spec(path, "prod")
    contexts = kube_contexts(loaded.spec.metadata.name, [r.name for r in loaded.spec.topology.regions])
    result = synth(path, "prod", config={"agentha:kubeContexts": json.dumps(contexts)})
    context = PolicyContext(
        plan=result.plan, loaded=loaded, spec_file=str(path), environment="prod", kube_contexts=contexts
    )
    return result.graph, context


def test_preferred_durability_in_a_two_zone_region_is_what_the_rule_accepts() -> None:
    from policies.engine import evaluate

    graph, context = _two_zone_standby()
    clusters = {
        r.inputs["metadata"]["annotations"]["agentha.dev/region"]: r.inputs["spec"]
        for r in graph
        if r.type == "kubernetes:postgresql.cnpg.io/v1:Cluster"
    }
    durability = {region: spec["postgresql"]["synchronous"]["dataDurability"] for region, spec in clusters.items()}
    assert sorted(durability.values()) == ["preferred", "required"]  # 2 zones in the standby, 3 in the primary
    fired = [v for v in evaluate(graph, context).violations if v.rule_id == RULE]
    assert fired == []


def test_preferred_durability_where_three_instances_sit_in_three_zones_is_refused() -> None:
    defect = Defect(
        RULE,
        "research-prod",
        "preferred durability over 3 instances in 3 zones",
        "commits without waiting for a synchronous standby",
        change(
            "research-agent-findings-cluster-europe-west4",
            setting("spec.postgresql.synchronous.dataDurability", "preferred"),
        ),
    )
    ok, why = caught(defect)
    assert ok, why
