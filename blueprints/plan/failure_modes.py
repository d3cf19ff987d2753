"""The failure modes the drills rehearse and the runbooks handle: one catalogue, read by both.

Each drill of `chaos.drills` has here: the disruption it belongs to, its steps (the plan's
`DrillPlan.runbook`, shown by `plan --output json` and in each runbook page's "Drill" section) and
what it expects to see per target (the hypothesis written into each AWS FIS experiment template's
description, components/aws/chaos_drills.py, and quoted by the runbook). Change a drill here and the
plan, the FIS template and the runbook change together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blueprints.plan.models import Disruption


@dataclass(frozen=True)
class DrillText:
    """A drill: the disruption it rehearses, its steps, and its hypothesis per target."""

    disruption: Disruption
    steps: tuple[str, ...]
    expects: dict[str, str] = field(default_factory=dict)
    """Target (aws, kubernetes) → what the drill expects to see; empty where nothing is built to say it."""


DRILLS: dict[str, DrillText] = {
    "zone-outage": DrillText(
        "zone",
        (
            "Announce the drill; confirm the SLO dashboard is green and error budget remains.",
            (
                "Block one zone: on aws, start the zone-outage FIS template (it blocks the zone's private subnets and "
                "fails the zone's Aurora writers and Valkey primaries over; it aborts only on the SLO burn alarm); on "
                "kubernetes, cordon and drain that zone's nodes or a Chaos Mesh NetworkChaos partition."
            ),
            "Watch: the load balancer marks that zone's targets unhealthy; serving replicas stay ≥ min.",
            "Check stores failed over within the zone RTO and no acknowledged write was lost.",
            "Restore the zone; confirm replicas rebalance across zones.",
        ),
        {
            "aws": (
                "the load balancer stops sending to the zone; store writers in the zone move to another zone; "
                "tasks run in the other zones; clients recover within the RTO"
            ),
        },
    ),
    "region-outage": DrillText(
        "region",
        (
            "Announce the drill; confirm the standby region's replicas are in sync (replication lag alarm green).",
            "Fail the primary's health check (block /readyz or stop the ingress agent in the primary).",
            "Watch: DNS health checks fail, records switch to the standby, the standby scales to full capacity.",
            (
                "Promote stores that need it (Aurora global database, ElastiCache global datastore, CNPG replica "
                "cluster)."
            ),
            "Measure time to first successful request in the standby against the region RTO.",
            "Fail back deliberately once the primary is healthy and caught up.",
        ),
    ),
    "agent-crash": DrillText(
        "application",
        (
            "Kill a share of one agent's replicas (ECS StopTask / kubectl delete pod, or a Chaos Mesh PodChaos).",
            (
                "Watch: replacements start, in-flight messages reappear after the visibility timeout and are processed "
                "once (idempotency keys), nothing lands in the dead-letter queue."
            ),
        ),
        {
            "aws": (
                "ECS starts replacement tasks; the planned survivors keep serving; in-flight work is redelivered and "
                "processed once; no dead letter"
            ),
        },
    ),
    "store-failover": DrillText(
        "zone",
        (
            (
                "Trigger a store failover (Aurora failover-db-cluster, ElastiCache test-failover, CNPG promote, "
                "or Redis Sentinel failover)."
            ),
            "Watch: agents reconnect with backoff and jitter; circuit breakers open and close; no write is lost.",
        ),
        {
            "aws": "an Aurora Replica becomes writer; agents reconnect with backoff; no acknowledged write is lost",
        },
    ),
    "queue-outage": DrillText(
        "application",
        (
            "Deny the agents' access to one queue for a few minutes (an IAM deny or a NetworkPolicy).",
            "Watch: producers retry with backoff; consumers resume and catch up; the backlog alarm fires and clears.",
        ),
    ),
    "network-latency": DrillText(
        "application",
        (
            "Add latency to a dependency (AWS FIS or a Chaos Mesh NetworkChaos delay).",
            "Watch: p99 latency alarm; circuit breakers open at the configured failure rate and recover.",
        ),
    ),
}

KUBERNETES_REGION_OUTAGE = (
    (
        "Not scheduled in Chaos Mesh: with a PostgreSQL store in several regions, failing the primary's ingress would "
        "send users to a read-only replica cluster for the whole drill."
    ),
    (
        "Rehearse the failover path as the planned switchover and switch-back of the FAILOVER.md runbook that `render` "
        "writes: demote the primary, promote the standby with the demotion token, move k8gb's primary."
    ),
    "Measure time to the first successful write in the standby against the region RTO; then switch back.",
    "Not covered: k8gb detecting an unannounced outage, and the WAL an unplanned promotion loses.",
)
"""Kubernetes region-outage drill where a store would be left read-only (components/kubernetes/chaos.py)."""

KUBERNETES_REGION_OUTAGE_SINGLE_WRITER = (
    (
        "Not scheduled in Chaos Mesh: a PostgreSQL store takes every region's writes in one region; failing that "
        "region's ingress moves its users but not the writes, and Chaos Mesh cannot promote a replica cluster."
    ),
    (
        "Rehearse the failover path as the planned switchover and switch-back of the FAILOVER.md runbook that `render` "
        "writes: demote the writer, promote another region's replica cluster with the demotion token, apply every "
        "region so that its agents write there."
    ),
    "Measure time to the first successful write in the new writer region against the region RTO; then switch back.",
    "Not covered: the WAL an unplanned promotion loses, and a returning old writer (FAILOVER.md, sections 2 and 3).",
)
"""The same for kubernetes active-active with a `writes: primary-region` PostgreSQL store."""
