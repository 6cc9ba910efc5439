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
from forum.i18n import _, _l, current_locale, fnumber, ngettext
from forum.pagination import decode_cursor, encode_cursor
from forum.services import reference, search_rank, search_spell, stats
from forum.services.search_index import REFERENCE_KINDS, tags_for
from forum.services.search_query import (
    LANGUAGES, TS_CONFIGS, Alternative, Item, Query, language_tag, parse, to_fts5, to_tsquery,
)
from forum.services.search_spell import completions

KINDS = ("question", "answer", "review", "article", "treatment", "topic")
RECENT_CAP = 150   # newest matches ranked per search (and counted exactly up to)
REFERENCE_CAP = 120  # matching reference pages per search: 60 in each of two languages
LABELS = {"question": _l("Question"), "answer": _l("Doctor answer"), "review": _l("Patient review"),
          "article": _l("Reference post"), "treatment": _l("Treatment"), "topic": _l("Topic")}


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
        return str(LABELS[self.kind])


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
            return _("About %(count)s results", count=fnumber(self.total))
        return ngettext("%(count)s result", "%(count)s results", self.total, count=fnumber(self.total))


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _filters(kind: str | None, topic: str | None) -> list[str]:
    tags = []
    if kind:
        tags.append(tags_for(kind).split()[0])
    if topic:
        tags.append("t" + topic.replace("-", ""))
    return tags


def _languages(language: str | None) -> tuple[str, ...]:
    return (language,) if language else LANGUAGES


def _postgres_match(query: Query, languages: tuple[str, ...], loose: bool) -> str:
    """Each language's documents matched by the query parsed in that language's configuration;
    English documents are those without another language's tag. Fixed fragments only."""
    branches = []
    for language in languages:
        words = f"d.tsv @@ to_tsquery('{TS_CONFIGS[language]}', forum_unaccent(:q))"
        if language == "en":
            branches.append(" AND ".join([words] + [f"NOT d.tsv @@ to_tsquery('simple', '{language_tag(other)}')"
                                                    for other in LANGUAGES if other != "en"]))
        else:
            branches.append(f"{words} AND d.tsv @@ to_tsquery('simple', '{language_tag(language)}')")
    return "(" + " OR ".join(f"({branch})" for branch in branches) + ")"


def _match(query: Query, tags: list[str], languages: tuple[str, ...], *, reference: bool = False,
           loose: bool = False) -> tuple[str, dict]:
    """The engine's WHERE clause for the query, filters and languages searched, and its parameters."""
    query = _completed(query)
    if _postgres():
        params = {"q": to_tsquery(query, loose=loose), "tags": " & ".join(tags)}
        where = _postgres_match(query, languages, loose) + (" AND d.tsv @@ to_tsquery('simple', :tags)" if tags else "")
        return where + (" AND d.kind IN ('article', 'treatment', 'topic')" if reference else ""), params
    return "search_fts MATCH :q", {"q": to_fts5(query, tags=[*tags, "kref"] if reference else tags, loose=loose,
                                                languages=languages)}


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


def _select(query: Query, *, tags: list[str], languages: tuple[str, ...], limit: int, **how) -> list:
    """The newest matching documents, at most `limit`. The engines' own ranks (bm25, ts_rank) are
    not asked for: bm25 reads every match of a common word to weigh it."""
    where, params = _match(query, tags, languages, **how)
    columns = ("d.id, d.kind, d.ref_id, d.question_id, d.title, d.slug, d.language, "
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


def _candidates(query: Query, tags: list[str], kind: str | None, languages: tuple[str, ...] = LANGUAGES,
                loose: bool = False, reader: str = "en") -> tuple[list, list]:
    """The newest RECENT_CAP matches and every matching reference page (there are few). Each
    query stops after its LIMIT, so the work does not grow with the number of matches. Reference
    pages are searched in the language asked for, else in English and the reader's language (a
    translation repeats its English page, so an English reader is not sent to it); ranking keeps
    one language per page."""
    pages_in = languages if len(languages) == 1 else tuple(lang for lang in languages if lang in ("en", reader))
    recent = [r for r in _select(query, tags=tags, languages=languages, limit=RECENT_CAP, loose=loose)
              if r.kind not in REFERENCE_KINDS or r.language in pages_in]
    rows = {r.id: r for r in recent}
    if kind in (None, *REFERENCE_KINDS) and pages_in:
        rows.update({r.id: r for r in _select(query, tags=tags, languages=pages_in, limit=REFERENCE_CAP,
                                              reference=True, loose=loose)})
    return recent, list(rows.values())


def _decode(cursor: str) -> tuple[int, str, bool]:
    position, key, loose = decode_cursor(cursor, 3)
    if (not isinstance(position, int) or isinstance(position, bool) or position < 0 or not isinstance(key, str)
            or loose not in (0, 1)):
        raise Invalid(_("That page link is not valid."), fields=dict(cursor=[_("Not a valid cursor.")]))
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


@dataclass(frozen=True)
class _Scope:
    """What one search looks in: the filters, the languages searched and the reader's language."""

    kind: str | None
    topic: str | None
    languages: tuple[str, ...]
    reader: str


def _run(query: Query, scope: _Scope, cursor: str | None, limit: int, loose: bool = False) -> Results:
    recent, candidates = _candidates(query, _filters(scope.kind, scope.topic), scope.kind, scope.languages, loose,
                                     scope.reader)
    ranked = search_rank.rank(query, candidates, partial=loose, reader=scope.reader)
    total, estimated = _count(recent, len(ranked)) if not loose else (len(ranked), False)
    page, next_cursor = _page(ranked, cursor, limit, loose)
    return Results(query.text, search_rank.hits(query, page), total, estimated, next_cursor,
                   ignored=query.ignored, reachable=len(ranked), loose=loose)


def _scope(kind: str | None, topic: str | None, language: str | None) -> _Scope:
    if kind is not None and kind not in KINDS:
        raise Invalid(_("Choose a kind of result from the list."), fields=dict(kind=[_("Not a valid kind.")]))
    if language is not None and language not in LANGUAGES:
        raise Invalid(_("Choose a language from the list."), fields=dict(language=[_("Not a valid language.")]))
    reader = current_locale()
    return _Scope(kind, topic, _languages(language), reader if reader in LANGUAGES else "en")


def search(raw: str, *, kind: str | None = None, topic: str | None = None, language: str | None = None,
           limit: int = 20, cursor: str | None = None) -> Results:
    """Ranked results, a page at a time, in `language` or all of them (the reader's first when
    scores tie closely). When few results have every word, a typo is corrected ("Did you mean"),
    and results with some of the words follow (`loose`)."""
    scope = _scope(kind, topic, language)
    loose = _decode(cursor)[2] if cursor else False  # a bad page link is refused even for an empty search
    query = parse(raw, language or scope.reader)
    if not query:
        return Results(raw or "")
    _one_core()
    if cursor:  # a later page: the same kind of search as the first
        return _run(query, scope, cursor, limit, loose=loose)
    results = _run(query, scope, None, limit)
    if results.total >= 3:
        return results
    better = search_spell.correct(raw)
    if results.total == 0 and better is not None:
        corrected = _run(parse(better, language or scope.reader), scope, None, limit)
        if corrected.total:
            corrected.suggestion, corrected.corrected_from = better, raw
            return corrected
    results.suggestion = better
    if len(query.items) < 2:
        return results
    some = _run(query, scope, None, limit, loose=True)
    if some.total <= results.total:
        return results
    shown = {hit.url for hit in results.hits}  # every word first, then some of them
    some.hits = (results.hits + [hit for hit in some.hits if hit.url not in shown])[:limit]
    some.exact, some.suggestion = results.total, better
    return some


def similar_questions(title: str, limit: int = 5) -> list[Hit]:
    """Questions like a title being typed: any of its words, ranked as search ranks them (the words
    read as the asker's language, whose questions come first among close scores)."""
    reader = current_locale() if current_locale() in LANGUAGES else "en"
    query = parse(title, reader)
    if not query:
        return []
    _one_core()
    candidates = _candidates(query, ["kquestion"], "question", loose=True)[1]
    ranked = search_rank.rank(query, candidates, partial=True, reader=reader)
    return search_rank.hits(query, ranked[:limit])


def starting_points() -> dict:
    """For an empty search or one that found nothing: the most asked-about topics and treatments."""
    popular = stats.popular()
    topics = {t.slug: t for t in reference.list_topics()}
    treatments = {t.slug: t for t in reference.list_treatments()}
    return {"topics": [topics[s] for s in popular["topics"] if s in topics] or list(topics.values())[:8],
            "treatments": [treatments[s] for s in popular["treatments"] if s in treatments]
            or list(treatments.values())[:6]}
