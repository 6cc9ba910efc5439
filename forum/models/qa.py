"""Questions and answers: Question, Answer, AnswerReview, HelpfulVote, FollowUp, Follow, Invitation."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum, utcnow
from forum.models.reference import Topic, Treatment
from forum.models.user import User
from forum.text import render_markdown, slugify

if TYPE_CHECKING:
    from forum.models.review import QuestionPhoto


def _rendered(target, value: str | None) -> str | None:
    """Keep `body_html` (sanitised Markdown) in step with `body`, rendered once at write time."""
    target.body_html = str(render_markdown(value))
    return value

question_topics = sa.Table(
    "question_topics", db.metadata,
    sa.Column("question_id", sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_question_topics_topic_question", "topic_id", "question_id"),
)
question_treatments = sa.Table(
    "question_treatments", db.metadata,
    sa.Column("question_id", sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("treatment_id", sa.ForeignKey("treatments.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_question_treatments_treatment_question", "treatment_id", "question_id"),
)


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Verdict(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


class Question(TimestampMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        sa.Index("ix_questions_visible_activity", "hidden", "last_activity_at", "id"),
        sa.Index("ix_questions_visible_created", "hidden", "created_at", "id"),
        sa.Index("ix_questions_visible_helpful", "hidden", "helpful_count", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised, at write time
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The language it is written in ("en", "es"): chosen or detected when asking; search uses it.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en", index=True)
    status: Mapped[QuestionStatus] = mapped_column(str_enum(QuestionStatus), default=QuestionStatus.OPEN, index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False, index=True)  # matched a safety red flag
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    # Plain integer (no foreign key, which would make questions and answers depend on each
    # other); Answer.accepted is the truth, this column saves a lookup in lists and the API.
    accepted_answer_id: Mapped[int | None]
    answer_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    follower_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)  # helpful votes over all its answers
    first_answer_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    moderator_edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]  # deleted by a moderator: hidden from everyone but staff
    # Held for a moderator (photos from an account under 7 days old): also `hidden` until approved.
    awaiting_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    topics: Mapped[list[Topic]] = relationship(secondary=question_topics, order_by="Topic.name")
    treatments: Mapped[list[Treatment]] = relationship(secondary=question_treatments, order_by="Treatment.name")
    answers: Mapped[list[Answer]] = relationship(back_populates="question", foreign_keys="Answer.question_id",
                                                 cascade="all, delete-orphan")
    duplicate_of: Mapped[Question | None] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])
    photos: Mapped[list[QuestionPhoto]] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True,
        order_by="QuestionPhoto.position")

    @validates("body")
    def _render_body(self, _key, value):
        return _rendered(self, value)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def is_open(self) -> bool:
        """Accepting answers: not closed, locked or hidden."""
        return self.status != QuestionStatus.CLOSED and not self.locked and not self.hidden


class Answer(TimestampMixin, db.Model):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("question_id", "author_id", name="uq_answers_question_author"),
                      # a doctor's newest answers (profile, dashboard) without sorting all of them
                      sa.Index("ix_answers_author_recent", "author_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    offers_treatment: Mapped[bool] = mapped_column(default=False)  # conflict-of-interest disclosure
    industry_ties: Mapped[str | None] = mapped_column(sa.String(500))
    helpful_count: Mapped[int] = mapped_column(default=0)
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    edited_at: Mapped[datetime | None]
    moderator_edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Changed after the asker accepted it; accepting it again (as it now reads) clears the mark.
    edited_after_accepted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    question: Mapped[Question] = relationship(back_populates="answers", foreign_keys=[question_id])
    author: Mapped[User | None] = relationship()
    reviews: Mapped[list[AnswerReview]] = relationship(back_populates="answer", cascade="all, delete-orphan",
                                                       order_by="AnswerReview.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="answer", cascade="all, delete-orphan",
                                                      order_by="FollowUp.id")

    @validates("body")
    def _render_body(self, _key, value):
        return _rendered(self, value)

    @property
    def visible_follow_ups(self) -> list[FollowUp]:
        return [f for f in self.follow_ups if not f.hidden]


class AnswerReview(TimestampMixin, db.Model):
    """A verified doctor agrees or (with a reason) disagrees with another doctor's answer."""

    __tablename__ = "answer_reviews"
    __table_args__ = (sa.UniqueConstraint("answer_id", "doctor_id", name="uq_answer_reviews_answer_doctor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"))
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict))
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    answer: Mapped[Answer] = relationship(back_populates="reviews")
    doctor: Mapped[User] = relationship()


class HelpfulVote(TimestampMixin, db.Model):
    __tablename__ = "helpful_votes"
    __table_args__ = (sa.UniqueConstraint("answer_id", "user_id", name="uq_helpful_votes_answer_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)


class FollowUp(TimestampMixin, db.Model):
    """A short exchange under an answer between the asker and the answering doctor."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    moderator_edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    answer: Mapped[Answer] = relationship(back_populates="follow_ups")
    author: Mapped[User | None] = relationship()

    @validates("body")
    def _render_body(self, _key, value):
        return _rendered(self, value)

    @property
    def author_role(self) -> str:
        return "doctor" if self.author_id == self.answer.author_id else "asker"


class Follow(TimestampMixin, db.Model):
    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("user_id", "question_id", name="uq_follows_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)


class Invitation(TimestampMixin, db.Model):
    """The asker invites a verified doctor to answer."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("question_id", "doctor_id", name="uq_invitations_question_doctor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    question: Mapped[Question] = relationship()
    doctor: Mapped[User] = relationship()


class SearchDocument(db.Model):
    """One searchable text: a question, an answer, a review, a reference post, a treatment or a topic
    (reference pages once per language they are written in). Only
    public, visible content is indexed. `body` is plain text (Markdown removed) so snippets need
    no HTML; `tags` holds the filter words ("kquestion tacne") that only filters match. SQLite's
    FTS5 table and PostgreSQL's tsvector column follow it by trigger or generation."""

    __tablename__ = "search_documents"
    # One document per thing and language: reference pages have one per translation (migration 0022)
    __table_args__ = (sa.UniqueConstraint("kind", "ref_id", "language", name="uq_search_documents_kind_ref_language"),
                      sa.Index("ix_search_documents_reference", "id",
                               sqlite_where=sa.text("kind IN ('article', 'treatment', 'topic')"),
                               postgresql_where=sa.text("kind IN ('article', 'treatment', 'topic')")))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # question | answer | article | treatment | topic
    ref_id: Mapped[int]
    question_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(255))  # empty for answers: the question's is not theirs
    body: Mapped[str] = mapped_column(sa.Text)
    tags: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    slug: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")  # reference pages' URLs
    # The language it is written in; PostgreSQL's tsvector uses that language's text search
    # configuration, and `stems` holds its words stemmed for SQLite's FTS5 (whose tokenizer stems
    # English): empty for English documents.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    stems: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SearchTerm(db.Model):
    """A word people may mean (from titles and reference pages), for "Did you mean ...?"."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    docs: Mapped[int] = mapped_column(default=0)


# Full-text search structures that SQLAlchemy cannot describe; migration 0021 runs the same DDL.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, stems, content='search_documents', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', prefix='3')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body, tags, stems) "
    "VALUES (new.id, new.title, new.body, new.tags, new.stems); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags, old.stems); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags, old.stems); "
    "INSERT INTO search_fts(rowid, title, body, tags, stems) "
    "VALUES (new.id, new.title, new.body, new.tags, new.stems); END",
)
POSTGRES_SEARCH_PREPARE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
    # unaccent() is only STABLE (its dictionary could change); a generated column needs IMMUTABLE.
    "CREATE OR REPLACE FUNCTION forum_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
)
# Each document's words in its language's configuration (search_query.TS_CONFIGS); the query is
# parsed in the same one, document by document.
_TSV = ("setweight(to_tsvector('{config}', forum_unaccent(coalesce(title, ''))), 'A') || "
        "setweight(to_tsvector('{config}', forum_unaccent(coalesce(body, ''))), 'B')")
POSTGRES_SEARCH_DDL = (
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "CASE WHEN language = 'es' THEN " + _TSV.format(config="spanish") + " ELSE " + _TSV.format(config="english")
    + " END || setweight(to_tsvector('simple', coalesce(tags, '')), 'D')) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
    # Ten times the default sample of lexeme frequencies: a rare word is then known to be rare, and
    # "newest first" reads its few matches from the GIN index instead of walking the table backwards.
    "ALTER TABLE search_documents ALTER COLUMN tsv SET STATISTICS 1000",
)
# The same structures as migration 0007 left them (one language, no stems), for 0007 itself and
# for 0021's downgrade.
SQLITE_SEARCH_DDL_0007 = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, content='search_documents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='3')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags); "
    "INSERT INTO search_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags); END",
)
POSTGRES_SEARCH_DDL_0007 = (
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    + _TSV.format(config="english") + " || setweight(to_tsvector('simple', coalesce(tags, '')), 'D')) STORED",
    *POSTGRES_SEARCH_DDL[1:],
)
# Taking the structures away (before search_documents itself changes: migrations 0021 and 0022).
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS search_documents_ai", "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_au", "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_SEARCH_DROP = (
    "DROP INDEX IF EXISTS ix_search_documents_tsv", "ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv",
)
POSTGRES_TERMS_DDL = (
    "CREATE INDEX ix_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)",
)

for _statement in POSTGRES_SEARCH_PREPARE:
    sa.event.listen(SearchDocument.__table__, "before_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_SEARCH_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_SEARCH_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
for _statement in POSTGRES_SEARCH_PREPARE + POSTGRES_TERMS_DDL:
    sa.event.listen(SearchTerm.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.event.listen(SearchDocument.__table__, "before_drop",
                sa.DDL("DROP TABLE IF EXISTS search_fts").execute_if(dialect="sqlite"))


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ARG001
    """Alembic filter: the FTS5 shadow tables and the generated tsvector are managed by raw DDL."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv":
        return False
    if type_ == "index" and name in ("ix_search_documents_tsv", "ix_search_terms_trgm"):
        return False
    return True
