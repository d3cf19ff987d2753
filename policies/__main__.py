"""CrossGuard entry point: `pulumi preview --policy-pack policies` runs this file.

It only wires the rules into a `PolicyPack` (whose constructor serves the engine and never
returns). The rules live in `policies/rules/`; tests and `agentha-blueprint check` import them
through `policies.registry`, never this file.
"""

import sys
from pathlib import Path

# The engine runs this folder as a script; make the checkout importable when the project is not
# installed in the pack's interpreter (it is when the project's virtualenv runs the pack).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import PACK_DESCRIPTION, PACK_NAME, pack_policies

PolicyPack(
    name=PACK_NAME,
    description=PACK_DESCRIPTION,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=pack_policies(),
)
