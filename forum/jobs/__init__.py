"""Background jobs. Services call `enqueue(name)` after their commit; the queue behind it is
wired in `create_app` (`forum.jobs.queue`): RQ over Redis in production, or "inline" (the job
runs in the calling process right away) for development and tests without a worker.

Every job is idempotent: running it twice changes nothing the second time."""
from __future__ import annotations

from flask import current_app, has_app_context


def enqueue(name: str, **kwargs) -> bool:
    """Ask for job `name` (a function in forum.jobs.tasks). False when the queue is unreachable:
    the caller's durable record (e.g. an outbox row) is then picked up by the periodic sweep."""
    if not has_app_context():
        raise RuntimeError("jobs.enqueue needs an application context")
    return current_app.extensions["forum_jobs"].enqueue(name, **kwargs)
