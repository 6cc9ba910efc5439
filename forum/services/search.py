"""Full-text search over public questions, answers and reference posts.

One interface, two engines: SQLite FTS5 (local) and PostgreSQL tsvector + GIN (production).
Writers call index_*/unindex_* in their transaction; only visible content is ever indexed,
so hidden or deleted content cannot appear in results."""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import delete, select, text

from forum.extensions import db
from forum.models import Answer, Article, Question, SearchDocument

START, STOP = "\ue000", "\ue001"  # private-use sentinels, turned into <mark> after escaping
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


@dataclass
class Hit:
    kind: str
    ref_id: int
    question_id: int | None
    title: str
    snippet: Markup

    @property
    def url(self) -> str:
        if self.kind == "article":
            return f"/articles/{self.title_slug}"
        anchor = f"#answer-{self.ref_id}" if self.kind == "answer" else ""
        return f"/questions/{self.question_id}{anchor}"

    title_slug: str = ""


def _upsert(kind: str, ref_id: int, **values) -> None:
    doc = db.session.scalar(select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id))
    if doc is None:
        doc = SearchDocument(kind=kind, ref_id=ref_id)
        db.session.add(doc)
    for key, value in values.items():
        setattr(doc, key, value)


def _remove(kind: str, ref_id: int) -> None:
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id))


def _topics(obj) -> str:
    return " " + " ".join(t.slug for t in obj.topics) + " "


def index_question(question: Question) -> None:
    """Index a question and its answers, or drop them when hidden. Runs in the caller's transaction."""
    if question.hidden:
        _remove("question", question.id)
        for answer in question.answers:
            _remove("answer", answer.id)
        return
    _upsert("question", question.id, question_id=question.id, title=question.title, body=question.body,
            topics=_topics(question))
    for answer in question.answers:  # they carry the question's title and topics; unhiding brings them back
        index_answer(answer)


def index_answer(answer: Answer) -> None:
    """Index one answer (dropped when it or its question is hidden). Runs in the caller's transaction."""
    if answer.hidden or answer.question.hidden:
        _remove("answer", answer.id)
        return
    _upsert("answer", answer.id, question_id=answer.question_id, title=answer.question.title, body=answer.body,
            topics=_topics(answer.question))


def index_article(article: Article) -> None:
    """Index a published post; drafts are removed. Runs in the caller's transaction."""
    if not article.is_published:
        _remove("article", article.id)
        return
    _upsert("article", article.id, question_id=None, title=article.title,
            body=f"{article.summary}\n\n{article.body}", topics=_topics(article))


def terms(query: str) -> list[str]:
    """The words of a query: quotes, operators and control characters are dropped."""
    return _WORD.findall(_CONTROL.sub(" ", query or ""))[:MAX_TERMS]


def _snippet(raw: str | None) -> Markup:
    return Markup(str(escape(raw or "")).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def search(query: str, *, kind: str | None = None, topic: str | None = None, limit: int = 20,
           match_any: bool = False) -> list[Hit]:
    """Ranked hits with highlighted snippets; all words must match unless `match_any` (used
    for "similar questions"). Any input is safe: it is reduced to words and bound as a parameter."""
    words = terms(query)
    if not words:
        return []
    filters, params = "", {"limit": limit}
    if kind:
        filters += " AND d.kind = :kind"
        params["kind"] = kind
    if topic:
        filters += " AND d.topics LIKE :topic"
        params["topic"] = f"% {topic} %"
    if db.engine.dialect.name == "postgresql":
        params["q"] = (" or " if match_any else " ").join(words)
        params["opts"] = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
        sql = text(  # nosec B608 - filters are fixed strings; values are bound parameters
            "SELECT d.kind, d.ref_id, d.question_id, d.title, "
            "ts_headline('english', d.body, query, :opts) AS snip "
            "FROM search_documents d, websearch_to_tsquery('english', :q) AS query "
            f"WHERE d.tsv @@ query{filters} ORDER BY ts_rank(d.tsv, query) DESC, d.id DESC LIMIT :limit")
    else:
        params["q"] = (" OR " if match_any else " ").join('"' + w.replace('"', '""') + '"' for w in words)
        sql = text(  # nosec B608 - filters are fixed strings; values are bound parameters
            "SELECT d.kind, d.ref_id, d.question_id, d.title, "
            f"snippet(search_fts, 1, '{START}', '{STOP}', '…', 24) AS snip "
            "FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q{filters} ORDER BY bm25(search_fts, 4.0, 1.0), d.id DESC LIMIT :limit")
    rows = db.session.execute(sql, params).all()
    article_ids = [r.ref_id for r in rows if r.kind == "article"]
    slugs = {row.id: row.slug for row in db.session.execute(
        select(Article.id, Article.slug).where(Article.id.in_(article_ids)))} if article_ids else {}
    return [Hit(r.kind, r.ref_id, r.question_id, r.title, _snippet(r.snip), slugs.get(r.ref_id, "")) for r in rows]
