"""Reference content in other languages: one row per record and locale, holding the translated
fields (the English record keeps the rest: costs, links, dates). Loaded by the seed from
seed/<locale>/; services lay it over the record for readers of that locale."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import utcnow


class ContentTranslation(db.Model):
    __tablename__ = "content_translations"
    __table_args__ = (sa.UniqueConstraint("kind", "object_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "topic", "treatment", "article", "page"
    object_id: Mapped[int] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    # {"title": ..., "body": ..., "body_html": ...}: only translated fields; rendered HTML included
    fields: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
