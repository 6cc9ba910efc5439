"""Keyset (cursor) pagination shared by web and API: page 500 costs what page 1 costs."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode_cursor(values: list) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> Invalid:
    return Invalid(_("That page link is not valid."), fields={"cursor": [_("Not a valid cursor.")]})


def _fits(value: Any, column) -> bool:
    """A cursor value must have its column's Python type: a tampered cursor such as [[1]] or
    ["x"] for an integer id would otherwise reach the database (500, or a PostgreSQL error)."""
    try:
        expected = column.type.python_type
    except NotImplementedError:
        return value is not None
    if expected is date:
        return type(value) is date
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def decode_cursor(cursor: str, width: int, columns: list | None = None) -> list:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list):
            raise _bad_cursor()
        values = [_decode_value(v) for v in raw]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise _bad_cursor() from None
    if len(values) != width or (columns and not all(map(_fits, values, columns))):
        raise _bad_cursor()
    return values


def paginate(stmt: sa.Select, *, columns: list, cursor: str | None, limit: int | None,
             descending: bool = True, also: list[sa.Select] = ()) -> Page:
    """Order `stmt` by `columns` (the last one unique, e.g. id) and return one page.

    The cursor holds the last row's values of `columns`; the next page starts strictly after
    it, so rows inserted meanwhile never shift or repeat items. `also` are further disjoint
    selects of the same rows (e.g. a member's own hidden questions): each is paged on its own
    index and the pages are merged, where one OR-ed filter would make the database sort every
    matching row.
    """
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    order = [c.desc() if descending else c.asc() for c in columns]
    values = decode_cursor(cursor, len(columns), columns) if cursor else None
    rows: list = []
    for part in (stmt, *also):
        part = part.order_by(*order)
        if values is not None:
            row = sa.tuple_(*columns)
            part = part.where(row < sa.tuple_(*values) if descending else row > sa.tuple_(*values))
        rows.extend(db.session.scalars(part.limit(limit + 1)))
    if also:  # the parts are disjoint, but a row may change sides between the two statements
        rows = list({id(item): item for item in rows}.values())
        rows.sort(key=lambda item: tuple(getattr(item, c.key) for c in columns), reverse=descending)
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)
