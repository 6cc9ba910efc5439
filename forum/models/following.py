"""What members follow besides single questions (topics, treatments, doctors), how each kind of
notification reaches them, and their activity digest."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum


class FollowKind(enum.StrEnum):
    TOPIC = "topic"
    TREATMENT = "treatment"
    DOCTOR = "doctor"      # target_id is the doctor's DoctorProfile id


class Subscription(TimestampMixin, db.Model):
    """A member follows a topic, a treatment or a doctor. (Questions are followed through Follow.)"""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "target_id", name="uq_subscriptions_user_target"),
                      sa.Index("ix_subscriptions_target", "kind", "target_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[FollowKind] = mapped_column(str_enum(FollowKind))
    target_id: Mapped[int]


class Channel(enum.StrEnum):
    EMAIL = "email"        # in-app, and an e-mail at once
    DIGEST = "digest"      # in-app, and in the next digest
    IN_APP = "in_app"      # in-app only
    OFF = "off"            # nothing


class DigestFrequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class NotificationSetting(db.Model):
    """A member's channel for one category of notifications; no row means the category's default."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))


class DigestSetting(db.Model):
    """How often a member gets the activity digest, and when the last one went out. No row: the
    default frequency, never sent yet."""

    __tablename__ = "digest_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[DigestFrequency] = mapped_column(str_enum(DigestFrequency))
    last_sent_at: Mapped[datetime | None]
