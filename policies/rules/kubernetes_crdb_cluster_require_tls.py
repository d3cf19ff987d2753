"""CockroachDB clusters encrypt and authenticate every connection (`tlsEnabled`) with certificates the user
provides from one CA shared by every region.

Without TLS the nodes run `--insecure`: SQL without passwords and node-to-node traffic in clear text,
across regions' networks when the store spans regions. With TLS but no `nodeTLSSecret`, the operator
generates a CA in each cluster, and the nodes of different regions cannot verify each other.
"""

from __future__ import annotations

from typing import Any

from policies.model import ResourceRule
from policies.resources import Subject, get, violation

CRDB_CLUSTER = "kubernetes:crdb.cockroachlabs.com/v1alpha1:CrdbCluster"


def validate(args: Any, report_violation: Any) -> None:
    subject = Subject.of(args)
    spec = get(args.props, "spec")
    if get(spec, "tlsEnabled") is not True:
        violation(
            report_violation,
            subject,
            "runs without TLS (`tlsEnabled` is not true): the nodes start --insecure, SQL takes no password and "
            "node traffic is in clear text",
            "set tlsEnabled: true with nodeTLSSecret and clientTLSSecret",
        )
        return
    joins = [a for a in (get(spec, "additionalArgs") or []) if isinstance(a, str) and a.startswith("--join=")]
    if joins and not (get(spec, "nodeTLSSecret") and get(spec, "clientTLSSecret")):
        violation(
            report_violation,
            subject,
            "joins nodes outside its own cluster with certificates the operator generates: each cluster gets its "
            "own CA, so the regions' nodes cannot verify each other",
            "set nodeTLSSecret and clientTLSSecret to certificates signed by one CA shared by every region",
        )


RULE = ResourceRule(
    id="agentha-kubernetes-crdb-cluster-require-tls",
    description="CockroachDB clusters run with TLS, with certificates of one CA shared by every region.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="A cockroachdb store spans regions' networks: unencrypted or unverifiable node traffic is data exposed.",
    fix="tlsEnabled: true, nodeTLSSecret and clientTLSSecret from one shared CA.",
    types=(CRDB_CLUSTER,),
    validate=validate,
)
