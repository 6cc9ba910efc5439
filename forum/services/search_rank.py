"""How search orders its candidates, the same on SQLite and PostgreSQL, and the snippets of the
page shown. A question and its answers are one result, scored by its best document. Titles and
snippets are stemmed in each document's language.

Score, highest first: how many of the query's words (or their synonyms) the title holds, then
the whole query as a phrase in the title or as the whole title; reference pages whose name is
the query, and accepted or helpful answers, move up; ties go to the newest. Only titles are read
here (the page's bodies are read for snippets), so ranking costs the same whatever matched."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.i18n import _, current_locale
from forum.models import DoctorProfile, Question, Review, ReviewStatus, SearchDocument, Treatment, User
from forum.services.review_queries import PER_PAGE as REVIEWS_PER_PAGE
from forum.services.search_query import Alternative, Query, filler_words, fold, stem, words
from forum.services.translations import translations_of
from forum.text import slugify

TITLE_WEIGHT, PHRASE_BONUS, WHOLE_TITLE_BONUS = 6.0, 3.0, 3.0
KIND_BONUS = {"topic": 2.0, "treatment": 2.0, "article": 1.5, "question": 0.3, "review": 0.1, "answer": 0.0}
READER_BONUS = 0.5  # a result in the reader's language goes first among close scores
SNIPPET_WORDS, SNIPPET_LEAD, SNIPPET_SPAN = 32, 8, 3000
_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Ranked:
    key: str
    score: float
    row: object          # the best document: id, kind, ref_id, question_id, title, slug
    matches: int = 1     # documents of this result that matched


def round_estimate(n: int) -> int:
    """Two significant figures: "about 770,000"."""
    if n < 100:
        return n
    scale = 10 ** (int(math.log10(n)) - 1)
    return round(n / scale) * scale


@dataclass
class _Pattern:
    """An alternative as stems: single words are a set lookup, phrases a scan."""

    stems: tuple[str, ...]
    prefix: str | None  # the unfinished last word, when it is one

    def found(self, tokens: list[str], stems: list[str], stem_set: set[str]) -> bool:
        size = len(self.stems)
        if size == 1 and self.prefix is None:
            return self.stems[0] in stem_set
        if size > 1 and self.stems[0] not in stem_set:
            return False
        for start in range(len(stems) - size + 1):
            if tuple(stems[start:start + size - 1]) == self.stems[:-1]:
                last = start + size - 1
                if stems[last] == self.stems[-1] or (self.prefix and tokens[last].startswith(self.prefix)):
                    return True
        return False


def _pattern(alt: Alternative, language: str) -> _Pattern:
    return _Pattern(tuple(stem(w, language) for w in alt.words), alt.words[-1] if alt.prefix else None)


class _TitleScorer:
    """The query's title features in one language, prepared once for all its candidates."""

    def __init__(self, query: Query, language: str = "en"):
        self.language = language
        self.items = [[_pattern(a, language) for a in item.alternatives] for item in query.items]
        asked = tuple(w for item in query.items for w in item.first.words)
        self.phrase = _pattern(Alternative(asked), language) if len(asked) > 1 else None
        self.whole = [stem(w, language) for w in asked]

    def __call__(self, title: str) -> tuple[float, float]:
        tokens = words(title)
        if not tokens:
            return 0.0, 0.0
        stems = [stem(t, self.language) for t in tokens]
        stem_set = set(stems)
        covered = sum(1 for patterns in self.items if any(p.found(tokens, stems, stem_set) for p in patterns))
        bonus = PHRASE_BONUS if self.phrase and self.phrase.found(tokens, stems, stem_set) else 0.0
        if self.whole == stems:
            bonus += WHOLE_TITLE_BONUS
        return covered / len(self.items), bonus


def _quality(rows: list) -> tuple[dict, dict]:
    """Answer counts, accepted answers and helpful votes of the candidates' questions and answers,
    in one statement (read now, so a vote moves a result at once). Ids are integers from the index."""
    question_ids = sorted({int(r.question_id) for r in rows if r.kind in ("question", "answer")})
    answer_ids = sorted({int(r.ref_id) for r in rows if r.kind == "answer"})
    parts, ids = [], {}
    if question_ids:
        parts.append("SELECT 'q' AS kind, id, accepted_answer_id IS NOT NULL AS accepted, helpful_count, answer_count "
                     "FROM questions WHERE id IN :question_ids")
        ids["question_ids"] = question_ids
    if answer_ids:
        parts.append("SELECT 'a' AS kind, id, accepted, helpful_count, 0 AS answer_count "
                     "FROM answers WHERE id IN :answer_ids")
        ids["answer_ids"] = answer_ids
    questions, answers = {}, {}
    if parts:
        statement = text(" UNION ALL ".join(parts)).bindparams(*(bindparam(name, expanding=True) for name in ids))
        for row in db.session.execute(statement, ids):
            (questions if row.kind == "q" else answers)[row.id] = row
    return questions, answers


def _quality_bonus(row, questions: dict, answers: dict) -> float:
    if row.kind == "question" and row.question_id in questions:
        q = questions[row.question_id]
        return 0.5 * bool(q.accepted) + 0.2 * (q.answer_count > 0) + min(1.0, math.log1p(q.helpful_count) / 4)
    if row.kind == "answer" and row.ref_id in answers:
        a = answers[row.ref_id]
        return 0.8 * bool(a.accepted) + min(1.0, math.log1p(a.helpful_count) / 3)
    return 0.0


def _language(row) -> str:
    return getattr(row, "language", None) or "en"


def rank(query: Query, rows: list, *, partial: bool = False, reader: str = "en") -> list[Ranked]:
    """Results best first, ties to the newest; among close scores, the `reader`'s language first.
    `partial` (any of the words matched): only results whose title has some of them; otherwise
    every word matched somewhere, and the title decides most."""
    if not rows:
        return []
    questions, answers = _quality(rows)
    scorers: dict[str, _TitleScorer] = {}
    best: dict[str, Ranked] = {}
    for row in rows:
        language = _language(row)
        title_features = scorers.get(language) or scorers.setdefault(language, _TitleScorer(query, language))
        cover, bonus = title_features(row.title)
        if row.kind in ("topic", "treatment") and cover < 1:
            bonus -= KIND_BONUS[row.kind]  # a page about something else that mentions the words
        score = (TITLE_WEIGHT * cover + bonus + KIND_BONUS[row.kind]
                 + _quality_bonus(row, questions, answers))
        key = f"q{row.question_id}" if row.kind in ("question", "answer") else f"{row.kind}{row.ref_id}"
        held = best.get(key)  # a page found in two languages: the reader's, else the better match
        if held is None or (language == reader, score, row.id) > (_language(held.row) == reader, held.score,
                                                                  held.row.id):
            best[key] = Ranked(key, score, row, (held.matches + 1) if held else 1)
        else:
            held.matches += 1
    for ranked in best.values():  # a thread matching in several places is a better thread
        ranked.score += min(1.0, 0.25 * (ranked.matches - 1))
    if partial:
        kept = [r for r in best.values() if r.score >= TITLE_WEIGHT / max(2, len(query.items))]
        return sorted(kept, key=lambda r: (_shown_score(r, reader), r.row.id), reverse=True)
    return sorted(best.values(), key=lambda r: (round(_shown_score(r, reader), 6), r.row.id), reverse=True)


def _shown_score(ranked: Ranked, reader: str) -> float:
    return ranked.score + (READER_BONUS if _language(ranked.row) == reader else 0.0)


# ---- the page shown ----

def _matcher(query: Query, language: str = "en"):
    singles = [a for item in query.items for a in item.alternatives]
    fillers = filler_words()
    stems = {stem(w, language) for a in singles for w in a.words if w not in fillers or len(a.words) == 1}
    prefixes = tuple(a.words[-1] for a in singles if a.prefix)

    def matches(token: str) -> bool:
        folded = fold(token)
        return stem(folded, language) in stems or (bool(prefixes) and folded.startswith(prefixes))
    return matches


def snippet(query: Query, body: str, matches=None) -> Markup:
    """About SNIPPET_WORDS words of plain text around the first match, matches marked; escaped.
    The first SNIPPET_SPAN characters are searched for a match (bodies can be long)."""
    matches = matches or _matcher(query)
    tokens = list(_TOKEN.finditer(body, 0, SNIPPET_SPAN))
    first = next((n for n, t in enumerate(tokens) if matches(t.group())), 0)
    start = max(0, first - SNIPPET_LEAD)
    shown = tokens[start:start + SNIPPET_WORDS]
    if not shown:
        return Markup("")
    begin, end = shown[0].start(), shown[-1].end()
    out, at = [], begin
    for token in shown:
        if matches(token.group()):
            out.append(f"{escape(body[at:token.start()])}<mark>{escape(token.group())}</mark>")
            at = token.end()
    out.append(str(escape(body[at:end])))
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(body.rstrip()) else ""
    # Accepted B704: every piece of user text is escaped above; only <mark> and the ellipses are ours.
    return Markup(lead + "".join(out) + tail)  # nosec B704


def review_links(review_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Where each published review is read: its doctor's profile, on the page of reviews that
    holds it (newest first, as the profile lists them), at its anchor; and its result's title in the
    reader's language ("Microneedling with Dr. ..."). One statement."""
    if not review_ids:
        return {}
    newer = aliased(Review)
    ahead = (select(func.count()).where(
        newer.doctor_id == Review.doctor_id, newer.status == ReviewStatus.PUBLISHED,
        or_(newer.published_at > Review.published_at,
            and_(newer.published_at == Review.published_at, newer.id > Review.id)))
        .correlate(Review).scalar_subquery())
    rows = db.session.execute(select(Review.id, DoctorProfile.id, DoctorProfile.full_name, ahead, Treatment.id,
                                     Treatment.name, User.display_name)
                              .join(DoctorProfile, DoctorProfile.user_id == Review.doctor_id)
                              .join(User, User.id == Review.doctor_id)
                              .join(Treatment, Treatment.id == Review.treatment_id)
                              .where(Review.id.in_(review_ids))).all()
    names = translations_of("treatment", sorted({row[4] for row in rows}), current_locale())
    links = {}
    for review_id, profile_id, full_name, before, treatment_id, treatment, doctor in rows:
        page = before // REVIEWS_PER_PAGE + 1
        url = (f"/doctors/{profile_id}/{slugify(full_name)}" + (f"?page={page}" if page > 1 else "")
               + f"#review-{review_id}")
        shown = names.get(treatment_id, {}).get("name") or treatment
        links[review_id] = (url, _("%(treatment)s with %(doctor)s", treatment=shown, doctor=doctor))
    return links


def hits(query: Query, page: list[Ranked]) -> list:
    from forum.services.search import Hit  # the result type lives with the search interface

    ids = [r.row.id for r in page]
    bodies = dict(db.session.execute(select(SearchDocument.id, SearchDocument.body)
                                     .where(SearchDocument.id.in_(ids))).all()) if ids else {}
    thread_ids = [r.row.question_id for r in page if r.row.kind == "answer"]
    titles = dict(db.session.execute(select(Question.id, Question.title)
                                     .where(Question.id.in_(thread_ids))).all()) if thread_ids else {}
    reviews = review_links([int(r.row.ref_id) for r in page if r.row.kind == "review"])
    out, matchers = [], {}
    for ranked in page:
        row = ranked.row
        language = _language(row)
        matches = matchers.get(language) or matchers.setdefault(language, _matcher(query, language))
        thread = f"/questions/{row.question_id}"
        in_language = "" if language == "en" else f"?lang={language}"  # a translation found: that page's language
        url = {"question": thread, "answer": f"{thread}#answer-{row.ref_id}",
               "article": f"/articles/{row.slug}{in_language}", "treatment": f"/treatments/{row.slug}{in_language}",
               "topic": f"/topics/{row.slug}{in_language}",
               "review": reviews.get(row.ref_id, (f"/doctors/{row.slug}#review-{row.ref_id}",))[0]}[row.kind]
        title = titles.get(row.question_id, "") if row.kind == "answer" else row.title
        title = reviews[row.ref_id][1] if row.kind == "review" and row.ref_id in reviews else title
        out.append(Hit(row.kind, row.ref_id, row.question_id, title, snippet(query, bodies.get(row.id, ""), matches),
                       url))
    return out
