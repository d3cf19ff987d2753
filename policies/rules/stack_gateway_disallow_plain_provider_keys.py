"""The model gateway's configuration names provider keys by environment variable, never by value."""

from __future__ import annotations

from typing import Any

from policies.model import StackRule
from policies.resources import Subject, violation
from policies.rules._gateway import WORKLOAD_TYPES, gateway_config, plain_env

SECRET_PARAMS = ("api_key", "aws_secret_access_key", "aws_session_token", "vertex_credentials")
REFERENCE = "os.environ/"


def validate(args: Any, report_violation: Any) -> None:
    for r in args.resources:
        if r.resource_type not in WORKLOAD_TYPES:
            continue
        config = gateway_config(plain_env(r.resource_type, r.props))
        if config is None:
            continue
        subject = Subject.of(r)
        for deployment in config.get("model_list") or []:
            if not isinstance(deployment, dict):
                continue
            params = deployment.get("litellm_params") or {}
            for key in SECRET_PARAMS:
                value = params.get(key) if isinstance(params, dict) else None
                if isinstance(value, str) and not value.startswith(REFERENCE):
                    violation(
                        report_violation,
                        subject,
                        f"the model gateway's config gives {key} of '{deployment.get('model_name')}' as a plain "
                        "value: it is readable by anyone who can read the workload, and kept in the state",
                        f"write {key}: os.environ/<VARIABLE> and pass the variable from the secret store (name the "
                        "secret under the dependency's `secrets`)",
                        spec_path="dependencies",
                    )


RULE = StackRule(
    id="agentha-stack-gateway-disallow-plain-provider-keys",
    description="The model gateway reads provider keys from secret-store variables, never plain config values.",
    severity="critical",
    topics=("security",),
    enforcement="mandatory",
    why="The gateway's configuration travels in its workload's environment; a key written there is visible to "
    "every reader of the task definition or Deployment and in the Pulumi state.",
    fix="Reference the key as os.environ/<VARIABLE>; the variable comes from Secrets Manager or a Kubernetes Secret.",
    validate=validate,
)
