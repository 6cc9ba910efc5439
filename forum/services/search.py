"""Site search over questions (with their answers), patients' published reviews, reference posts,
treatments and topics.

Speed does not depend on how many documents match: each engine returns a bounded set of
candidates (the newest matches and every matching reference page),
ranked here by one formula on both engines (search_rank), and only the page shown gets snippets.
Counts are exact up to RECENT_CAP matches and estimated above it."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import text

from forum.errors import Invalid
from forum.extensions import db
from forum.pagination import decode_cursor, encode_cursor
from forum.services import reference, search_rank, search_spell, stats
from forum.services.search_index import REFERENCE_KINDS, tags_for
from forum.services.search_query import Alternative, Item, Query, parse, to_fts5, to_tsquery
from forum.services.search_spell import completions

KINDS = ("question", "answer", "review", "article", "treatment", "topic")
RECENT_CAP = 150   # newest matches ranked per search (and counted exactly up to)
REFERENCE_CAP = 60
LABELS = {"question": "Question", "answer": "Doctor answer", "review": "Patient review", "article": "Reference post",
          "treatment": "Treatment", "topic": "Topic"}


@dataclass
class Hit:
    kind: str
    ref_id: int
    question_id: int | None
    title: str
    snippet: Markup
    url: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    estimated: bool = False
    next_cursor: str | None = None
    suggestion: str | None = None      # "Did you mean ...?"
    corrected_from: str | None = None  # results are for `suggestion`; the user typed this
    ignored: list[str] = field(default_factory=list)
    reachable: int = 0                 # how many ranked results paging can reach
    loose: bool = False                # few results have every word: these have some of them
    exact: int = 0                     # then, how many have every word (shown first)

    @property
    def count_text(self) -> str:
        if self.estimated:
            return f"About {self.total:,} results"
        return f"{self.total:,} result{'' if self.total == 1 else 's'}"


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _filters(kind: str | None, topic: str | None) -> list[str]:
    tags = []
    if kind:
        tags.append(tags_for(kind).split()[0])
    if topic:
        tags.append("t" + topic.replace("-", ""))
    return tags


def _match(query: Query, tags: list[str], *, reference: bool = False, loose: bool = False) -> tuple[str, dict]:
    """The engine's WHERE clause for the query and filters, and its parameters."""
    query = _completed(query)
    if _postgres():
        params = {"q": to_tsquery(query, loose=loose), "tags": " & ".join(tags)}
        where = "d.tsv @@ (to_tsquery('english', forum_unaccent(:q))" + (
            " && to_tsquery('simple', :tags))" if tags else ")")
        return where + (" AND d.kind IN ('article', 'treatment', 'topic')" if reference else ""), params
    return "search_fts MATCH :q", {"q": to_fts5(query, tags=[*tags, "kref"] if reference else tags, loose=loose)}


def _completed(query: Query) -> Query:
    """An unfinished word becomes the known words it begins. Prefix queries cost what they cover:
    FTS5 merges every match of every word a prefix covers before the first row ("las*" at a
    million questions takes a tenth of a second), and PostgreSQL's planner reads the index to
    estimate one (20-30 ms). Unknown beginnings stay prefix queries."""
    items = []
    for item in query.items:
        alternatives = []
        for alt in item.alternatives:
            words = completions(alt.words[-1]) if alt.prefix else []
            alternatives += [Alternative(alt.words[:-1] + (w,)) for w in words] if words else [alt]
        items.append(Item(list(dict.fromkeys(alternatives)), item.label))
    return Query(items, query.excluded, query.ignored)


def _select(query: Query, *, tags: list[str], limit: int, **how) -> list:
    """The newest matching documents, at most `limit`. The engines' own ranks (bm25, ts_rank) are
    not asked for: bm25 reads every match of a common word to weigh it."""
    where, params = _match(query, tags, **how)
    columns = ("d.id, d.kind, d.ref_id, d.question_id, d.title, d.slug, "
               "(SELECT max(id) FROM search_documents) AS newest")  # for estimates, in the same round trip
    if _postgres():
        # Accepted B608: `columns` is constant and `where` is built by _match from fixed fragments
        # only; every value the user typed is a bound parameter in `params`.
        sql = f"SELECT {columns} FROM search_documents d WHERE {where} ORDER BY d.id DESC LIMIT :limit"  # nosec B608
    else:
        # Accepted B608: the same fragments, for SQLite's FTS5 table.
        sql = (f"SELECT {columns} FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "  # nosec B608
               f"WHERE {where} ORDER BY search_fts.rowid DESC LIMIT :limit")
    return db.session.execute(text(sql), {**params, "limit": limit}).all()


def _count(recent: list, ranked: int) -> tuple[int, bool]:
    """How many results: exact when the engine returned fewer than RECENT_CAP matches (then it
    returned them all); otherwise estimated from how densely the newest RECENT_CAP matches fill
    the newest documents, rounded to two figures. No query reads every match to count them."""
    groups = len({r.question_id or -r.id for r in recent})
    if len(recent) < RECENT_CAP:
        return max(groups, ranked), False
    newest = recent[0].newest or 0
    oldest_seen = min(r.id for r in recent)
    estimate = groups * newest / max(1, newest - oldest_seen + 1)
    return search_rank.round_estimate(max(int(estimate), ranked)), True


def _candidates(query: Query, tags: list[str], kind: str | None, loose: bool = False) -> tuple[list, list]:
    """The newest RECENT_CAP matches and every matching reference page (there are few). Each
    query stops after its LIMIT, so the work does not grow with the number of matches."""
    recent = _select(query, tags=tags, limit=RECENT_CAP, loose=loose)
    rows = {r.id: r for r in recent}
    if kind in (None, *REFERENCE_KINDS):
        rows.update({r.id: r for r in _select(query, tags=tags, limit=REFERENCE_CAP, reference=True, loose=loose)})
    return recent, list(rows.values())


def _decode(cursor: str) -> tuple[int, str, bool]:
    position, key, loose = decode_cursor(cursor, 3)
    if (not isinstance(position, int) or isinstance(position, bool) or position < 0 or not isinstance(key, str)
            or loose not in (0, 1)):
        raise Invalid("That page link is not valid.", fields={"cursor": ["Not a valid cursor."]})
    return position, key, bool(loose)


def _page(ranked: list, cursor: str | None, limit: int, loose: bool) -> tuple[list, str | None]:
    start = 0
    if cursor:
        position, key, _loose = _decode(cursor)
        keys = [r.key for r in ranked]
        start = keys.index(key) + 1 if key in keys else position + 1  # the list may have moved a little
    page = ranked[start:start + limit]
    more = start + limit < len(ranked)
    return page, encode_cursor([start + len(page) - 1, page[-1].key, int(loose)]) if more and page else None


def _one_core() -> None:
    """On PostgreSQL, no parallel workers for the rest of this transaction: one search, one core."""
    if _postgres():
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _run(query: Query, kind: str | None, topic: str | None, cursor: str | None, limit: int,
         loose: bool = False) -> Results:
    recent, candidates = _candidates(query, _filters(kind, topic), kind, loose)
    ranked = search_rank.rank(query, candidates, partial=loose)
    total, estimated = _count(recent, len(ranked)) if not loose else (len(ranked), False)
    page, next_cursor = _page(ranked, cursor, limit, loose)
    return Results(query.text, search_rank.hits(query, page), total, estimated, next_cursor,
                   ignored=query.ignored, reachable=len(ranked), loose=loose)


def search(raw: str, *, kind: str | None = None, topic: str | None = None, limit: int = 20,
           cursor: str | None = None) -> Results:
    """Ranked results, a page at a time. When few results have every word, a typo is corrected
    ("Did you mean"), and results with some of the words follow (`loose`)."""
    if kind is not None and kind not in KINDS:
        raise Invalid("Choose a kind of result from the list.", fields={"kind": ["Not a valid kind."]})
    loose = _decode(cursor)[2] if cursor else False  # a bad page link is refused even for an empty search
    query = parse(raw)
    if not query:
        return Results(raw or "")
    _one_core()
    if cursor:  # a later page: the same kind of search as the first
        return _run(query, kind, topic, cursor, limit, loose=loose)
    results = _run(query, kind, topic, None, limit)
    if results.total >= 3:
        return results
    better = search_spell.correct(raw)
    if results.total == 0 and better is not None:
        corrected = _run(parse(better), kind, topic, None, limit)
        if corrected.total:
            corrected.suggestion, corrected.corrected_from = better, raw
            return corrected
    results.suggestion = better
    if len(query.items) < 2:
        return results
    some = _run(query, kind, topic, None, limit, loose=True)
    if some.total <= results.total:
        return results
    shown = {hit.url for hit in results.hits}  # every word first, then some of them
    some.hits = (results.hits + [hit for hit in some.hits if hit.url not in shown])[:limit]
    some.exact, some.suggestion = results.total, better
    return some


def similar_questions(title: str, limit: int = 5) -> list[Hit]:
    """Questions like a title being typed: any of its words, ranked as search ranks them."""
    query = parse(title)
    if not query:
        return []
    _one_core()
    ranked = search_rank.rank(query, _candidates(query, ["kquestion"], "question", loose=True)[1], partial=True)
    return search_rank.hits(query, ranked[:limit])


def starting_points() -> dict:
    """For an empty search or one that found nothing: the most asked-about topics and treatments."""
    popular = stats.popular()
    topics = {t.slug: t for t in reference.list_topics()}
    treatments = {t.slug: t for t in reference.list_treatments()}
    return {"topics": [topics[s] for s in popular["topics"] if s in topics] or list(topics.values())[:8],
            "treatments": [treatments[s] for s in popular["treatments"] if s in treatments]
            or list(treatments.values())[:6]}
