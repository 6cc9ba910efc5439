"""Row ids: the one range every id column holds (PostgreSQL `integer`), for URLs, JSON and services.

An id outside 1..2^31-1 cannot name a row on either database. PostgreSQL refuses to compare
an `integer` column with a larger number (DataError) and SQLite's driver cannot bind one past
2^63 (OverflowError), so such ids are turned away before any query: a 404 for a URL, a 422
for a JSON field."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def _up_to(bound: int) -> str:
    """A regex for the whole numbers 1..bound written without leading zeros. The URL map must
    refuse a too-large id by its pattern alone: a value check alone would turn a POST to
    /questions/<huge>/follow into a 405 (the GET rule /questions/<id>/<slug> matches the shape)."""
    digits = str(bound)
    parts = [rf"[1-9]\d{{0,{len(digits) - 2}}}"]
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


def is_valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class IdConverter(IntegerConverter):
    """The app's `int` URL converter: 1..2^31-1; anything else matches no route (404) instead of
    reaching the database."""

    regex = _up_to(MAX_ID)
    part_isolating = True

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app) -> None:
    """Before any route is added: every `<int:...>` in the URL map is an id."""
    app.url_map.converters["int"] = IdConverter
