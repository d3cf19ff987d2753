"""Which agents leave the VPC for the internet on target aws, and where their images come from.

An agent that calls model providers only through the model gateway, and no http-api or mcp-server
dependency directly, has nothing to reach on the internet: its tasks may open HTTPS only to the region's
interface VPC endpoints, the S3 gateway endpoint (ECR keeps image layers in S3) and DynamoDB's where it
uses a table, beside the gateway, stores and agents the topology already allows. That holds only when
Fargate can start it without the internet too, because from platform version 1.4.0 Fargate pulls images
and fetches secrets through the task's own network interface (docs.aws.amazon.com/AmazonECS/latest/
developerguide/platform-version-migration.html). So every image of its task (the agent's and, with
tracing, the collector's) must be on ECR in each region it runs in, or come through an ECR pull-through
cache (spec network.image_cache), and every region must be a VPC this blueprint builds (it creates the
endpoints; an existing VPC's are unknown to it).

The model gateway keeps HTTPS to the internet (it is the one way to the providers) and pulls its images
from their registries as before. Everything here is decided from the spec; the components only build it.
"""

from __future__ import annotations

import re

from blueprints.plan import collector, gateway
from blueprints.plan.models import AgentPlan, CachedImage, Finding, ImageCachePlan, RegionPlan
from blueprints.spec.models import HASpec

ECR_PRIVATE = re.compile(r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/")
UPSTREAM_URL = {"docker.io": "registry-1.docker.io"}
"""ECR's upstream URL for a registry, where it differs from the host images name."""


def caches(spec: HASpec) -> tuple[ImageCachePlan, ...]:
    if spec.target != "aws":
        return ()
    return tuple(
        ImageCachePlan(
            registry=c.registry,
            upstream_url=UPSTREAM_URL.get(c.registry, c.registry),
            prefix=c.prefix,
            credential=c.credential,
        )
        for c in spec.network.image_cache
    )


def split_image(image: str) -> tuple[str, str]:
    """(registry host, repository[:tag|@digest]) as a container runtime reads a reference: a first part
    without a dot, a colon or `localhost` is a Docker Hub repository, and a one-part name is an official
    image under `library/`."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host = "docker.io" if first in ("index.docker.io", "registry-1.docker.io") else first
        if host == "docker.io" and "/" not in rest:
            rest = f"library/{rest}"
        return host, rest
    return "docker.io", image if rest else f"library/{image}"


def cached(image: str, rules: tuple[ImageCachePlan, ...]) -> CachedImage | None:
    """The cache reference of `image` when a pull-through rule covers its registry."""
    host, path = split_image(image)
    rule = next((r for r in rules if r.registry == host), None)
    return None if rule is None else CachedImage(prefix=rule.prefix, path=path)


def _image_problem(image: str, what: str, regions: tuple[str, ...], rules: tuple[ImageCachePlan, ...]) -> str | None:
    if cached(image, rules) is not None:
        return None
    ecr = ECR_PRIVATE.match(image)
    if ecr is not None:
        away = [r for r in regions if r != ecr["region"]]
        if not away:
            return None
        return (
            f"{what} {image} is on ECR in {ecr['region']}, and tasks in {', '.join(away)} pull it across regions "
            "over the internet (ECR's VPC endpoints serve their own region)"
        )
    host, _ = split_image(image)
    return (
        f"{what} {image} comes from {host}, which Fargate pulls through the task's network interface; "
        f"no network.image_cache entry covers {host}"
    )


def apply(
    spec: HASpec, regions: tuple[RegionPlan, ...], agents: tuple[AgentPlan, ...], findings: list[Finding]
) -> tuple[AgentPlan, ...]:
    """The agents with their image caches and egress decided, and a finding per agent saying which and why."""
    import dataclasses

    everyone = [a.name for a in spec.agents]
    callers = set(gateway.callers(spec))
    if spec.target != "aws":
        direct = {c for d in spec.dependencies if d.kind != "model-provider" for c in (d.callers or everyone)}
        for name in (n for n in everyone if n in callers and n not in direct):
            findings.append(
                Finding(
                    "info",
                    "egress-through-gateway",
                    f"agent '{name}' calls model providers only through the model gateway: its pods may open "
                    "HTTPS to the gateway and nowhere else outside the cluster",
                    "declare every other API or MCP server it calls under `dependencies` (kind http-api or "
                    "mcp-server, with it among the callers) so it keeps a way out to them",
                    f"agents[{everyone.index(name)}]",
                )
            )
        return agents
    rules = caches(spec)
    tracing = spec.observability.tracing == "otel"
    out: list[AgentPlan] = []
    for agent in agents:
        placed = tuple(p.region for p in agent.placements)
        agent = dataclasses.replace(
            agent,
            image_cache=cached(agent.image, rules),
            collector_image_cache=cached(collector.IMAGE, rules) if tracing else None,
        )
        why = _why_open(spec, agent, placed, regions, callers, rules, tracing)
        out.append(dataclasses.replace(agent, narrow_egress=why is None))
        if not spec.dependencies and not rules:
            continue  # a spec that names nothing outside: nothing to say, as before
        index = everyone.index(agent.name)
        if why is None:
            findings.append(
                Finding(
                    "info",
                    "egress-through-gateway",
                    f"agent '{agent.name}' calls model providers only through the model gateway: its tasks may "
                    "open HTTPS only to the region's VPC endpoints, the S3 "
                    + ("and DynamoDB prefix lists" if _uses_dynamodb(spec, agent) else "prefix list")
                    + " and the gateway, not the internet",
                    "declare every other API or MCP server it calls under `dependencies` (kind http-api or "
                    "mcp-server, with it among the callers) so it keeps a way out to them",
                    f"agents[{index}]",
                )
            )
        else:
            findings.append(
                Finding(
                    "info",
                    "egress-open",
                    f"agent '{agent.name}' keeps HTTPS egress to the internet on aws: {why}",
                    _fix(why),
                    f"agents[{index}]",
                )
            )
    return tuple(out)


def _uses_dynamodb(spec: HASpec, agent: AgentPlan) -> bool:
    engines = {s.name: s.engine for s in spec.stores}
    return any(engines.get(u) == "dynamodb" for u in agent.uses)


def _why_open(
    spec: HASpec,
    agent: AgentPlan,
    placed: tuple[str, ...],
    regions: tuple[RegionPlan, ...],
    callers: set[str],
    rules: tuple[ImageCachePlan, ...],
    tracing: bool,
) -> str | None:
    """Why the agent's tasks keep HTTPS to the internet, or None when nothing needs it."""
    direct = [d for d in spec.dependencies if d.kind != "model-provider" and (not d.callers or agent.name in d.callers)]
    if direct:
        named = ", ".join(f"{d.kind} '{d.name}'" for d in direct)
        return f"it calls {named} directly"
    if agent.name not in callers:
        return "it does not call the model gateway, and the spec does not say what it reaches outside the topology"
    existing = [r.name for r in regions if r.name in placed and r.network.is_existing]
    if existing:
        return (
            f"it runs in an existing VPC in {', '.join(existing)}, whose VPC endpoints this blueprint neither "
            "builds nor knows"
        )
    problem = _image_problem(agent.image, "its image", placed, rules)
    if problem is None and tracing:
        problem = _image_problem(collector.IMAGE, "its trace collector's image", placed, rules)
    return problem


def _fix(why: str) -> str:
    if "network.image_cache" in why or "across regions" in why:
        return (
            "push the image to ECR in every region it runs in, or add a network.image_cache entry for its "
            "registry (a pull-through cache; docs/aws.md says what to create first)"
        )
    if "existing VPC" in why:
        return "give the region a new VPC (drop it from network.existing), or keep this egress"
    if "directly" in why:
        return "nothing to fix: the dependency it calls is outside AWS; calling it through the gateway would narrow it"
    return "nothing to fix when it does need the internet; otherwise it keeps a way out the spec cannot see"
