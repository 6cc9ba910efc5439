"""Moderation: the append-only ModerationLog and users' flags."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import str_enum, utcnow
from forum.models.user import User


class ModerationLog(db.Model):
    """Who did what to which target, why, and when. Rows are never updated or deleted."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(30))
    target_id: Mapped[str] = mapped_column(sa.String(40))
    target_label: Mapped[str] = mapped_column(sa.String(200), default="")
    reason: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


@event.listens_for(ModerationLog, "before_update")
@event.listens_for(ModerationLog, "before_delete")
def _refuse_change(mapper, connection, target):  # noqa: ARG001
    raise PermissionError("The moderation log is append-only.")


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    MISINFORMATION = "medical misinformation"
    SELF_PROMOTION = "self-promotion"
    PRIVACY = "privacy"
    OTHER = "other"


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"   # acted on (hidden, deleted, edited ...)
    DISMISSED = "dismissed"  # nothing wrong


class FlagTarget(enum.StrEnum):
    QUESTION = "question"
    ANSWER = "answer"
    FOLLOW_UP = "follow_up"
    DOCTOR = "doctor"
    CONSULTATION = "consultation"


class Flag(db.Model):
    """A user's report about one item; one open flag per user per item."""

    __tablename__ = "flags"
    __table_args__ = (
        sa.Index("ix_flags_target", "target_type", "target_id", "status"),
        sa.Index("uq_flags_open_per_reporter", "reporter_id", "target_type", "target_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    target_type: Mapped[FlagTarget] = mapped_column(str_enum(FlagTarget))
    target_id: Mapped[str] = mapped_column(sa.String(40))  # consultation ids are random strings
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, 30))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[FlagStatus] = mapped_column(str_enum(FlagStatus), default=FlagStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
