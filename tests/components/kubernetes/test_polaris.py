"""Fairwinds Polaris's default checks (../shared/polaris) over every rendered workload.

Zero failures, except the exceptions below; each is justified in docs/kubernetes.md ("Polaris
exceptions"), and each is checked to fail only where its justification says it may.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.components.kubernetes.support import all_cases, case, polaris, polaris_checks

CASES = all_cases()
DOCS = Path(__file__).resolve().parents[3] / "docs" / "kubernetes.md"


def _workload(c, subject: str) -> dict:
    region, _, rest = subject.partition(":")
    kind, name = rest.split("/")[:2]
    return next(
        m.object
        for m in c.objects
        if m.region == region and m.object["kind"] == kind and m.object["metadata"]["name"] == name
    )


def _agent(c, obj):
    path = obj["metadata"]["annotations"]["agentha.dev/spec-path"]
    return c.plan.gateway.service if path == "gateway" else c.plan.agent(path.split(".", 1)[1])


def excused(c, finding) -> bool:
    """Is this failure one of the documented exceptions, in the place its reason covers?"""
    if finding.check == "pullPolicyNotAlways":
        # IfNotPresent on a pinned tag: pods start from the node's image cache when the registry is down.
        container = _workload(c, finding.subject)["spec"]["template"]["spec"]["containers"][0]
        return container["imagePullPolicy"] == "IfNotPresent" and not container["image"].endswith(":latest")
    if finding.check == "readinessProbeMissing":
        # Queue workers serve no port and take no traffic to gate (their liveness is a heartbeat file).
        return _agent(c, _workload(c, finding.subject)).port is None
    if finding.check == "deploymentMissingReplicas":
        workload = _workload(c, finding.subject)
        if "replicas" not in workload["spec"]:
            # Left to the autoscaler that owns it, whose floor is the planned count (at least 2 here).
            return any(
                o.object["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
                and o.object["spec"]["scaleTargetRef"]["name"] == workload["metadata"]["name"]
                and o.object["spec"].get("minReplicas", o.object["spec"].get("minReplicaCount", 0)) >= 2
                for o in c.objects
            )
        # Pilot-light standby regions run no replicas until failover; a one-replica plan is the spec's choice.
        return workload["spec"]["replicas"] in (0, 1)
    return False


EXCEPTIONS = ("pullPolicyNotAlways", "readinessProbeMissing", "deploymentMissingReplicas")


@pytest.mark.parametrize("name", CASES)
def test_rendered_workloads_pass_polaris(name):
    c = case(name)
    findings = polaris(m.object for m in c.objects)
    unexplained = [f for f in findings if not excused(c, f)]
    assert not unexplained, "\n".join(f"{f.check} ({f.severity}): {f.subject} {f.detail}" for f in unexplained)


def test_every_exception_is_justified_in_the_docs():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Polaris exceptions") :]
    for check in EXCEPTIONS:
        assert f"`{check}`" in section, check


def test_the_evaluator_runs_every_default_check_that_can_apply():
    checks = polaris_checks()
    assert {"runAsRootAllowed", "missingPodDisruptionBudget", "missingNetworkPolicy", "linuxHardening"} <= set(checks)
    assert len(checks) >= 40


def _objects(name="example:research-agent"):
    return [copy.deepcopy(m.object) for m in case(name).objects]


def _failing(objects) -> set[str]:
    return {f.check for f in polaris(objects)}


def test_polaris_notices_a_root_container_a_missing_budget_and_a_missing_network_policy():
    assert not {"runAsRootAllowed", "missingPodDisruptionBudget", "missingNetworkPolicy"} & _failing(_objects())
    objects = _objects()
    planner = next(o for o in objects if o["kind"] == "Rollout" and o["metadata"]["name"].endswith("planner"))
    pod = planner["spec"]["template"]["spec"]
    pod["securityContext"] = {"runAsUser": 0}
    del pod["containers"][0]["securityContext"]["runAsNonRoot"]
    pod["containers"][0]["securityContext"]["runAsUser"] = 0
    assert "runAsRootAllowed" in _failing(objects)
    objects = [o for o in _objects() if o["kind"] not in ("PodDisruptionBudget", "NetworkPolicy")]
    failing = _failing(objects)
    assert {"missingPodDisruptionBudget", "missingNetworkPolicy"} <= failing


def test_polaris_notices_an_automounted_token_and_a_budget_above_the_autoscaler():
    objects = _objects()
    planner = next(o for o in objects if o["kind"] == "Rollout" and o["metadata"]["name"].endswith("planner"))
    del planner["spec"]["template"]["spec"]["automountServiceAccountToken"]
    for o in objects:
        if o["kind"] == "ServiceAccount":
            o["automountServiceAccountToken"] = True
        if o["kind"] == "PodDisruptionBudget" and o["metadata"]["name"].endswith("planner"):
            o["spec"]["minAvailable"] = 99
    failing = _failing(objects)
    assert {"automountServiceAccountToken", "pdbMinAvailableGreaterThanHPAMinReplicas"} <= failing
