"""Revisions: the previous version of a question, answer, reference post or treatment, kept at each edit."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import TimestampMixin
from forum.models.user import User


class Revision(TimestampMixin, db.Model):
    """What `subject` looked like before `editor` changed it at `created_at`. A rollback is an edit
    too: it keeps the version it replaced, says which revision it restored and why."""

    __tablename__ = "revisions"
    __table_args__ = (sa.UniqueConstraint("subject_type", "subject_id", "number", name="uq_revisions_subject_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(20))  # question | answer | article | treatment
    subject_id: Mapped[int]
    number: Mapped[int]  # 1, 2, ... per subject
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the fields as they were
    rollback_to: Mapped[int | None]  # the number of the revision this edit restored
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    editor: Mapped[User | None] = relationship()
