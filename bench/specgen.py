"""Generate large, valid HA specs for benchmarks (and for tests that need size).

python bench/specgen.py --agents 20 --stores 10 --queues 10 --regions 3 --target aws > big.yaml
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

AWS_REGIONS = [
    ("us-east-1", "primary"),
    ("us-west-2", "standby"),
    ("eu-west-1", "standby"),
    ("eu-central-1", "standby"),
    ("ap-southeast-2", "standby"),
]
K8S_REGIONS = [("europe-west4", "primary"), ("us-central1", "standby"), ("asia-east1", "standby")]


def generate(
    *,
    agents: int = 20,
    stores: int = 10,
    queues: int = 10,
    regions: int = 3,
    zones: int = 3,
    target: str = "aws",
    pattern: str | None = None,
    name: str = "bench",
) -> str:
    """A valid spec as YAML text: every agent consumes one queue, produces the next, uses two stores."""
    pattern = pattern or ("active-passive" if regions > 1 else "multi-zone")
    region_list = (AWS_REGIONS if target == "aws" else K8S_REGIONS)[:regions]
    if pattern == "active-active":
        region_list = [(r, "active") for r, _ in region_list]
    engines = ["dynamodb"] if target == "aws" else ["postgres"]
    lines = [
        "apiVersion: agentha.dev/v1",
        "kind: HASpec",
        f"metadata: {{name: {name}, owner: bench}}",
        "objectives:",
        "  availability: 99.9",
        "  disruptions: {zone: {rto: 5m, rpo: 0s}, application: {rto: 10m, rpo: 0s}}",
        f"target: {target}",
        "topology:",
        f"  pattern: {pattern}",
    ]
    if pattern == "active-passive":
        lines.append("  standby: warm")
    lines.append("  regions:")
    for region, role in region_list:
        letters = "abcdef"[:zones]
        sep = "" if target == "aws" else "-"
        zone_names = ", ".join(f"{region}{sep}{c}" for c in letters)
        lines.append(f"    - {{name: {region}, role: {role}, zones: [{zone_names}]}}")
    lines.append("ingress: {agent: agent-00, domain: bench.example.com, hosted_zone: example.com, public: true}")
    lines.append("agents:")
    for i in range(agents):
        q_in, q_out = f"queue-{i % queues:02d}", f"queue-{(i + 1) % queues:02d}"
        s1, s2 = f"store-{i % stores:02d}", f"store-{(i + 1) % stores:02d}"
        lines += [
            f"  - name: agent-{i:02d}",
            f"    image: ghcr.io/bench/agent-{i:02d}:1.0.0",
            "    port: 8080",
            "    replicas: {min: 2, max: 6}",
            f"    consumes: [{q_in}]",
            f"    produces: [{q_out}]",
            f"    uses: [{s1}, {s2}]",
            "    secrets: [api-key]",
        ]
    lines += ["secrets:", "  - {name: api-key, description: shared API key}", "stores:"]
    for i in range(stores):
        lines.append(f"  - {{name: store-{i:02d}, engine: {engines[i % len(engines)]}}}")
    lines.append("queues:")
    for i in range(queues):
        lines.append(f"  - {{name: queue-{i:02d}, ordering: {'fifo' if i % 2 else 'standard'}}}")
    lines += ["observability:", "  notify: {email: [oncall@example.com]}"]
    return "\n".join(lines) + "\n"


def with_model_gateway(spec: dict[str, Any]) -> dict[str, Any]:
    """The Kubernetes example's spec data with model providers: a provider with a fallback, so the
    gateway, its callers' wiring and their narrowed egress; the provider key moves from the agents to
    the gateway. A direct HTTP dependency keeps the worker's HTTPS egress (the planner keeps none
    otherwise). Used by bench/gateway.py (with the example's environments) and by the Kubernetes
    tests' `model-gateway` variant (without them). Changes `spec` in place and returns it."""
    spec["secrets"] = [*spec.get("secrets", []), {"name": "llm-backup-api-key"}]
    for agent in spec["agents"]:  # the key is the gateway's now
        agent["secrets"] = [s for s in agent.get("secrets", []) if s != "llm-api-key"]
    spec["dependencies"] = [
        {
            "name": "llm",
            "kind": "model-provider",
            "model": "openai/gpt-4o",
            "fallback": ["llm-backup"],
            "secrets": ["llm-api-key"],
            "rate_limits": {"requests_per_minute": 600, "tokens_per_minute": 120000},
        },
        {
            "name": "llm-backup",
            "kind": "model-provider",
            "model": "anthropic/claude-sonnet-4-5",
            "secrets": ["llm-backup-api-key"],
        },
        {"name": "search", "kind": "http-api", "callers": ["worker"], "secrets": ["search-api-key"]},
    ]
    return spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for flag, default in (("agents", 20), ("stores", 10), ("queues", 10), ("regions", 3), ("zones", 3)):
        parser.add_argument(f"--{flag}", type=int, default=default)
    parser.add_argument("--target", choices=["aws", "kubernetes"], default="aws")
    parser.add_argument("--pattern", default=None)
    args = parser.parse_args(argv)
    sys.stdout.write(
        generate(
            agents=args.agents,
            stores=args.stores,
            queues=args.queues,
            regions=args.regions,
            zones=args.zones,
            target=args.target,
            pattern=args.pattern,
        )
    )


if __name__ == "__main__":
    main()
