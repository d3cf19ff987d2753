"""Rules on durable queues and their dead letters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from blueprints.errors import Problem
from blueprints.spec.rules import RuleContext, rule
from blueprints.units import format_duration as fmt

SQS_MIN_RETENTION = timedelta(seconds=60)
SQS_MAX_RETENTION = timedelta(days=14)
SQS_MAX_VISIBILITY = timedelta(hours=12)


@rule("visibility-exceeds-step", "A queue's visibility timeout exceeds the max_step_duration of every consumer.")
def visibility_exceeds_step(ctx: RuleContext) -> Iterator[Problem]:
    for qi, queue in enumerate(ctx.spec.queues):
        for agent in ctx.spec.agents:
            if queue.name in agent.consumes and queue.visibility_timeout <= agent.max_step_duration:
                yield ctx.problem(
                    ("queues", qi, "visibility_timeout"),
                    f"visibility timeout {fmt(queue.visibility_timeout)} of queue '{queue.name}' does not exceed "
                    f"the {fmt(agent.max_step_duration)} max_step_duration of its consumer '{agent.name}': "
                    "a message still being worked on would be delivered again",
                    f"set visibility_timeout above {fmt(agent.max_step_duration)} "
                    f"(e.g. {fmt(agent.max_step_duration * 2)}), or shorten the agent's max_step_duration",
                    value=fmt(queue.visibility_timeout),
                    allowed=f"> {fmt(agent.max_step_duration)}",
                )


@rule("dead-letter-retention", "A dead-letter queue keeps messages at least as long as its queue.")
def dead_letter_retention(ctx: RuleContext) -> Iterator[Problem]:
    for qi, queue in enumerate(ctx.spec.queues):
        if queue.dead_letter.retention < queue.retention:
            yield ctx.problem(
                ("queues", qi, "dead_letter", "retention"),
                f"dead letters of '{queue.name}' are kept {fmt(queue.dead_letter.retention)}, less than the "
                f"queue's {fmt(queue.retention)}: on SQS standard queues a dead letter keeps its original "
                "enqueue time, so it could expire as soon as it arrives, before anyone inspects it",
                f"set dead_letter.retention to at least {fmt(queue.retention)} (14d gives people time to look)",
                value=fmt(queue.dead_letter.retention),
                allowed=f"≥ {fmt(queue.retention)}",
            )


@rule("sqs-limits", "On aws, retention is 60s-14d and visibility timeout at most 12h (SQS limits).")
def sqs_limits(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "aws":
        return
    for qi, queue in enumerate(ctx.spec.queues):
        for path, value in (
            (("queues", qi, "retention"), queue.retention),
            (("queues", qi, "dead_letter", "retention"), queue.dead_letter.retention),
        ):
            if not SQS_MIN_RETENTION <= value <= SQS_MAX_RETENTION:
                yield ctx.problem(
                    path,
                    f"SQS keeps messages between 60s and 14d, not {fmt(value)}",
                    "set a retention between 60s and 14d",
                    value=fmt(value),
                    allowed="60s-14d",
                )
        if queue.visibility_timeout > SQS_MAX_VISIBILITY:
            yield ctx.problem(
                ("queues", qi, "visibility_timeout"),
                f"SQS visibility timeout is at most 12h, not {fmt(queue.visibility_timeout)}",
                "set visibility_timeout to 12h or less, and split longer steps",
                value=fmt(queue.visibility_timeout),
                allowed="≤ 12h",
            )


@rule("idempotency-window", "An idempotency key outlives redeliveries of the queues the agent consumes (warning).")
def idempotency_window(ctx: RuleContext) -> Iterator[Problem]:
    for ai, agent in enumerate(ctx.spec.agents):
        if agent.idempotency is None:
            continue
        for name in agent.consumes:
            queue = ctx.spec.queue(name)
            if queue is not None and agent.idempotency.ttl < queue.retention:
                yield ctx.problem(
                    ("agents", ai, "idempotency", "ttl"),
                    f"idempotency keys of '{agent.name}' expire after "
                    f"{ctx.as_written(('agents', ai, 'idempotency', 'ttl'), fmt(agent.idempotency.ttl))}, but queue "
                    f"'{name}' may redeliver a message for up to {fmt(queue.retention)}: a late redelivery "
                    "would be acted on twice",
                    f"set idempotency.ttl to at least {fmt(queue.retention)}",
                    value=fmt(agent.idempotency.ttl),
                    allowed=f"≥ {fmt(queue.retention)}",
                    severity="warning",
                )
