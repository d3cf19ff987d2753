"""The diagram model and its Mermaid / DOT text, from the examples' plans."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from blueprints.analysis import diagram
from blueprints.plan.planner import plan
from blueprints.spec.loader import load_spec
from tests.conftest import EXAMPLES


def drawn(example: str, env: str | None = "prod") -> diagram.Diagram:
    spec = load_spec(EXAMPLES / example / "spec.yaml", env).spec
    return diagram.build(plan(spec, env))


def test_regions_zones_and_replicas_per_zone_are_the_plans() -> None:
    text = diagram.mermaid(drawn("support-agent"))
    # conversation is planned 2 + 2 + 1 in us-east-1 and 1 + 1 + 1 in the warm standby.
    zone_a = text.split('subgraph r_us_east_1_z_us_east_1a["us-east-1a"]')[1].split("end")[0]
    assert 'r_us_east_1_us_east_1a_conversation["conversation ×2"]' in zone_a
    assert 'r_us_east_1_us_east_1c_conversation["conversation ×1"]' in text
    assert 'subgraph r_us_west_2["us-west-2 · standby (warm)"]' in text
    # Stores: the primary in us-east-1, replicas in us-west-2, an arrow between them.
    assert "conversations<br/>DynamoDB · primary" in text and "conversations<br/>DynamoDB · replica" in text
    assert 'r_us_east_1_s_conversations -. "asynchronous replication" .-> r_us_west_2_s_conversations' in text
    # Routing and failover, with the plan's time to move users.
    assert 'dns -- "PRIMARY" --> r_us_east_1' in text
    assert 'dns -. "SECONDARY: on failure after 2m30s" .-> r_us_west_2' in text
    # Flow: queues between producers and consumers, the dependency and its fallback.
    assert 'f_a_conversation -- "produces" --> f_q_actions' in text
    assert 'f_q_actions -- "consumes" --> f_a_action_executor' in text
    assert 'f_d_model_api -. "fallback" .-> f_d_model_api_backup' in text


def test_every_node_an_edge_names_exists_and_ids_are_unique() -> None:
    for example in ("support-agent", "order-routing", "research-agent"):
        d = drawn(example)
        nodes = [n.id for n in diagram._all_nodes(d)]
        boxes = [c.id for c in diagram._all_clusters(d)]
        assert len(set(nodes + boxes)) == len(nodes + boxes)
        for e in d.edges:
            assert e.source in nodes and (e.target in nodes or e.target in boxes), e


def test_front_matter_is_valid_yaml_even_with_a_colon_in_the_title() -> None:
    text = diagram.mermaid(drawn("research-agent"))
    front = text.split("---")[1]
    assert yaml.safe_load(front) == {"title": "research-agent (prod): kubernetes, multi-zone"}


def test_active_active_regions_are_both_writers_with_latency_records() -> None:
    text = diagram.mermaid(drawn("order-routing"))
    assert "eu-west-1 · active" in text and "eu-central-1 · active" in text
    assert "SECONDARY" not in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_text_renders_with_graphviz() -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=diagram.dot(drawn("support-agent")).encode(), capture_output=True)
    assert done.returncode == 0, done.stderr
    assert b"<svg" in done.stdout and b"conversation" in done.stdout
