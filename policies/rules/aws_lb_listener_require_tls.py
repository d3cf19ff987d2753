"""Load balancer listeners speak TLS 1.2+ or only redirect to HTTPS."""

from __future__ import annotations

import re
from typing import Any

from policies.model import ResourceRule
from policies.resources import UNKNOWN, Subject, get, items, violation

MODERN_POLICY = re.compile(r"TLS13|TLS-1-2|FS-1-2|TLS-1-3")


def _redirects_to_https(args: Any) -> bool:
    actions = items(get(args.props, "defaultActions"))
    return bool(actions) and all(
        get(a, "type") == "redirect" and str(get(a, "redirect", "protocol", default="")).upper() == "HTTPS"
        for a in actions
    )


def validate(args: Any, report_violation: Any) -> None:
    protocol = get(args.props, "protocol")
    if protocol is UNKNOWN:
        return
    subject = Subject.of(args)
    protocol = str(protocol or "HTTP").upper()
    if protocol in ("HTTPS", "TLS"):
        policy = get(args.props, "sslPolicy")
        if policy is UNKNOWN or (isinstance(policy, str) and MODERN_POLICY.search(policy)):
            return
        violation(
            report_violation,
            subject,
            f"negotiates TLS with policy {policy or 'ELBSecurityPolicy-2016-08 (the API default)'}, which still "
            "accepts TLS 1.0/1.1",
            "set sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06",
        )
        return
    if protocol in ("TCP", "UDP", "TCP_UDP", "GENEVE"):
        return  # passthrough: the load balancer never sees the payload, which may be TLS end to end
    actions = items(get(args.props, "defaultActions"))
    if UNKNOWN in actions or any(get(a, "redirect", "protocol") is UNKNOWN for a in actions):
        return
    if _redirects_to_https(args):
        return
    violation(
        report_violation,
        subject,
        f"serves plain {protocol} on port {get(args.props, 'port')}: requests, tokens and conversations cross the "
        "network unencrypted",
        "listen with HTTPS/TLS (certificate from ACM), or make the listener only redirect to HTTPS",
    )


RULE = ResourceRule(
    id="agentha-aws-lb-listener-require-tls",
    description="HTTP(S)/TLS listeners use a TLS 1.2+ policy; plain HTTP only redirects to HTTPS.",
    severity="high",
    topics=("security",),
    enforcement="mandatory",
    why="Encryption in transit: agent traffic carries user prompts, tool results and bearer tokens.",
    fix="HTTPS/TLS listeners with ELBSecurityPolicy-TLS13-1-2-2021-06; HTTP only as a redirect.",
    types=("aws:lb/listener:Listener", "aws:alb/listener:Listener"),
    validate=validate,
)
