"""Entry point `pulumi up` runs (Pulumi.yaml: `main: stacks/`)."""

from stacks.program import main

main()
