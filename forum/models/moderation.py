"""Moderation: the append-only ModerationLog (guarded in the ORM and by database triggers), users'
weighted flags, and the record of posts a ban removed."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import DDL, event
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


# The database refuses UPDATE and DELETE too (raw SQL, other tools, a bug that bypasses the ORM).
# One change is let through: ON DELETE SET NULL of actor_id once that user's row is gone, so
# deleting an account still works; everything else about the row must stay the same. On
# PostgreSQL the row is compared as JSON without actor_id, so a column added later is covered;
# on SQLite the columns are listed (add a new column to the list). create_all applies these
# (tests) and migration 0011 runs the same strings. The messages hold no "%" or ":name" so the
# strings pass unchanged through DDL() and op.execute().
APPEND_ONLY_DDL = {
    "postgresql": (
        """CREATE OR REPLACE FUNCTION moderation_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM users WHERE users.id = OLD.actor_id)
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'moderation_log is append-only, ' || TG_OP || ' refused',
                          ERRCODE = 'integrity_constraint_violation';
END
$$""",
        "CREATE TRIGGER moderation_log_append_only BEFORE UPDATE OR DELETE ON moderation_log "
        "FOR EACH ROW EXECUTE FUNCTION moderation_log_append_only()",
        "CREATE TRIGGER moderation_log_no_truncate BEFORE TRUNCATE ON moderation_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION moderation_log_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log "
        "BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only, DELETE refused'); END",
        """CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
WHEN NOT (NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM users WHERE users.id = OLD.actor_id)
          AND NEW.id IS OLD.id AND NEW.action IS OLD.action AND NEW.target_type IS OLD.target_type
          AND NEW.target_id IS OLD.target_id AND NEW.target_label IS OLD.target_label
          AND NEW.reason IS OLD.reason AND NEW.created_at IS OLD.created_at)
BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only, UPDATE refused'); END""",
    ),
}
DROP_APPEND_ONLY_DDL = {
    "postgresql": ("DROP TRIGGER IF EXISTS moderation_log_no_truncate ON moderation_log",
                   "DROP TRIGGER IF EXISTS moderation_log_append_only ON moderation_log",
                   "DROP FUNCTION IF EXISTS moderation_log_append_only()"),
    "sqlite": ("DROP TRIGGER IF EXISTS moderation_log_no_update",
               "DROP TRIGGER IF EXISTS moderation_log_no_delete"),
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(ModerationLog.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
event.listen(ModerationLog.__table__, "after_drop",
             DDL(DROP_APPEND_ONLY_DDL["postgresql"][-1]).execute_if(dialect="postgresql"))


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
    REVIEW = "review"


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
    # How much this flag counts toward the auto-hide, fixed when it is made from the reporter's
    # trust then (services/moderation_trust.py): 1 for trusted reporters, less for new accounts.
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0, server_default="1")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def trusted(self) -> bool:
        return self.weight >= 1


class BanRemoval(db.Model):
    """One post removed because its author was banned with "also remove all of this user's posts",
    so that restoring the posts brings back exactly these and leaves earlier removals alone."""

    __tablename__ = "ban_removals"
    __table_args__ = (sa.Index("ix_ban_removals_user_open", "user_id", "restored_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_log.id"), index=True)  # the removal entry
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(sa.String(20))  # question, answer or follow_up
    target_id: Mapped[int]
    was_hidden: Mapped[bool] = mapped_column(default=False)  # hidden before the ban: stays hidden after
    removed_at: Mapped[datetime]  # the post's deleted_at; a later, separate deletion differs
    restored_at: Mapped[datetime | None]
