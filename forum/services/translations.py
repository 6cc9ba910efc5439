"""Reference content in the reader's language: the translated fields of a topic, treatment, post or
page (content_translations, loaded from seed/<locale>/) laid over the English record."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from forum import cache
from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, current_locale
from forum.models.translation import ContentTranslation

# Lists of other records a record shows, localized in turn when read: attribute -> their kind.
NESTED = {
    "topic": {"treatments": "treatment"},
    "treatment": {"topics": "topic"},
    "article": {"topics": "topic", "treatments": "treatment", "related": "article"},
    "page": {},
}
# Small kinds are kept per process with the reference lists (cache.memo); posts and pages are read by id.
_KEPT_KINDS = ("topic", "treatment")


class Localized:
    """A record seen in one language: a translated field if there is one, else the record's own
    attribute. Read-only; the record itself (for writes, relationships, identity) is `.original`."""

    __slots__ = ("original", "locale", "_fields", "_kind", "_nested")

    def __init__(self, original, kind: str, fields: dict, locale: str):
        self.original, self._kind, self._fields, self.locale = original, kind, fields, locale
        self._nested: dict = {}

    def __getattr__(self, name):
        if name in self._fields:
            value = self._fields[name]
            # Dates are kept as ISO text in the JSON column (a page's own "reviewed_on").
            return date.fromisoformat(value) if name.endswith("_on") and isinstance(value, str) else value
        nested_kind = NESTED.get(self._kind, {}).get(name)
        if nested_kind is None:
            return getattr(self.original, name)
        if name not in self._nested:
            self._nested[name] = localize_all(getattr(self.original, name), nested_kind, locale=self.locale)
        return self._nested[name]

    def sources_for(self, fact: str) -> list[dict]:
        """As Treatment.sources_for, over the translated sources."""
        return [s for s in (self.sources or []) if fact in s.get("supports", [])]

    def __eq__(self, other):
        return self.original == getattr(other, "original", other)

    def __hash__(self):  # the kept copies (SimpleNamespace) have no hash of their own
        return hash((self._kind, getattr(self.original, "id", None)))

    def __repr__(self):
        return f"<Localized {self._kind} {getattr(self.original, 'id', None)} {self.locale}>"


def _reader_locale(locale: str | None) -> str:
    return locale or current_locale()


def _fetch(kind: str, locale: str, ids: list[int] | None) -> dict[int, dict]:
    stmt = select(ContentTranslation.object_id, ContentTranslation.fields).where(
        ContentTranslation.kind == kind, ContentTranslation.locale == locale)
    if ids is not None:
        stmt = stmt.where(ContentTranslation.object_id.in_(ids))
    return {object_id: fields or {} for object_id, fields in db.session.execute(stmt)}


def translations_of(kind: str, ids: list[int], locale: str) -> dict[int, dict]:
    """object id -> translated fields, in one query (none for topics and treatments, kept per process)."""
    if kind in _KEPT_KINDS:
        every = cache.memo(f"translations:{kind}:{locale}", lambda: _fetch(kind, locale, None))
        return {i: every[i] for i in ids if i in every}
    return _fetch(kind, locale, ids) if ids else {}


def localized(obj, kind: str, *, locale: str | None = None):
    """`obj` as a reader of `locale` (the current one by default) sees it; `obj` itself in English."""
    if obj is None:
        return None
    return localize_all([obj], kind, locale=locale)[0]


def localize_all(objs, kind: str, *, locale: str | None = None) -> list:
    """Each of `objs` localized (see `localized`), with one query for the whole list."""
    objs = list(objs)
    locale = _reader_locale(locale)
    if locale == DEFAULT_LOCALE or not objs:
        return objs
    found = translations_of(kind, [obj.id for obj in objs], locale)
    return [Localized(obj, kind, found.get(obj.id, {}), locale) for obj in objs]
