"""Private consultations: requests, their message thread, photos, and pre-log-in drafts.

Health details never sit in plain columns: they live in `details_enc`, `body_enc` and the
encrypted photo files (see forum/crypto.py). Ids are random, not sequential."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import str_enum, utcnow
from forum.models.user import Specialty, User


def random_id() -> str:
    """128 random bits as 32 hex characters."""
    return secrets.token_hex(16)


class ConsultationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class ConsultationRequest(db.Model):
    __tablename__ = "consultation_requests"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_specialty: Mapped[Specialty | None] = mapped_column(str_enum(Specialty, 30))
    status: Mapped[ConsultationStatus] = mapped_column(str_enum(ConsultationStatus),
                                                       default=ConsultationStatus.SUBMITTED, index=True)
    details_enc: Mapped[str] = mapped_column(sa.Text)  # encrypted JSON: concern, history, skin type ...
    consent_at: Mapped[datetime]
    scheduled_for: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]  # the doctor's first accept or decline
    requester_unread: Mapped[bool] = mapped_column(default=False)
    doctor_unread: Mapped[bool] = mapped_column(default=True)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    doctor: Mapped[User | None] = relationship(foreign_keys=[doctor_id])
    messages: Mapped[list[ConsultationMessage]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationMessage.created_at")
    photos: Mapped[list[ConsultationPhoto]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationPhoto.created_at")

    @property
    def is_closed(self) -> bool:
        return self.status in (ConsultationStatus.DECLINED, ConsultationStatus.COMPLETED,
                               ConsultationStatus.WITHDRAWN)


class ConsultationMessage(db.Model):
    __tablename__ = "consultation_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(20), default="message")  # message | accept | decline | ...
    body_enc: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[ConsultationRequest] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class ConsultationPhoto(db.Model):
    """A re-encoded photo (EXIF gone), encrypted in a file with a random name outside static/."""

    __tablename__ = "consultation_photos"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_id)
    consultation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[ConsultationRequest] = relationship(back_populates="photos")


class ConsultationDraft(db.Model):
    """A visitor's filled-in form kept (encrypted, for an hour) while they log in or register.
    Their session holds only the random draft id."""

    __tablename__ = "consultation_drafts"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    payload_enc: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    photos: Mapped[list[ConsultationDraftPhoto]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ConsultationDraftPhoto.id")


class ConsultationDraftPhoto(db.Model):
    """A photo chosen before log-in: cleaned (EXIF gone) and Fernet-encrypted like the draft's
    text; deleted with its draft when the request is sent or the draft expires."""

    __tablename__ = "consultation_draft_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[str] = mapped_column(sa.ForeignKey("consultation_drafts.id", ondelete="CASCADE"), index=True)
    data_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(20))

    draft: Mapped[ConsultationDraft] = relationship(back_populates="photos")
