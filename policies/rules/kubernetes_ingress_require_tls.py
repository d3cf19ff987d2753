"""Ingresses terminate TLS for every host they route."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, items, violation


def validate(args: Any, report_violation: Any) -> None:
    hosts = [h for h in (get(rule, "host") for rule in items(get(args.props, "spec", "rules"))) if isinstance(h, str)]
    covered = {h for tls in items(get(args.props, "spec", "tls")) for h in items(get(tls, "hosts"))}
    tls = items(get(args.props, "spec", "tls"))
    missing = [h for h in hosts if h not in covered]
    if tls and not missing:
        return
    violation(
        report_violation,
        Subject.of(args),
        "serves " + (", ".join(missing) if missing else "its routes") + " without TLS",
        "add spec.tls with the hosts and the TLS secret (stack config agentha:tlsSecretName)",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-ingress-require-tls",
    description="Ingresses terminate TLS for every host.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Encryption in transit for user traffic: prompts, answers and bearer tokens.",
    fix="Add spec.tls for every host.",
    types=("kubernetes:networking.k8s.io/v1:Ingress",),
    validate=validate,
)
