"""Site-wide stored aggregates: counts and medians computed by a periodic job, read by pages."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import utcnow


class Aggregate(db.Model):
    """One stored aggregate ("home", "topic:<id>", "treatment:<id>") as JSON, with when it was
    computed. Pages read one row instead of counting over every answer on each request."""

    __tablename__ = "aggregates"

    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    value: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
