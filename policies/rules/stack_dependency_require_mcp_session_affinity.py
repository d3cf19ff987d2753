"""An MCP server behind a load balancer with several instances is stateless or keeps sessions sticky."""

from __future__ import annotations

from typing import Any

from policies.context import current
from policies.model import StackRule
from policies.resources import violation


def validate(args: Any, report_violation: Any) -> None:
    plan = current().plan
    if plan is None:
        return
    for dep in plan.dependencies:
        if dep.kind != "mcp-server" or dep.replicas <= 1 or dep.session != "stateful":
            continue
        violation(
            report_violation,
            None,
            f"MCP server '{dep.name}' runs {dep.replicas} instances behind a load balancer, and is neither "
            "stateless nor sticky: a session opened on one instance (Streamable HTTP's Mcp-Session-Id) is sent to "
            "another, which does not know it",
            "set `stateless: true` if any instance can answer any request, or `sticky: true` once its load "
            "balancer keeps each session on one instance",
            spec_path=f"dependencies.{dep.name}",
        )


RULE = StackRule(
    id="agentha-stack-dependency-require-mcp-session-affinity",
    description="An MCP server with several instances behind a load balancer is stateless or sticky.",
    severity="high",
    topics=("availability",),
    enforcement="advisory",
    advisory_reason="The MCP server is a dependency outside this stack: its load balancer and session handling "
    "are not built here, so the finding is a question for whoever runs it, not a defect of the generated system.",
    why="MCP over Streamable HTTP keeps a session per client; spread over instances without affinity, "
    "calls fail at random as soon as a second instance answers.",
    fix="Mark the dependency stateless (verified), or put session affinity on its load balancer and mark it sticky.",
    validate=validate,
)
