"""The planner: a pure function from a validated spec to a `TopologyPlan` with estimates."""
