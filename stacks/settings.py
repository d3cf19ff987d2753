"""What a stack's config says: which spec and environment to build, and what differs per environment.

All keys live in the `agentha` config namespace, so the program works under any project name:

    agentha:spec          path of the HA spec, relative to the folder holding Pulumi.yaml
    agentha:environment   environment override to apply (default: the stack name)
    agentha:kubeContexts  {region: kubeconfig context} for target kubernetes
    agentha:kubeconfig    optional path of the kubeconfig file (default: the usual lookup)
    agentha:tlsSecretName TLS secret of the Kubernetes ingress (default: <system>-tls)
    agentha:ingressClass  IngressClass of a public Kubernetes ingress (default: nginx)
    agentha:privateIngressClass  IngressClass of a private one, `ingress.public: false`: a controller
                          with an internal load balancer (default: nginx-internal)
    agentha:otlpEndpoint  OTLP/HTTP endpoint of the agents' traces on Kubernetes (default:
                          http://otel-collector.monitoring.svc:4318)
    agentha:assumeRoleArn AWS role to assume for every resource (optional)
    agentha:allowedAccountIds  AWS accounts this stack may touch, a guard against the wrong profile
    agentha:deletionProtection false turns off deletion protection of stateful resources (throw-away
                          stacks only; read by the AWS components)
    agentha:startAgents   false runs no AWS agent task (first deploy, before secret values exist;
                          `agentha-blueprint secrets` lists them; read by the AWS components)
    agentha:auroraMasterPassword  secret: master password of an Aurora global database
                          (`pulumi config set --secret`; read by the AWS components)
    agentha:policyConfig  path of the policy enforcement file (read by the policy pack)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROJECT_FILE_NAMES = ("Pulumi.yaml", "Pulumi.yml")


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds Pulumi.yaml (else `start`)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / name).exists() for name in PROJECT_FILE_NAMES):
            return folder
    return here


@dataclass(frozen=True)
class StackSettings:
    """Per-stack settings read from Pulumi config (or given directly by `synth` and tests)."""

    spec_path: Path
    environment: str | None
    kube_contexts: dict[str, str] = field(default_factory=dict)
    kubeconfig: str | None = None
    tls_secret_name: str | None = None
    ingress_class: str | None = None
    private_ingress_class: str | None = None
    otlp_endpoint: str | None = None
    assume_role_arn: str | None = None
    allowed_account_ids: tuple[str, ...] = ()

    @classmethod
    def from_config(cls) -> StackSettings:
        import pulumi

        config = pulumi.Config("agentha")
        spec = config.require("spec")
        path = Path(spec)
        if not path.is_absolute():
            path = project_root() / path
        environment = config.get("environment")
        if environment is None:
            environment = pulumi.get_stack()
        if environment in ("", "base"):
            environment = None
        return cls(
            spec_path=path,
            environment=environment,
            kube_contexts=config.get_object("kubeContexts") or {},
            kubeconfig=config.get("kubeconfig"),
            tls_secret_name=config.get("tlsSecretName"),
            ingress_class=config.get("ingressClass"),
            private_ingress_class=config.get("privateIngressClass"),
            otlp_endpoint=config.get("otlpEndpoint"),
            assume_role_arn=config.get("assumeRoleArn"),
            allowed_account_ids=tuple(config.get_object("allowedAccountIds") or ()),
        )
