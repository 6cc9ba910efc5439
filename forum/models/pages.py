"""Trust pages (About, Privacy, Terms...) loaded from seed/pages/, and messages sent through the contact form."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from forum.extensions import db
from forum.i18n import _l
from forum.models.base import str_enum, utcnow
from forum.models.user import User
from forum.text import render_markdown


class SitePage(db.Model):
    """One page about the site itself, edited as a Markdown file in seed/pages/ and loaded by `forum seed`."""

    __tablename__ = "site_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    summary: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised, at write time
    reviewed_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))

    @validates("body")
    def _render_body(self, _key, value):
        self.body_html = str(render_markdown(value))
        return value


class ContactTopic(enum.StrEnum):
    GENERAL = "general"
    PROBLEM = "problem"
    PRESS = "press"
    PRIVACY = "privacy"


CONTACT_TOPIC_LABELS = {
    ContactTopic.GENERAL: _l("General question"),
    ContactTopic.PROBLEM: _l("Report a problem"),
    ContactTopic.PRESS: _l("Press"),
    ContactTopic.PRIVACY: _l("Privacy request"),
}


class ContactMessage(db.Model):
    """A message sent through /contact; only moderators read it. `handled_at` closes it."""

    __tablename__ = "contact_messages"
    __table_args__ = (sa.Index("ix_contact_messages_open", "handled_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    topic: Mapped[ContactTopic] = mapped_column(str_enum(ContactTopic))
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def topic_label(self) -> str:
        return CONTACT_TOPIC_LABELS[self.topic]
