"""The job functions: each opens an application context and calls one service, like a view.
RQ imports them by name (forum.jobs.tasks.<name>), so they take only JSON-friendly arguments."""
from __future__ import annotations

import contextlib

from flask import Flask, has_app_context

from forum import clock
from forum.extensions import db
from forum.i18n import force_locale, supported
from forum.services import (
    accounts, digests, following_fanout, idempotency, medical_reviews, moderation, outbox, questions, site, stats,
)

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


def _speaking(locale: str | None):
    """Text made inside is in `locale` when it is one we serve: a job has no request to take the
    language from, so whoever enqueues it may pass the one of the page it was asked from (mail
    still goes out in the recipient's own language when their account has one, see mail.py)."""
    chosen = supported(locale)
    return force_locale(chosen) if chosen else contextlib.nullcontext()


def send_mail() -> int:
    """Deliver every due mail in the outbox (each is claimed, so workers never send one twice)."""
    with _context():
        return outbox.deliver_due()


def send_password_reset(email: str, locale: str | None = None) -> None:
    """Queue a reset link for this address if it belongs to an account (nothing otherwise), in the
    account's language, else `locale` (the language of the page it was asked from)."""
    with _context(), _speaking(locale):
        accounts.send_password_reset(email=email)


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


def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key records past IDEMPOTENCY_TTL_HOURS."""
    with _context():
        return idempotency.purge_expired()


def send_digests() -> int:
    """Queue every activity digest due now (each member's once per local morning; see services/digests.py)."""
    with _context():
        return digests.send_due_digests(clock.now())



def announce_followed(kind: str, subject_id: int) -> None:
    """Tell the followers of a new question's topics and treatments, or of an answer's doctor."""
    with _context():
        following_fanout.tell_followers(kind, subject_id)


def remind_due_reviews() -> int:
    """Remind reviewing doctors of reference posts whose medical review fell due (once per due period)."""
    with _context():
        return medical_reviews.remind_due_reviews()


JOBS = {f.__name__: f for f in (send_mail, send_password_reset, lapse_expired, flush_views, refresh_stats, optimize_db,
                                purge_idempotency_keys, send_digests, remind_due_reviews,
                                announce_followed)}
