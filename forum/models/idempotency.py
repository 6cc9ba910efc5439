"""Idempotency keys: one row per (user, Idempotency-Key) of an API write, with its response."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import str_enum, utcnow


class IdempotencyStatus(StrEnum):
    IN_PROGRESS = "in_progress"  # a request holds the key; its write has not committed
    COMMITTED = "committed"      # the write committed (stamped in its own transaction); response not stored yet
    DONE = "done"                # the response is stored and is replayed to retries


class IdempotencyKey(db.Model):
    """An API write sent with an Idempotency-Key header, kept per user for IDEMPOTENCY_TTL_HOURS.
    `fingerprint` is the SHA-256 of method, path, query and canonical body; `claim` is the random
    token of the request that holds the key, so a stale holder can never commit after a reclaim.
    The response body is stored encrypted (replies to consultation writes carry health data)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[IdempotencyStatus] = mapped_column(str_enum(IdempotencyStatus),
                                                      default=IdempotencyStatus.IN_PROGRESS)
    claim: Mapped[str] = mapped_column(sa.String(32))
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
