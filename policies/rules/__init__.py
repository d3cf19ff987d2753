"""policies/rules."""
