"""Resilience analysis of a plan: what each failure breaks (blast_radius), what to do about it
(failure_modes, runbooks) and a picture of the system (diagram). Pure: the plan, the reliability
model and, optionally, the captured resource graph in; records and text out. No Pulumi import."""
