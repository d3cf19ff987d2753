"""The shared NetworkPolicy blocks: a stateful service's ingress-only policy, rule by rule."""

from __future__ import annotations

from typing import Any

from pulumi_kubernetes.meta.v1 import LabelSelectorArgs

from components.kubernetes.network_policy import service_ingress


def rule_summary(rule: Any) -> tuple[str, tuple[int, ...] | None]:
    (peer,) = rule.from_
    if peer.namespace_selector is not None:
        who = f"namespace {peer.namespace_selector.match_labels['kubernetes.io/metadata.name']}"
    elif peer.pod_selector.match_expressions:
        (req,) = peer.pod_selector.match_expressions
        who = f"{req.key} {req.operator} {','.join(req.values)}"
    else:
        who = "own pods"
    ports = tuple(p.port for p in rule.ports) if rule.ports else None
    return who, ports


def test_clients_come_first_then_the_service_itself_then_each_namespace_on_its_ports():
    own = LabelSelectorArgs(match_labels={"app": "store"})
    spec: Any = service_ingress(
        own,
        clients=["sys-a", "sys-b"],
        client_ports=(5432,),
        namespaces=[("cnpg-system", (8000, 5432)), ("monitoring", (9187,))],
    )
    # Egress open in one empty rule: the namespace denies by default, and the operators' pods must
    # still reach the Kubernetes API, the object store and each other.
    assert spec.policy_types == ["Ingress", "Egress"] and spec.pod_selector is own
    (egress,) = spec.egress
    assert egress.to is None and egress.ports is None
    assert [rule_summary(r) for r in spec.ingress] == [
        ("app.kubernetes.io/instance In sys-a,sys-b", (5432,)),
        ("own pods", None),
        ("namespace cnpg-system", (8000, 5432)),
        ("namespace monitoring", (9187,)),
    ]
    assert all(p.protocol == "TCP" for r in spec.ingress if r.ports for p in r.ports)


def test_without_clients_no_client_rule_is_written():
    spec: Any = service_ingress(
        LabelSelectorArgs(match_labels={"app": "broker"}), clients=[], client_ports=(5671,), namespaces=[]
    )
    assert [rule_summary(r) for r in spec.ingress] == [("own pods", None)]


def test_dns_goes_to_the_cluster_resolver_only():
    from components.kubernetes.network_policy import dns_egress

    rule: Any = dns_egress()
    assert {(p.port, p.protocol) for p in rule.ports} == {(53, "UDP"), (53, "TCP")}
    pods, node_local = rule.to
    assert pods.namespace_selector.match_labels == {"kubernetes.io/metadata.name": "kube-system"}
    assert pods.pod_selector.match_labels == {"k8s-app": "kube-dns"}  # both: kube-dns pods of kube-system
    assert node_local.ip_block.cidr == "169.254.20.10/32" and node_local.ip_block.except_ is None
