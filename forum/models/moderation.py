"""Moderation: the append-only ModerationLog (flags arrive with the moderation issue, #5)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
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
