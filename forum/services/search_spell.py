"""'Did you mean ...?': each word the vocabulary does not know is replaced by the most similar
word it does, by trigram similarity as pg_trgm defines it. The vocabulary is search_terms (words
of titles and reference pages) and the words of synonyms.toml. PostgreSQL asks its trigram index;
SQLite compares against the vocabulary kept in memory (memo), which also completes unfinished
words on both engines."""
from __future__ import annotations

import bisect
import functools
import re

from sqlalchemy import select, text

from forum import cache
from forum.extensions import db
from forum.models import SearchTerm

from forum.services.search_query import filler_words, fold, synonym_groups

THRESHOLD = 0.3  # pg_trgm's default similarity threshold
RARE = 3
_WORD = re.compile(r"[^\W\d_]{3,40}")


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams: the word padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


@functools.lru_cache(maxsize=1)
def _synonym_words() -> dict[str, int]:
    return {t[0]: 0 for group in synonym_groups() for t in group if len(t) == 1 and t[0].isalpha()}


def _index(counts: dict[str, int]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for term in counts:
        for gram in trigrams(term):
            index.setdefault(gram, set()).add(term)
    return index


def _vocabulary() -> tuple[dict[str, int], dict[str, set[str]], list[str]]:
    counts = dict(db.session.execute(select(SearchTerm.term, SearchTerm.docs)).all())
    return counts, _index(counts), sorted(counts)


@functools.lru_cache(maxsize=1)
def _synonym_index() -> tuple[dict[str, int], dict[str, set[str]]]:
    return _synonym_words(), _index(_synonym_words())


def _best(word: str, counts: dict[str, int], index: dict[str, set[str]]) -> tuple[float, int, str] | None:
    shared: dict[str, int] = {}
    for gram in trigrams(word):
        for term in index.get(gram, ()):
            shared[term] = shared.get(term, 0) + 1
    scored = [(similarity(word, term), counts[term], term) for term, n in shared.items() if n >= 2 and term != word]
    return max(scored, key=lambda s: (s[0], s[1], [-ord(c) for c in s[2]])) if scored else None


def completions(prefix: str, limit: int = 8) -> list[str]:
    """Known words that start with `prefix`, the most used first (for an unfinished last word)."""
    counts, _index_, terms = cache.memo("search_vocabulary", _vocabulary)
    found = []
    for term in terms[bisect.bisect_left(terms, prefix):]:
        if not term.startswith(prefix):
            break
        found.append(term)
    found += [w for w in _synonym_words() if w.startswith(prefix) and w not in counts]
    return sorted(found, key=lambda t: (-counts.get(t, 0), t))[:limit]


def _known(words: list[str]) -> dict[str, int]:
    """How many documents use each word the vocabulary knows (synonyms count as common)."""
    synonyms = _synonym_words()
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(select(SearchTerm.term, SearchTerm.docs).where(SearchTerm.term.in_(words)))
        found = dict(rows.all())
    else:
        counts = cache.memo("search_vocabulary", _vocabulary)[0]
        found = {w: counts[w] for w in words if w in counts}
    return found | {w: RARE + 1 for w in words if w in synonyms}


def _closest(word: str) -> tuple[str, int] | None:
    """The most similar other word and its document count."""
    found = [_best(word, *_synonym_index())]
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(text(
            "SELECT term, similarity(term, :w) AS s, docs FROM search_terms WHERE term % :w AND term <> :w "
            "ORDER BY s DESC, docs DESC, term LIMIT 1"), {"w": word}).first()
        found.append((row.s, row.docs, row.term) if row is not None else None)
    else:
        found.append(_best(word, *cache.memo("search_vocabulary", _vocabulary)[:2]))
    scored = [f for f in found if f is not None and f[0] >= THRESHOLD and f[2] != word]
    best = max(scored, key=lambda s: (round(s[0], 4), s[1])) if scored else None
    return (best[2], best[1]) if best else None


def correct(raw: str) -> str | None:
    """The query with each unknown word replaced by the closest known one, and each rare word
    (in RARE documents or fewer: a typo someone else made) by a close word used far more often;
    None when nothing would change."""
    fillers = filler_words()
    found = [m for m in _WORD.finditer(raw or "") if fold(m.group()) not in fillers]
    known = _known([fold(m.group()) for m in found]) if found else {}
    out, at, changed = [], 0, False
    for match in found:
        word = fold(match.group())
        docs = known.get(word)
        if docs is not None and docs > RARE:
            continue
        better = _closest(word)
        if better and (docs is None or better[1] >= max(10, 5 * docs)):
            out.append(raw[at:match.start()] + better[0])
            at, changed = match.end(), True
    return ("".join(out) + raw[at:]).strip() if changed else None
