"""Base input schema, error and cursor schemas shared by every feature."""
from collections.abc import Mapping
from datetime import timezone

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from forum.i18n import _, _l
from forum.ids import MAX_ID
from forum.schemas.messages import install_defaults
from forum.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters

install_defaults()  # marshmallow's own messages in the reader's language, before any schema is defined


def _strip(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value]
    return value


def _holds_control_characters(value) -> bool:
    """Any string in `value`, at any depth (a loop, not recursion: JSON may nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and has_control_characters(item):
            return True
        if isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            pending += item
    return False


def _refuse_control_characters(data) -> None:
    """Every string of the input, in lists and nested objects too (forum.text decides which characters).
    `data` is a dict (JSON, forms) or webargs' MultiDictProxy (query strings)."""
    if isinstance(data, Mapping):
        errors = {key: [CONTROL_CHARACTERS_MESSAGE] for key, value in data.items() if _holds_control_characters(value)}
        if errors:
            raise ValidationError(errors)


class InputSchema(Schema):
    """Strips surrounding whitespace and refuses control characters in every string."""

    RAW_FIELDS: tuple[str, ...] = ()  # kept exactly as typed (passwords)

    class Meta:
        unknown = RAISE

    @pre_load
    def _clean_strings(self, data, **_kwargs):
        if not isinstance(data, dict):
            return data
        _refuse_control_characters(data)
        return {key: value if key in self.RAW_FIELDS else _strip(value) for key, value in data.items()}


class ArgsSchema(Schema):
    """Query-string arguments: kept as typed (a search's trailing space matters), control characters refused."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_control(self, data, **_kwargs):
        _refuse_control_characters(data)
        self._refuse_repeats(data)
        return data

    def _refuse_repeats(self, data) -> None:
        """`?limit=5&limit=50`: a parameter that takes one value, given twice, is refused rather than
        silently read as one of them. `data` is webargs' MultiDictProxy over the query string."""
        given = getattr(data, "data", None)
        if not hasattr(given, "getlist"):
            return
        single = {field.data_key or name for name, field in self.load_fields.items()
                  if not isinstance(field, fields.List)}
        errors = {key: [_("Give this parameter once.")] for key in given
                  if key in single and len(given.getlist(key)) > 1}
        if errors:
            raise ValidationError(errors)


def Text(*, min_len: int = 0, max_len: int, required: bool = True, **kwargs) -> fields.String:  # noqa: N802
    """A required or optional trimmed string with length bounds."""
    if required:
        return fields.String(required=True, validate=validate.Length(min=max(min_len, 1), max=max_len), **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_len), **kwargs)


ID_MESSAGE = _l("Must be an id: a whole number from 1 to {max}.")  # Range fills in {max}


def Id(**kwargs) -> fields.Integer:  # noqa: N802
    """A row id in a JSON body or query string: a whole number from 1 to 2^31-1 (what an id column
    holds), else 422 with a plain message instead of a database error."""
    return fields.Integer(strict=kwargs.pop("strict", False), validate=validate.Range(
        min=1, max=MAX_ID, error=ID_MESSAGE), **kwargs)


class UtcDateTime(fields.DateTime):
    """A timestamp in ISO 8601 with its offset (`2026-05-01T09:30:00+00:00`). Columns hold naive
    UTC (forum.clock.now), which marshmallow would write without any offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "ISO 8601 with an offset (UTC)")
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class CursorArgs(ArgsSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = fields.String(required=True, metadata={"description": "Human-readable message"})
    request_id = fields.String(required=True, allow_none=True, metadata={
        "description": "This request's id (also the X-Request-ID header); quote it when contacting support"})
    fields = fields.Dict(required=True, metadata={  # shadows `fields`: last
        "description": "Field name -> list of messages (nested fields: index or name -> messages)"})


class ErrorSchema(Schema):
    """Every API error: `{"error": {"code", "message", "fields", "request_id"}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


_PAGE_SCHEMAS: dict = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A cursor page schema: {"items": [...], "next_cursor": str|null}."""
    if item_schema not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[item_schema] = type(f"{item_schema.__name__.removesuffix('Out')}Page", (Schema,), {
            "items": fields.List(fields.Nested(item_schema)),
            "next_cursor": fields.String(allow_none=True, metadata={"description": "Pass as ?cursor= for the next page"}),
        })
    return _PAGE_SCHEMAS[item_schema]


class MessageOut(Schema):
    message = fields.String()
