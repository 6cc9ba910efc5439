"""Patients' voice: reviews of doctors (rating, worth it, what they paid, photos) and the public
photos of questions. Photo files go through the one pipeline (services/photos.py: checked by
content, re-encoded without metadata, encrypted, random stored names); these rows hold the
stored name, the alt text and the order."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum, utcnow
from forum.models.consultation import random_id
from forum.models.qa import Question
from forum.models.reference import Treatment
from forum.models.user import User


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"      # from an account under 7 days old: waits for a moderator
    PUBLISHED = "published"
    HIDDEN = "hidden"        # by a moderator, with a logged reason


class WorthIt(enum.StrEnum):
    YES = "yes"
    NOT_SURE = "not_sure"
    NO = "no"


class Review(TimestampMixin, db.Model):
    """A member's review of one doctor for one treatment (one per member, doctor and treatment).
    `verified` says the site itself saw a consultation between the two reach "completed"."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("author_id", "doctor_id", "treatment_id", name="uq_reviews_author_doctor_treatment"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
        sa.Index("ix_reviews_doctor_status", "doctor_id", "status", "created_at"),
        sa.Index("ix_reviews_treatment_status", "treatment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    treatment_id: Mapped[int] = mapped_column(sa.ForeignKey("treatments.id", ondelete="CASCADE"))
    rating: Mapped[int]
    worth_it: Mapped[WorthIt] = mapped_column(str_enum(WorthIt))
    treated_on: Mapped[date]  # the month it was done (stored as its first day)
    cost_amount: Mapped[int | None]  # whole units of cost_currency
    cost_currency: Mapped[str | None] = mapped_column(sa.String(3))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    body: Mapped[str] = mapped_column(sa.Text)
    photo_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.PUBLISHED)
    verified: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))
    published_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    reply_body: Mapped[str | None] = mapped_column(sa.Text)  # the doctor's one public reply
    reply_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    doctor: Mapped[User] = relationship(foreign_keys=[doctor_id])
    treatment: Mapped[Treatment] = relationship()
    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ReviewPhoto.position")

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED


class ReviewPhoto(db.Model):
    __tablename__ = "review_photos"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    alt: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship(back_populates="photos")


class QuestionPhoto(db.Model):
    """A photo shown (blurred until asked for) in a public question, with the author's consent."""

    __tablename__ = "question_photos"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    alt: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="photos")
