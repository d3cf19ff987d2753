"""agentha-blueprint's pure layers: the HA spec (models, loader, rules) and the planner.

Nothing under this package imports Pulumi or a terminal library: the same spec always yields
the same plan, with no clock and no network.
"""
