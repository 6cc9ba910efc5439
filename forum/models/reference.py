"""Reference content: Topic, Treatment, Article and their link tables."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from forum import clock
from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum, utcnow
from forum.models.user import DoctorProfile
from forum.text import render_markdown

article_topics = sa.Table(
    "article_topics", db.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)
article_treatments = sa.Table(
    "article_treatments", db.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("treatment_id", sa.ForeignKey("treatments.id", ondelete="CASCADE"), primary_key=True, index=True),
)
treatment_topics = sa.Table(
    "treatment_topics", db.metadata,
    sa.Column("treatment_id", sa.ForeignKey("treatments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)
article_related = sa.Table(
    "article_related", db.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("related_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True),
)


doctor_topics = sa.Table(
    "doctor_topics", db.metadata,
    sa.Column("doctor_id", sa.ForeignKey("doctor_profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TopicKind(enum.StrEnum):
    CONCERN = "concern"
    TREATMENT_TYPE = "treatment-type"
    PRODUCT = "product"


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Topic(TimestampMixin, db.Model):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[TopicKind] = mapped_column(str_enum(TopicKind), default=TopicKind.CONCERN)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Checksum of the seed record last loaded; a re-seed skips unchanged records so a
    # moderator's edit survives until the seed file itself changes.
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))

    treatments: Mapped[list[Treatment]] = relationship(secondary=treatment_topics, back_populates="topics",
                                                      order_by="Treatment.name")


class Treatment(TimestampMixin, db.Model):
    __tablename__ = "treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(80))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    how_it_works: Mapped[str] = mapped_column(sa.Text)
    cost_min: Mapped[int | None]
    cost_max: Mapped[int | None]
    cost_currency: Mapped[str | None] = mapped_column(sa.String(3))
    cost_note: Mapped[str | None] = mapped_column(sa.String(200))
    sessions: Mapped[str | None] = mapped_column(sa.String(200))
    downtime: Mapped[str | None] = mapped_column(sa.String(200))
    durability: Mapped[str | None] = mapped_column(sa.String(200))
    cautions: Mapped[str | None] = mapped_column(sa.Text)
    prescription: Mapped[bool] = mapped_column(default=False)
    # [{"publication", "expert", "credential", "supports": [fact names]}]
    sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))

    topics: Mapped[list[Topic]] = relationship(secondary=treatment_topics, back_populates="treatments",
                                               order_by="Topic.name")

    def sources_for(self, fact: str) -> list[dict]:
        return [s for s in (self.sources or []) if fact in s.get("supports", [])]


class Article(TimestampMixin, db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(400))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised, at write time
    author_name: Mapped[str] = mapped_column(sa.String(120))
    author_bio: Mapped[str] = mapped_column(sa.String(600), default="")
    # [{"publication", "expert", "credential"}]
    sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[ArticleStatus] = mapped_column(str_enum(ArticleStatus), default=ArticleStatus.DRAFT, index=True)
    featured: Mapped[bool] = mapped_column(default=False)
    published_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("doctor_profiles.id", ondelete="SET NULL"))
    reviewed_on: Mapped[date | None]
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))

    topics: Mapped[list[Topic]] = relationship(secondary=article_topics, order_by="Topic.name")
    treatments: Mapped[list[Treatment]] = relationship(secondary=article_treatments, order_by="Treatment.name")
    related: Mapped[list[Article]] = relationship(
        secondary=article_related, primaryjoin=lambda: Article.id == article_related.c.article_id,
        secondaryjoin=lambda: Article.id == article_related.c.related_id, order_by="Article.title")
    reviewer: Mapped[DoctorProfile | None] = relationship()

    @validates("body")
    def _render_body(self, _key, value):
        self.body_html = str(render_markdown(value))
        return value

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def review_due(self) -> bool:
        """Reference posts are medically re-reviewed at least every 12 months."""
        return self.reviewed_on is None or (clock.now().date() - self.reviewed_on).days > 365
