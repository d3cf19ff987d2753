"""The HA spec: models, YAML loading with positions, environment overrides and semantic rules."""
