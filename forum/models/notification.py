"""In-app notifications and the outbox that carries their e-mail copies."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin, utcnow


class Notification(TimestampMixin, db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.String(300))
    link: Mapped[str | None] = mapped_column(sa.String(300))
    read_at: Mapped[datetime | None]
    # Also goes into the member's next digest (their settings chose the digest for its kind).
    digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class OutboxMail(TimestampMixin, db.Model):
    """The durable record of one mail, written in the transaction that caused it. Job workers
    claim due rows for a short lease, send them and mark them sent; a failure schedules the next
    attempt with a growing delay, and after the last attempt the row is marked failed."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # Notification mail names its kind and recipient (List-Unsubscribe); account mail has neither.
    kind: Mapped[str | None] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(255))  # kept across retries
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)  # None: due now
    claimed_until: Mapped[datetime | None]  # a worker's lease; an expired lease is claimable again
    failed_at: Mapped[datetime | None]      # gave up after the last attempt
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class MailOptOut(db.Model):
    """A kind of notification mail a user turned off (one-click unsubscribe or settings)."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
