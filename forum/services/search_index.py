"""The search index: one document per public question, answer, reference post, treatment and
topic, and the vocabulary behind "Did you mean ...?".

Writers call index_* in their own transaction, so hidden, deleted or draft content is never in
the index; `rebuild` makes both tables again from the content itself (`forum search-rebuild`,
migrations 0007, 0021 and 0022), and a test compares the two. Each document records its language
(a question's, which its answers share); a reference page has one document per language it is
written in (its translations in content_translations, migration 0022)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.extensions import db
from forum.models import (
    Answer, Article, ArticleStatus, Question, Review, ReviewStatus, SearchDocument, SearchTerm, Topic, Treatment,
    question_topics,
)
from forum.models.translation import ContentTranslation
from forum.models.base import utcnow
from forum.services.search_query import filler_words, language_tag, stems_text, words
from forum.text import plain_text, render_markdown

REFERENCE_KINDS = ("article", "treatment", "topic")
BATCH = 2000


# ---- documents, from plain values (the ORM writers, the rebuild and bench data share them) ----

def tags_for(kind: str, topic_slugs: Iterable[str] = (), language: str = "en") -> str:
    """Filter words: "k<kind>", "kref" for reference pages, "l<language>" when not English,
    "t<topic slug without hyphens>"."""
    tags = ["k" + kind] + (["kref"] if kind in REFERENCE_KINDS else []) + [t for t in [language_tag(language)] if t]
    return " ".join(tags + sorted("t" + slug.replace("-", "") for slug in topic_slugs))


def _in_language(document: dict, language: str = "en") -> dict:
    """The document with its language and, for SQLite, its stems. Reviews are English; a reference
    page is in the language of the record given (a translation's: _Translation)."""
    text = document["title"] + "\n" + document["body"]
    return {**document, "language": language, "stems": stems_text(text, language)}


def question_document(question_id: int, title: str, body_html: str, topic_slugs: Iterable[str],
                      language: str = "en") -> dict:
    return _in_language({"kind": "question", "ref_id": question_id, "question_id": question_id, "title": title,
                         "body": plain_text(body_html), "tags": tags_for("question", topic_slugs, language),
                         "slug": ""}, language)


def answer_document(answer_id: int, question_id: int, body_html: str, topic_slugs: Iterable[str],
                    language: str = "en") -> dict:
    """An answer, in its question's language."""
    return _in_language({"kind": "answer", "ref_id": answer_id, "question_id": question_id, "title": "",
                         "body": plain_text(body_html), "tags": tags_for("answer", topic_slugs, language),
                         "slug": ""}, language)


def _language_of(record) -> str:
    """"en" for a record, its locale for a translation of one (a _Translation)."""
    return getattr(record, "locale", None) or "en"


def _topic_slugs_of(record) -> list[str]:
    """The slugs of a record's topics (a translation's are its record's: slugs are not translated)."""
    return [t.slug for t in getattr(record, "original", record).topics]


def article_document(article: Article) -> dict:
    language = _language_of(article)
    body = article.summary + "\n" + plain_text(article.body_html or render_markdown(article.body))
    return _in_language({"kind": "article", "ref_id": article.id, "question_id": None, "title": article.title,
                         "body": body, "tags": tags_for("article", _topic_slugs_of(article), language),
                         "slug": article.slug}, language)


def treatment_document(treatment: Treatment) -> dict:
    language = _language_of(treatment)
    parts = [treatment.summary, treatment.how_it_works, treatment.sessions, treatment.downtime,
             treatment.durability, treatment.cost_note, treatment.cautions]
    body = "\n".join(plain_text(render_markdown(p)) for p in parts if p)
    return _in_language({"kind": "treatment", "ref_id": treatment.id, "question_id": None, "title": treatment.name,
                         "body": body, "tags": tags_for("treatment", _topic_slugs_of(treatment), language),
                         "slug": treatment.slug}, language)


def topic_document(topic: Topic) -> dict:
    language = _language_of(topic)
    return _in_language({"kind": "topic", "ref_id": topic.id, "question_id": None, "title": topic.name,
                         "body": plain_text(render_markdown(topic.description)),
                         "tags": tags_for("topic", [topic.slug], language), "slug": topic.slug}, language)


DOCUMENTS = {"article": article_document, "treatment": treatment_document, "topic": topic_document}


class _Translation:
    """A record's translated text only: its document holds the translation's own words, not the
    English fields it falls back to when shown (those are found through the English document)."""

    def __init__(self, record, fields: dict, locale: str):
        self.original, self.locale, self._fields = record, locale, fields
        self.id, self.slug = record.id, record.slug

    def __getattr__(self, name):
        return self._fields.get(name) or ""


def translated_documents(kind: str, records: list, session=None) -> list[dict]:
    """The documents of the records' translations (content_translations), one per language, in one query."""
    session = session or db.session
    by_id = {record.id: record for record in records}
    if not by_id:
        return []
    rows = session.execute(select(ContentTranslation.object_id, ContentTranslation.locale, ContentTranslation.fields)
                           .where(ContentTranslation.kind == kind, ContentTranslation.object_id.in_(sorted(by_id)))
                           .order_by(ContentTranslation.object_id, ContentTranslation.locale)).all()
    return [DOCUMENTS[kind](_Translation(by_id[object_id], fields or {}, locale)) for object_id, locale, fields in rows]


def review_document(review: Review) -> dict:
    """A published review: found by its text; `slug` holds the doctor's profile id (its page's URL)."""
    doctor = review.doctor
    return _in_language({"kind": "review", "ref_id": review.id, "question_id": None,
                         "title": f"{review.treatment.name} with {doctor.display_name}", "body": review.body,
                         "tags": tags_for("review", (t.slug for t in review.treatment.topics)),
                         "slug": str(doctor.doctor_profile.id) if doctor.doctor_profile else ""})


def vocabulary_words(document: dict) -> set[str]:
    """The words a document adds to the "Did you mean" vocabulary: its title's, and for
    reference pages their text's too. Filler, numbers and very short or long words are left out."""
    text = document["title"] + (" " + document["body"] if document["kind"] in REFERENCE_KINDS else "")
    fillers = filler_words()
    return {w for w in words(text) if 3 <= len(w) <= 40 and w.isalpha() and w not in fillers}


# ---- writers: in the caller's transaction ----

def _put(kind: str, ref_id: int, document: dict | None, language: str | None = None) -> None:
    """Write or drop one document; `language` picks one of a reference page's (a question, answer or
    review has one document, whatever its language)."""
    where = [SearchDocument.kind == kind, SearchDocument.ref_id == ref_id]
    if language is not None:
        where.append(SearchDocument.language == language)
    existing = db.session.scalar(select(SearchDocument).where(*where))
    if document is None:
        if existing is not None:
            db.session.delete(existing)
        return
    new_words = vocabulary_words(document)
    if existing is None:
        db.session.add(SearchDocument(**document))
    else:
        new_words -= vocabulary_words({"kind": existing.kind, "title": existing.title, "body": existing.body})
        for key, value in document.items():
            setattr(existing, key, value)
    count_terms(Counter(new_words))


def count_terms(counts: Counter, session=None) -> None:
    """Add document counts to the vocabulary (an upsert on either engine)."""
    session = session or db.session
    if not counts:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"term": term, "docs": n} for term, n in sorted(counts.items())]
    stmt = insert(SearchTerm)
    session.execute(stmt.on_conflict_do_update(index_elements=["term"],
                                               set_={"docs": SearchTerm.docs + stmt.excluded.docs}), rows)


def _public(question: Question) -> bool:
    return not question.hidden and question.deleted_at is None


def index_question(question: Question) -> None:
    """Index a question and its answers, or drop them when it is hidden or deleted."""
    slugs = [t.slug for t in question.topics]
    document = question_document(question.id, question.title, question.body_html or render_markdown(question.body),
                                 slugs, question.language or "en") if _public(question) else None
    _put("question", question.id, document)
    for answer in question.answers:  # they carry the question's visibility and topics
        index_answer(answer)


def index_answer(answer: Answer) -> None:
    """Index one answer (dropped when it or its question is hidden or deleted)."""
    question = answer.question
    public = _public(question) and not answer.hidden and answer.deleted_at is None
    _put("answer", answer.id, answer_document(answer.id, question.id, answer.body_html or render_markdown(answer.body),
                                              [t.slug for t in question.topics], question.language or "en")
         if public else None)


def _index_reference(kind: str, record, public: bool = True) -> None:
    """A reference page in English and in each language it is translated into; every one of its
    documents is dropped when it is not public, and a language no longer translated is dropped."""
    documents = ([DOCUMENTS[kind](record)] + translated_documents(kind, [record])) if public else []
    for document in documents:
        _put(kind, record.id, document, document["language"])
    kept = {document["language"] for document in documents}
    for language in db.session.scalars(select(SearchDocument.language).where(
            SearchDocument.kind == kind, SearchDocument.ref_id == record.id)).all():
        if language not in kept:
            _put(kind, record.id, None, language)


def index_article(article: Article) -> None:
    """Index a published post (and its translations); drafts are removed."""
    _index_reference("article", article, article.status == ArticleStatus.PUBLISHED)


def index_treatment(treatment: Treatment) -> None:
    _index_reference("treatment", treatment)


def index_topic(topic: Topic) -> None:
    _index_reference("topic", topic)


def index_review(review: Review) -> None:
    """Index a published review; pending and hidden ones are removed."""
    _put("review", review.id, review_document(review) if review.status == ReviewStatus.PUBLISHED else None)


def drop_review(review_id: int) -> None:
    _put("review", review_id, None)


def index_subjects() -> None:
    """Every reference page (there are tens), with its translations: after the seed loads them."""
    for treatment in db.session.scalars(select(Treatment)):
        index_treatment(treatment)
    for topic in db.session.scalars(select(Topic)):
        index_topic(topic)
    for article in db.session.scalars(select(Article)):
        index_article(article)


# ---- rebuild from scratch ----

def _topic_slugs(session, question_ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(question_topics.c.question_id, Topic.slug).join(Topic, Topic.id == question_topics.c.topic_id)
        .where(question_topics.c.question_id.in_(question_ids)).order_by(Topic.name))
    out: dict[int, list[str]] = {}
    for question_id, slug in rows:
        out.setdefault(question_id, []).append(slug)
    return out


def _question_batches(session, languages: bool = True):
    public = sa.and_(Question.hidden.is_(False), Question.deleted_at.is_(None))
    language = Question.language if languages else sa.literal("en").label("language")
    after = 0
    while rows := session.execute(select(Question.id, Question.title, Question.body_html, Question.body, language)
                                  .where(public, Question.id > after).order_by(Question.id).limit(BATCH)).all():
        after = rows[-1].id
        slugs = _topic_slugs(session, [r.id for r in rows])
        languages_of = {r.id: r.language or "en" for r in rows}
        answers = session.execute(
            select(Answer.id, Answer.question_id, Answer.body_html, Answer.body)
            .where(Answer.question_id.in_([r.id for r in rows]), Answer.hidden.is_(False),
                   Answer.deleted_at.is_(None)).order_by(Answer.id)).all()
        yield ([question_document(r.id, r.title, r.body_html or render_markdown(r.body), slugs.get(r.id, []),
                                  languages_of[r.id]) for r in rows]
               + [answer_document(a.id, a.question_id, a.body_html or render_markdown(a.body),
                                  slugs.get(a.question_id, []), languages_of[a.question_id]) for a in answers])


def _insert_0007():
    """Migration 0007 rebuilds the index before 0021 adds `language` and `stems`."""
    columns = ("kind", "ref_id", "question_id", "title", "body", "tags", "slug", "updated_at")
    return sa.insert(sa.table("search_documents", *(sa.column(c) for c in columns)))


def _legacy(batch: list[dict], languages: bool) -> list[dict]:
    if languages:
        return batch
    now = utcnow()
    return [{**{k: v for k, v in d.items() if k not in ("language", "stems")}, "updated_at": now} for d in batch]


def _translations_indexed(session) -> bool:
    """Whether the table takes a document per language (from migration 0022 on)."""
    constraints = sa.inspect(session.connection()).get_unique_constraints("search_documents")
    return any(set(c["column_names"]) == {"kind", "ref_id", "language"} for c in constraints)


def _reference_documents(session) -> list[dict]:
    records = {"article": session.scalars(select(Article).where(Article.status == ArticleStatus.PUBLISHED)
                                          .order_by(Article.id)).all(),
               "treatment": session.scalars(select(Treatment).order_by(Treatment.id)).all(),
               "topic": session.scalars(select(Topic).order_by(Topic.id)).all()}
    documents = [DOCUMENTS[kind](record) for kind, rows in records.items() for record in rows]
    if _translations_indexed(session):
        documents += [d for kind, rows in records.items() for d in translated_documents(kind, rows, session)]
    return documents


def rebuild_in(session) -> tuple[int, int]:
    """Both tables again from the content, in `session`'s transaction (migration 0007 passes its
    own): (documents, vocabulary words)."""
    session.execute(delete(SearchDocument))
    session.execute(delete(SearchTerm))
    terms: Counter = Counter()
    documents = 0
    reference = _reference_documents(session)
    if sa.inspect(session.connection()).has_table("reviews"):  # not yet when migration 0007 runs this
        reference += [review_document(r) for r in session.scalars(
            select(Review).where(Review.status == ReviewStatus.PUBLISHED).order_by(Review.id))]
    languages = "language" in {c["name"] for c in sa.inspect(session.connection()).get_columns("search_documents")}
    for batch in [reference, *_question_batches(session, languages)]:
        if batch:
            session.execute(sa.insert(SearchDocument) if languages else _insert_0007(), _legacy(batch, languages))
        documents += len(batch)
        for document in batch:
            terms.update(vocabulary_words(document))
    count_terms(terms, session)
    return documents, len(terms)


def rebuild() -> tuple[int, int]:
    """`forum search-rebuild`: the whole index and vocabulary again; commits."""
    counts = rebuild_in(db.session)
    db.session.commit()
    return counts
