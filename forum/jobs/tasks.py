"""The job functions: each opens an application context and calls one service, like a view.
RQ imports them by name (forum.jobs.tasks.<name>), so they take only JSON-friendly arguments."""
from __future__ import annotations

import contextlib

from flask import Flask, has_app_context

from forum.extensions import db
from forum.services import moderation, outbox, questions, site, stats

_process_app: Flask | None = None  # the worker's app (set by `forum worker`, or made on first use)


def use_app(app: Flask) -> None:
    global _process_app
    _process_app = app


@contextlib.contextmanager
def _context():
    """Inline jobs run in the caller's context; a worker gives each job a fresh one."""
    global _process_app
    if has_app_context() and _process_app is None:
        yield
        return
    if _process_app is None:
        import forum
        _process_app = forum.create_app()
    with _process_app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def send_mail() -> int:
    """Deliver every due mail in the outbox (each is claimed, so workers never send one twice)."""
    with _context():
        return outbox.deliver_due()


def lapse_expired() -> int:
    with _context():
        return moderation.lapse_expired_verifications()


def flush_views() -> int:
    with _context():
        return questions.flush_view_counts()


def refresh_stats() -> int:
    with _context():
        return stats.refresh_all()


def optimize_db() -> None:
    with _context():
        site.optimize_database()


JOBS = {f.__name__: f for f in (send_mail, lapse_expired, flush_views, refresh_stats, optimize_db)}
