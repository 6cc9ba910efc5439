"""Shared column helpers: the clock-backed utcnow default and the timestamp mixin."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum import clock


def utcnow() -> datetime:
    """Column default; a callable so every row gets its own time."""
    return clock.now()


def str_enum(enum_cls, length: int = 20) -> sa.Enum:
    """Enums stored as plain strings, identical on SQLite and PostgreSQL."""
    return sa.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
