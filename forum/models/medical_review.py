"""A doctor's medical review of a reference post: assigned by a moderator, confirmed (or declined)
by that doctor. Only a confirmed review becomes the post's public byline (Article.reviewer)."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import str_enum, utcnow
from forum.models.reference import Article
from forum.models.user import DoctorProfile


class MedicalReviewStatus(enum.StrEnum):
    PENDING = "pending"        # assigned, waiting for the doctor
    CONFIRMED = "confirmed"    # the doctor signed off: the post shows "Medically reviewed by"
    DECLINED = "declined"      # the doctor said no; the post is unassigned again
    WITHDRAWN = "withdrawn"    # a moderator assigned someone else before the doctor answered


class MedicalReview(db.Model):
    __tablename__ = "medical_reviews"
    __table_args__ = (sa.Index("ix_medical_reviews_doctor_status", "doctor_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("doctor_profiles.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[MedicalReviewStatus] = mapped_column(str_enum(MedicalReviewStatus),
                                                        default=MedicalReviewStatus.PENDING)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    reviewed_on: Mapped[date | None]  # the sign-off date shown publicly (confirmed only)
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    reminded_at: Mapped[datetime | None]  # the one reminder of the current due period

    article: Mapped[Article] = relationship()
    doctor: Mapped[DoctorProfile] = relationship()
