"""docs/kubernetes.md's operator minimum versions hold what the rendered objects need.

Each minimum was read in the operator's own source (the reason column says where); these tests keep
the table from drifting below what the code renders.
"""

from __future__ import annotations

import re
from pathlib import Path

from components.kubernetes.message_broker import BROKER_IMAGE
from tests.components.kubernetes.support import case

DOCS = Path(__file__).resolve().parents[3] / "docs" / "kubernetes.md"


def minimums() -> dict[str, str]:
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    return {name.strip(): minimum.strip() for name, minimum in rows}


def version(text: str) -> tuple[int, ...]:
    match = re.match(r"(\d+(?:\.\d+)*)", text)
    assert match, text
    return tuple(int(p) for p in match.group(1).split("."))


def test_keda_reads_trigger_authentication_credentials():
    # username/password from a TriggerAuthentication: KEDA 2.16.0 (CHANGELOG, #2513); earlier ones
    # call the management API without them and are refused.
    assert version(minimums()["KEDA"]) >= (2, 16)
    auth = next(m.object for m in case("example:research-agent").objects if m.object["kind"] == "TriggerAuthentication")
    assert {r["parameter"] for r in auth["spec"]["secretTargetRef"]} >= {"username", "password"}


def test_argo_rollouts_keeps_the_spread_fields_the_rollouts_set():
    # The Rollout CRD has nodeTaintsPolicy and matchLabelKeys from 1.5.0; before, they are pruned.
    assert version(minimums()["Argo Rollouts"]) >= (1, 5)
    rollout = next(m.object for m in case("example:research-agent").objects if m.object["kind"] == "Rollout")
    (spread,) = rollout["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert {"nodeTaintsPolicy", "matchLabelKeys"} <= set(spread)


def test_rabbitmq_operators_and_the_pinned_broker():
    table = minimums()
    assert version(table["RabbitMQ Cluster Operator"]) >= (2, 17)  # restricted-compliant pods
    assert version(table["RabbitMQ Messaging Topology Operator"]) >= (1, 17)  # deletionPolicy
    assert f"`{BROKER_IMAGE}`" in table["RabbitMQ broker image"]


def test_redis_operator_dials_its_tls_stores_over_tls():
    # Before 0.22 the operator connected to Redis and Sentinel in plain text (redis-operator#1472), which
    # a TLS-only store refuses; 0.24 exports the CA as REDIS_TLS_CA_CERT for its probes (#1644).
    assert version(minimums()["OT-CONTAINER-KIT redis-operator (`redis` stores)"]) >= (0, 24)
    objs = [m.object for m in case("example:research-agent").objects]
    assert all(o["spec"]["TLS"] for o in objs if o["kind"] in ("RedisReplication", "RedisSentinel"))
