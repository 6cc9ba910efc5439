"""Base input schema, error and cursor schemas shared by every feature."""
import re

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value]
    return value


class InputSchema(Schema):
    """Strips surrounding whitespace and refuses C0 control characters in every string."""

    RAW_FIELDS: tuple[str, ...] = ()  # kept exactly as typed (passwords)

    class Meta:
        unknown = RAISE

    @pre_load
    def _clean_strings(self, data, **_kwargs):
        if not isinstance(data, dict):
            return data
        cleaned = {}
        errors = {}
        for key, value in data.items():
            strings = value if isinstance(value, list) else [value]  # lists of strings too
            if any(isinstance(v, str) and _CONTROL.search(v) for v in strings):
                errors[key] = ["Control characters are not allowed."]
            if key not in self.RAW_FIELDS:
                value = _strip(value)
            cleaned[key] = value
        if errors:
            raise ValidationError(errors)
        return cleaned


def Text(*, min_len: int = 0, max_len: int, required: bool = True, **kwargs) -> fields.String:  # noqa: N802
    """A required or optional trimmed string with length bounds."""
    if required:
        return fields.String(required=True, validate=validate.Length(min=max(min_len, 1), max=max_len), **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_len), **kwargs)


class CursorArgs(Schema):
    class Meta:
        unknown = RAISE

    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ErrorBodySchema(Schema):
    code = fields.String(metadata={"description": "Machine-readable error code"})
    message = fields.String(metadata={"description": "Human-readable message"})
    request_id = fields.String(metadata={"description": "This request's id (also the X-Request-ID header); "
                                                        "quote it when contacting support"})
    fields = fields.Dict(metadata={"description": "Field name -> list of messages"})  # shadows `fields`: last


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


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
