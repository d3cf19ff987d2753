"""The program never carries secret values in a Kubernetes Secret."""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, mapping, violation


def validate(args: Any, report_violation: Any) -> None:
    keys = sorted(set(mapping(get(args.props, "data"))) | set(mapping(get(args.props, "stringData"))))
    if not keys:
        return
    violation(
        report_violation,
        Subject.of(args),
        f"holds secret values ({', '.join(keys)}) in the program: they land in the Pulumi state and in every "
        "exported manifest",
        "create the Secret out of band (kubectl create secret, External Secrets) and reference it by name",
    )


RULE = ResourceRule(
    id="agentha-kubernetes-secret-disallow-inline-data",
    description="Kubernetes Secrets with values are never created by the program.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="The spec names secrets and never holds them; a value in the program is a value in Git, the state "
    "and the GitOps manifests.",
    fix="Create Secrets out of band and reference them.",
    types=("kubernetes:core/v1:Secret",),
    validate=validate,
)
