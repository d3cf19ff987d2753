"""CrossGuard entry point: `pulumi preview --policy-pack policy-pack` runs this file.

It only wires agentha-blueprint's rules (installed in the project's .venv) into a PolicyPack, whose
constructor serves the Pulumi engine and never returns. Levels per rule: agentha-policy.yaml.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import PACK_DESCRIPTION, PACK_NAME, pack_policies

PolicyPack(
    name=PACK_NAME,
    description=PACK_DESCRIPTION,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=pack_policies(),
)
