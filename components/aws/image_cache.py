"""RegionImageCache: one region's ECR pull-through cache rules (spec network.image_cache).

An agent task names `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<path>`; ECR fetches the image
from the upstream registry on the first pull, keeps it in a repository `<prefix>/<path>` it creates,
and serves it through the region's ECR VPC endpoints and S3 afterwards, so the task needs no internet
to start (blueprints/plan/egress.py). Checked against the ECR user guide (pull-through-cache*.html) and
pulumi-aws 7.51's `ecr.PullThroughCacheRule`:

- ghcr.io, Docker Hub and GitLab need a Secrets Manager secret whose name starts with
  `ecr-pullthroughcache/`, in the rule's own account and region. The user creates it (the spec names
  it, never its value); it is looked up by name here, so a missing secret fails `pulumi preview`
  instead of the first task start.
- ECR Public, Quay and registry.k8s.io are read anonymously and take no credential.
- The pullers (the agents' task execution roles) need ecr:BatchImportUpstreamImage and
  ecr:CreateRepository on `repository/<prefix>/*`; components/aws/agent_service.py grants them there.
- ECR's first pull of a new tag over interface VPC endpoints needs a route to the internet (the guide's
  considerations); docs/aws.md says how to seed a tag before deploying it.
- A rule is one per prefix per account and region: two stacks in one account need different prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import ecr, secretsmanager

from blueprints.plan import naming
from blueprints.plan.models import ImageCachePlan

TOKEN = "agentha:aws:RegionImageCache"


@dataclass(frozen=True)
class RegionImageCacheArgs:
    system: str
    region: str
    caches: tuple[ImageCachePlan, ...]


class RegionImageCache(pulumi.ComponentResource):
    """The pull-through cache rules of one region."""

    prefixes: list[pulumi.Output[str]]

    def __init__(self, name: str, args: RegionImageCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self.prefixes = []
        for cache in args.caches:
            credential = None
            if cache.credential is not None:
                credential = secretsmanager.get_secret_output(
                    name=cache.credential, region=args.region, opts=pulumi.InvokeOptions(parent=self)
                ).arn
            rule = ecr.PullThroughCacheRule(
                naming.resource(args.system, "image-cache", cache.prefix.replace("/", "-"), args.region),
                ecr.PullThroughCacheRuleArgs(
                    ecr_repository_prefix=cache.prefix,
                    upstream_registry_url=cache.upstream_url,
                    credential_arn=credential,
                    region=args.region,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.prefixes.append(rule.ecr_repository_prefix)
        self.register_outputs({"prefixes": self.prefixes})
