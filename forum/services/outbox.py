"""The outbox: durable mail records, claimed by job workers for a short lease, sent once.

A mail row is written in the transaction that caused it (`mail.queue_mail`); the commit then asks
the job queue for a delivery (`_enqueue_after_commit`). If the queue is unreachable nothing is
lost: the scheduler's sweep enqueues a delivery every minute, which sends whatever is due.

Claiming is what makes two workers safe: on PostgreSQL a worker locks due rows with
`FOR UPDATE SKIP LOCKED` and stamps a lease on them in one short transaction; on SQLite the one
writer at a time gives the same guarantee to the UPDATE that stamps the lease. A row whose lease
ran out (its worker died mid-send) is due again."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session

from forum import clock, jobs, mail
from forum.extensions import db
from forum.models import OutboxMail

log = logging.getLogger("forum.mail")
LEASE = timedelta(minutes=5)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12))  # after the last delay the mail is given up
MAX_ATTEMPTS = len(BACKOFF) + 1


def _due(now):
    return (OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None),
            or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now))


def claim(limit: int = 20) -> list[int]:
    """Lease up to `limit` due mails to this worker; commits. Returns their ids."""
    now = clock.now()
    ids = select(OutboxMail.id).where(*_due(now)).order_by(OutboxMail.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    chosen = list(db.session.scalars(ids))
    if not chosen:
        db.session.rollback()
        return []
    lease = uuid.uuid4().hex  # tells this claim apart from a later one on the same rows
    until = now + LEASE + timedelta(microseconds=int(lease[:5], 16))
    db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(chosen), *_due(now))
                       .values(claimed_until=until).execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail.id).where(OutboxMail.id.in_(chosen),
                                                               OutboxMail.claimed_until == until)))


def deliver_due(sender=None, limit: int = 20) -> int:
    """Send every due mail, `limit` at a time; a failure schedules a retry. Returns mails sent."""
    sender = sender or mail.get_sender()
    sent = 0
    while ids := claim(limit):
        for mail_id in ids:
            row = db.session.get(OutboxMail, mail_id)
            if row is not None:  # None: erased with its recipient's account since it was claimed
                sent += _deliver_one(sender, row)
        if len(ids) < limit:
            break
    return sent


def _deliver_one(sender, row: OutboxMail) -> int:
    row.attempts += 1
    try:
        sender.send(mail.build_message(row))
    except Exception as exc:  # noqa: BLE001 - any transport failure leaves the mail for a retry
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = clock.now()
            log.error("mail %s given up after %s attempts: %s", row.id, row.attempts, type(exc).__name__)
        else:
            row.next_attempt_at = clock.now() + BACKOFF[row.attempts - 1]
            log.warning("mail %s not sent (attempt %s), retried later: %s", row.id, row.attempts,
                        type(exc).__name__)
        row.claimed_until = None
        db.session.commit()
        return 0
    row.sent_at, row.claimed_until, row.last_error = clock.now(), None, None
    db.session.commit()
    return 1


def pending() -> tuple[int, float | None]:
    """(mails not yet sent nor given up, age in seconds of the oldest): for /metrics."""
    count, oldest = db.session.execute(select(func.count(), func.min(OutboxMail.created_at)).where(
        OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))).one()
    return count, (clock.now() - oldest).total_seconds() if oldest else None


# ---- a commit that queued mail asks the job queue for a delivery ----

@event.listens_for(Session, "after_flush")
def _note_new_mail(session: Session, _flush_context) -> None:
    if any(isinstance(obj, OutboxMail) for obj in session.new):
        session.info["forum_mail_queued"] = True


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    if session.info.pop("forum_mail_queued", False):
        jobs.enqueue("send_mail")


@event.listens_for(Session, "after_rollback")
def _forget_mail(session: Session) -> None:
    session.info.pop("forum_mail_queued", None)
