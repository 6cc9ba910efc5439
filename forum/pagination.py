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


def decode_cursor(cursor: str, width: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = [_decode_value(v) for v in json.loads(raw)]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise Invalid("That page link is not valid.", fields={"cursor": ["Not a valid cursor."]}) from None
    if not isinstance(values, list) or len(values) != width:
        raise Invalid("That page link is not valid.", fields={"cursor": ["Not a valid cursor."]})
    return values


def paginate(stmt: sa.Select, *, columns: list, cursor: str | None, limit: int | None,
             descending: bool = True) -> Page:
    """Order `stmt` by `columns` (the last one unique, e.g. id) and return one page.

    The cursor holds the last row's values of `columns`; the next page starts strictly after
    it, so rows inserted meanwhile never shift or repeat items.
    """
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    order = [c.desc() if descending else c.asc() for c in columns]
    stmt = stmt.order_by(*order)
    if cursor:
        values = decode_cursor(cursor, len(columns))
        row = sa.tuple_(*columns)
        stmt = stmt.where(row < sa.tuple_(*values) if descending else row > sa.tuple_(*values))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)
