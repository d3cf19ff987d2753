"""Rules on networking (target aws) and notification wiring."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import replace

from blueprints.capacity import region_vpc_range
from blueprints.errors import Location, Problem
from blueprints.spec.rules import RuleContext, rule


@rule("network-cidr", "The VPC range is a valid IPv4 network from /16 to /24.")
def network_cidr(ctx: RuleContext) -> Iterator[Problem]:
    cidr = ctx.spec.network.cidr
    try:
        net = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as exc:
        yield ctx.problem(
            ("network", "cidr"),
            f"'{cidr}' is not a valid IPv4 network: {exc}",
            "write a network address with its prefix, e.g. 10.20.0.0/16",
            value=cidr,
        )
        return
    if not 16 <= net.prefixlen <= 24:
        yield ctx.problem(
            ("network", "cidr"),
            f"a VPC range must be /16 to /24, not /{net.prefixlen}",
            "use a /16 (e.g. 10.20.0.0/16) so every zone gets roomy subnets",
            value=cidr,
            allowed="/16-/24",
        )
        return
    if ctx.spec.target != "aws":
        return
    # Region i gets the i-th block after `cidr` (blueprints.capacity.region_vpc_range): every block
    # must exist and stay in the same kind of address space as the first one.
    regions = [r.name for r in ctx.spec.topology.regions]
    for index, region in enumerate(regions[1:], start=1):
        try:
            block = region_vpc_range(cidr, index)
        except ValueError:
            block = None
        if block is None or block.is_private != net.is_private:
            where = (
                "runs past 255.255.255.255"
                if block is None
                else f"is {block}, outside private address space"
                if net.is_private
                else f"is {block}, inside private address space"
            )
            yield ctx.problem(
                ("network", "cidr"),
                f"each region takes the next /{net.prefixlen} after {cidr}, and the one for region {region} {where}",
                f"choose a range with room for {len(regions)} consecutive /{net.prefixlen} blocks, e.g. 10.20.0.0/16",
                value=cidr,
            )
            return


@rule("existing-network", "Bring-your-own networks name planned regions and give one private subnet per zone.")
def existing_network(ctx: RuleContext) -> Iterator[Problem]:
    regions = {r.name: r for r in ctx.spec.topology.regions}
    for name, net in ctx.spec.network.existing.items():
        path = ("network", "existing", name)
        region = regions.get(name)
        if region is None:
            yield ctx.problem(
                path,
                f"network given for region '{name}', which the topology does not use",
                f"use one of: {', '.join(regions)}",
                value=name,
                allowed=", ".join(regions),
            )
            continue
        if len(net.private_subnet_ids) != len(region.zones):
            yield ctx.problem(
                (*path, "private_subnet_ids"),
                f"region '{name}' has {len(region.zones)} zones but {len(net.private_subnet_ids)} private subnets",
                "list one private subnet per zone, in the order of the zones",
                value=len(net.private_subnet_ids),
                allowed=str(len(region.zones)),
            )
        public = ctx.spec.ingress is not None and ctx.spec.ingress.public
        if public and len(net.public_subnet_ids) != len(region.zones):
            yield ctx.problem(
                (*path, "public_subnet_ids"),
                f"a public ingress needs one public subnet per zone in region '{name}'",
                "list one public subnet per zone, in the order of the zones",
                value=len(net.public_subnet_ids),
                allowed=str(len(region.zones)),
            )


@rule("nat-egress", "Without NAT, agents can pull images only from ECR (warning).")
def nat_egress(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws" or ctx.spec.network.nat != "none":
        return
    for i, agent in enumerate(ctx.spec.agents):
        if ".dkr.ecr." not in agent.image:
            yield ctx.problem(
                ("agents", i, "image"),
                f"network.nat is none, so '{agent.image}' (not on ECR) cannot be pulled",
                "push the image to ECR, or set network.nat: per-zone",
                value=agent.image,
                severity="warning",
            )


@rule("alarm-recipients", "Alarms notify someone (warning).")
def alarm_recipients(ctx: RuleContext) -> Iterator[Problem]:
    if not ctx.spec.observability.notify.email:
        problem = ctx.problem(
            ("observability", "notify"),
            "alarms notify nobody: no email addresses are listed",
            "add `observability.notify.email: [oncall@example.com]`",
            severity="warning",
        )
        if ("observability",) not in ctx.doc.positions:
            # Nothing to point at: the section is missing, and the first key (apiVersion) is not the mistake.
            problem = replace(
                problem,
                message="alarms notify nobody: the spec has no `observability` section",
                fix="add `observability: {notify: {email: [oncall@example.com]}}` at the top level",
                location=Location(problem.location.file),
            )
        yield problem


# Upstream registries ECR pull-through cache signs in to with a Secrets Manager secret, and the ones it
# reads anonymously (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html).
CACHE_NEEDS_CREDENTIAL = ("ghcr.io", "docker.io", "registry.gitlab.com")


@rule(
    "image-cache",
    "ECR pull-through caches are for target aws, one per registry and prefix, with a credential exactly where "
    "the upstream needs one.",
)
def image_cache(ctx: RuleContext) -> Iterator[Problem]:
    caches = ctx.spec.network.image_cache
    if caches and ctx.spec.target != "aws":
        yield ctx.problem(
            ("network", "image_cache"),
            "ECR pull-through caches are built on target aws only",
            "remove network.image_cache (on kubernetes, point the cluster's container runtime at a registry mirror)",
        )
        return
    registries: set[str] = set()
    prefixes: set[str] = set()
    for index, cache in enumerate(caches):
        path = ("network", "image_cache", index)
        if cache.registry in registries:
            yield ctx.problem(
                (*path, "registry"),
                f"registry '{cache.registry}' has two caches; an image would have two places to come from",
                "keep one entry per registry",
                value=cache.registry,
            )
        if cache.prefix in prefixes:
            yield ctx.problem(
                (*path, "prefix"),
                f"prefix '{cache.prefix}' is used by two caches; ECR allows one pull-through rule per prefix",
                "give each registry its own prefix, e.g. ghcr, ecr-public, docker-hub",
                value=cache.prefix,
            )
        registries.add(cache.registry)
        prefixes.add(cache.prefix)
        if cache.registry in CACHE_NEEDS_CREDENTIAL and cache.credential is None:
            yield ctx.problem(
                (*path, "credential"),
                f"ECR signs in to {cache.registry} with a Secrets Manager secret, and none is named",
                "create a secret named ecr-pullthroughcache/<name> (username, accessToken) in every region and set "
                "credential: ecr-pullthroughcache/<name>",
            )
        if cache.registry not in CACHE_NEEDS_CREDENTIAL and cache.credential is not None:
            yield ctx.problem(
                (*path, "credential"),
                f"ECR reads {cache.registry} anonymously; a pull-through rule for it takes no credential",
                "remove credential",
                value=cache.credential,
            )
