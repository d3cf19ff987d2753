"""HA and security policies: one rule per file in `policies/rules/`, run offline by
`agentha-blueprint check` (policies.check, policies.engine) and inside Pulumi as a CrossGuard pack
(`pulumi preview --policy-pack policies`; policies/__main__.py). See docs/policies.md."""
