"""What a search query means: words folded (case and accents), filler words dropped, domain
synonyms from forum/data/synonyms.toml, "quoted phrases", -excluded words and the last word as a
prefix; then the same meaning written for SQLite FTS5 and for PostgreSQL's tsquery.

Languages: a document is matched in its own language. PostgreSQL parses the query in each
language's text search configuration (TS_CONFIGS) and SQLite matches Spanish documents by their
Snowball stems (the `stems` column); a document in another language than English carries the
filter word "l<language>" among its tags.

Everything the engines receive is built here from words of letters and digits only, so no input
can change the shape of an engine query."""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer

SYNONYMS_FILE = Path(__file__).resolve().parents[1] / "data" / "synonyms.toml"
MAX_ITEMS = 8  # positive words or phrases after synonyms; more add cost, not precision
_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fold(text: str) -> str:
    """Lower case without accents: "Crème" and "creme" are the same word to search."""
    if (text or "").isascii():
        return (text or "").lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(_CONTROL.sub(" ", text or "")))


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], dict[tuple[str, ...], int], list[tuple[tuple[str, ...], ...]]]:
    data = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    groups = [tuple(tuple(words(term)) for term in group["terms"]) for group in data.get("group", [])]
    index: dict[tuple[str, ...], int] = {}
    for number, group in enumerate(groups):
        for term in group:
            index.setdefault(term, number)
    return frozenset(data.get("filler", [])), index, groups


def filler_words() -> frozenset[str]:
    return _vocabulary()[0]


def synonym_groups() -> list[tuple[tuple[str, ...], ...]]:
    return _vocabulary()[2]


LANGUAGES = ("en", "es")
TS_CONFIGS = {"en": "english", "es": "spanish"}  # PostgreSQL's text search configuration per language
# Words too common in Spanish to search by (PostgreSQL's Spanish configuration drops them too).
SPANISH_FILLER = frozenset(
    "a al como con de del el ella en es esta este hay la las le lo los me mi mis muy o para pero por que se "
    "si sin su sus te tengo un una unas unos y ya".split())
_stemmers = {"en": snowballstemmer.stemmer("english"), "es": snowballstemmer.stemmer("spanish")}


@functools.lru_cache(maxsize=20000)
def stem(word: str, language: str = "en") -> str:
    return _stemmers.get(language, _stemmers["en"]).stemWord(word)


def language_tag(language: str) -> str | None:
    """The filter word of documents in `language`; English ones, the default, carry none."""
    return None if language == "en" else "l" + language


def stems_text(text: str, language: str) -> str:
    """A document's words stemmed for SQLite's FTS5 `stems` column: empty in English (FTS5's
    porter tokenizer stems English), Snowball stems in order (so phrases still match) otherwise."""
    return "" if language == "en" else " ".join(stem(w, language) for w in words(text))


@dataclass(frozen=True)
class Alternative:
    """A word or a phrase (several words in order); `prefix` lets its last word be unfinished."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass
class Item:
    """One thing the query asks for: any of its alternatives must match."""

    alternatives: list[Alternative]
    label: str  # as the user wrote it, folded

    @property
    def first(self) -> Alternative:
        return self.alternatives[0]


@dataclass
class Query:
    items: list[Item] = field(default_factory=list)
    excluded: list[Alternative] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # filler words that were dropped

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def text(self) -> str:
        return " ".join(item.label for item in self.items)


def _pieces(raw: str) -> tuple[list[tuple[tuple[str, ...], bool, bool]], bool]:
    """(words, quoted, excluded) per piece of the query, and whether it ends mid-word."""
    raw = _CONTROL.sub(" ", raw or "")
    out = []
    for match in _PIECE.finditer(raw):
        quoted = match.group(2) is not None
        minus = (match.group(1) if quoted else match.group(3)) == "-"
        found = tuple(words(match.group(2) if quoted else match.group(4)))
        if found:
            out.append((found, quoted, minus))
    open_end = bool(raw) and not raw[-1].isspace() and not raw.rstrip().endswith('"')
    return out, open_end


def _expand(run: list[str], fillers: frozenset[str], index: dict, groups: list) -> list[Item]:
    """Unquoted words: the longest synonym phrases first, then single words without filler."""
    items, i = [], 0
    while i < len(run):
        for size in range(min(4, len(run) - i), 0, -1):
            key = tuple(run[i:i + size])
            if key in index and (size > 1 or key[0] not in fillers):
                group = groups[index[key]]
                alternatives = [Alternative(key)] + [Alternative(t) for t in group if t != key]
                items.append(Item(alternatives, " ".join(key)))
                i += size
                break
        else:
            items.append(Item([Alternative((run[i],))], run[i]))
            i += 1
    return items


def parse(raw: str, language: str = "en") -> Query:
    """The query's meaning; `language` is the one searched, whose filler words are dropped too."""
    fillers, index, groups = _vocabulary()
    if language == "es":
        fillers = fillers | SPANISH_FILLER
    pieces, open_end = _pieces(raw)
    query, run = Query(), []

    def flush_run():
        query.items.extend(_expand(run, fillers, index, groups))
        run.clear()

    for found, quoted, minus in pieces:
        if minus:
            query.excluded.append(Alternative(found))
        elif quoted:
            flush_run()
            query.items.append(Item([Alternative(found)], " ".join(found)))
        else:
            run.extend(found)
    last_open = bool(pieces) and open_end and not pieces[-1][1] and not pieces[-1][2]
    flush_run()
    kept = [item for item in query.items if len(item.first.words) > 1 or item.first.words[0] not in fillers]
    query.ignored = [item.label for item in query.items if item not in kept]
    if kept:
        query.items = kept
    if last_open and query.items and query.items[-1].label == (pieces[-1][0][-1] if pieces else ""):
        last = query.items[-1]  # still being typed: "microneedl" finds "microneedling"
        if len(last.first.words) == 1 and len(last.first.words[0]) >= 2:
            query.items[-1] = Item(last.alternatives + _prefixes(last.first.words[0]), last.label)
    query.items = query.items[:MAX_ITEMS]
    query.excluded = query.excluded[:MAX_ITEMS]
    return query


def _prefixes(word: str) -> list[Alternative]:
    """A stemmer may cut an unfinished word differently from the whole one ("microneedli" keeps
    its i, "microneedling" becomes "microneedl"), so a slightly shorter prefix is tried too."""
    out = [Alternative((word,), prefix=True)]
    if len(word) >= 7:
        out.append(Alternative((word[:-2],), prefix=True))
    return out


# ---- the same meaning for each engine ----

def _fts_alternative(alt: Alternative) -> str:
    phrase = '"' + " ".join(alt.words) + '"'
    return phrase + "*" if alt.prefix else phrase


def _fts_item(item: Item) -> str:
    return "(" + " OR ".join(_fts_alternative(a) for a in item.alternatives) + ")"


def _fts_stemmed(alt: Alternative, language: str) -> str:
    """An alternative for documents in `language`: its words' stems in the `stems` column; an
    unfinished word is looked for as typed in titles and bodies."""
    if alt.prefix:
        return "{title body} : " + _fts_alternative(alt)
    return '{stems} : "' + " ".join(stem(w, language) for w in alt.words) + '"'


def _fts_words(query: Query, language: str, loose: bool) -> str:
    """The query's words for documents in `language` (without the filters)."""
    if language == "en":
        expr = "{title body} : (" + (" OR " if loose else " AND ").join(_fts_item(i) for i in query.items) + ")"
        if query.excluded:
            expr += " NOT {title body} : (" + " OR ".join(_fts_alternative(a) for a in query.excluded) + ")"
        return expr
    items = ["(" + " OR ".join(_fts_stemmed(a, language) for a in item.alternatives) + ")" for item in query.items]
    expr = "(" + (" OR " if loose else " AND ").join(items) + ")"
    if query.excluded:
        expr += " NOT (" + " OR ".join(_fts_stemmed(a, language) for a in query.excluded) + ")"
    return expr


def to_fts5(query: Query, *, tags: list[str] = (), loose: bool = False, languages: tuple[str, ...] = LANGUAGES) -> str:
    """An FTS5 MATCH expression: the words match titles and bodies (English documents) or their
    stems (the others), `tags` must all be present in the tags column (kind and topic filters);
    `loose`: any item rather than all; `languages`: those of the documents searched."""
    others = [language_tag(language) for language in LANGUAGES if language != "en"]
    branches = []
    for language in languages:
        words_expr = "(" + _fts_words(query, language, loose) + ")"
        if language == "en":  # English documents are those without another language's tag
            branches.append(words_expr + "".join(' NOT {tags} : "' + tag + '"' for tag in others))
        else:
            branches.append(words_expr + ' AND {tags} : "' + language_tag(language) + '"')
    expr = "(" + " OR ".join("(" + branch + ")" for branch in branches) + ")"
    for tag in tags:
        expr += ' AND {tags} : "' + tag + '"'
    return expr


def _ts_alternative(alt: Alternative, weights: str) -> str:
    lexemes = []
    for number, word in enumerate(alt.words):
        flags = ("*" if alt.prefix and number == len(alt.words) - 1 else "") + weights
        lexemes.append("'" + word + "'" + (":" + flags if flags else ""))
    return "(" + " <-> ".join(lexemes) + ")"


def to_tsquery(query: Query, *, loose: bool = False) -> str:
    """Text for to_tsquery(<the language's configuration>, forum_unaccent(...)): stemming and stop
    words are the database's; words match titles (weight A) and bodies (B), not tags; `loose`: any item."""
    parts = ["(" + " | ".join(_ts_alternative(a, "AB") for a in item.alternatives) + ")" for item in query.items]
    text = "(" + (" | " if loose else " & ").join(parts) + ")"
    if query.excluded:
        text += " & !(" + " | ".join(_ts_alternative(a, "") for a in query.excluded) + ")"
    return text
