"""The Pulumi program of support-bot: spec → plan → resources, all from the installed agentha-blueprint.

Each stack's config (Pulumi.<stack>.yaml) names the spec (`agentha:spec`, relative to this folder) and
the environment to apply (`agentha:environment`, default: the stack name). Do not name a folder here
`stacks`, `blueprints`, `components`, `policies` or `cli`: it would hide the installed package.
"""

from stacks.program import main

main()
