"""Marshmallow's default messages, rewritten for people filling in a form (GOV.UK style: say what to do).

The one place that maps a schema error to a plain sentence. HTML forms use it through
`forum.web.forms.load_form`; the JSON API keeps marshmallow's wording, which clients may match on.
Messages that are already ours (a schema's own `error=` or a service's `Invalid`) pass through unchanged.
marshmallow's own messages are translated too (install_defaults, called by forum.schemas.common): the
API answers "Missing data for required field." in the reader's language.
"""
from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

from forum.i18n import _, _l, ngettext

# What "Enter ..." or "Choose ..." should say for a field, where its name alone reads badly.
PHRASES = {
    "email": _l("your e-mail address"),
    "password": _l("your password"),
    "current_password": _l("your current password"),
    "new_password": _l("a new password"),
    "display_name": _l("a display name"),
    "title": _l("your question in one sentence"),
    "body": _l("some text"),
    "code": _l("the code from your authenticator app"),
    "name": _l("a name"),
    "reason": _l("a reason"),
    "decision": _l("a decision"),
    "specialty": _l("a specialty"),
    "contact_method": _l("how you would like to be contacted"),
    "doctor_ids": _l("at least one doctor"),
    "concern": _l("your concern"),
    "description": _l("what you would like to change"),
    "rating": _l("a rating from 1 to 5 stars"),
    "worth_it": _l("whether it was worth it"),
    "treatment": _l("the treatment you had"),
    "treated_on": _l("the month you had the treatment"),
}

_NUMBER = r"(-?\d+(?:\.\d+)?)"
# marshmallow's Length messages (translated by install_defaults) as rules; {min}/{max}/{equal} are the numbers
_LENGTH_RULES = [
    (validate.Length, "message_all", "between"), (validate.Length, "message_min", "min"),
    (validate.Length, "message_max", "max"), (validate.Length, "message_equal", "equal"),
]
# marshmallow's Range messages, whole sentences per kind of bound ("gte": the bound is allowed); Range
# fills in its bounds' words when a schema is defined, so RangeMessage picks the sentence there instead
RANGE_MESSAGES = {
    ("min", "gte", None): _l("Must be greater than or equal to {min}."),
    ("min", "gt", None): _l("Must be greater than {min}."),
    ("max", None, "lte"): _l("Must be less than or equal to {max}."),
    ("max", None, "lt"): _l("Must be less than {max}."),
    ("all", "gte", "lte"): _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    ("all", "gt", "lte"): _l("Must be greater than {min} and less than or equal to {max}."),
    ("all", "gte", "lt"): _l("Must be greater than or equal to {min} and less than {max}."),
    ("all", "gt", "lt"): _l("Must be greater than {min} and less than {max}."),
}
_RANGE_RULES = [(("all", "gte", "lte"), "range"), (("min", "gte", None), "range_min"),
                (("max", None, "lte"), "range_max")]
_FIXED = {  # marshmallow's message (lazy, as installed) -> ours; None: said as for a missing value
    "email": _l("Enter an e-mail address like name@example.com"),
    "integer": _l("Enter a whole number"),
    "number": _l("Enter a number"),
    "url": _l("Enter a web address starting with https://, like https://www.example.com"),
    "date": _l("Enter a date like 2027-03-31"),
    "boolean": _l("Tick the box or leave it empty"),
    "string": _l("Enter text"),
    "list": _l("Choose from the options"),
    "pattern": _l("Check the format and try again"),
    "invalid": _l("Check this and try again"),
}


def _fixed_messages() -> dict:
    """marshmallow's messages in the reader's language -> our plain sentence (None: as if missing)."""
    return {str(FIELD_MESSAGES[fields.Email]["invalid"]): _FIXED["email"],
            str(_l("Enter a valid e-mail address.")): _FIXED["email"],  # our schemas' Regexp
            str(FIELD_MESSAGES[fields.Integer]["invalid"]): _FIXED["integer"],
            str(FIELD_MESSAGES[fields.Number]["invalid"]): _FIXED["number"],
            str(FIELD_MESSAGES[fields.Url]["invalid"]): _FIXED["url"],
            str(FIELD_MESSAGES[fields.Date]["invalid"]): _FIXED["date"],
            str(FIELD_MESSAGES[fields.Boolean]["invalid"]): _FIXED["boolean"],
            str(FIELD_MESSAGES[fields.String]["invalid"]): _FIXED["string"],
            str(FIELD_MESSAGES[fields.List]["invalid"]): _FIXED["list"],
            str(VALIDATOR_MESSAGES[validate.Regexp]["default_message"]): _FIXED["pattern"],
            str(FIELD_MESSAGES[fields.Field]["null"]): None,
            str(FIELD_MESSAGES[fields.Field]["validator_failed"]): _FIXED["invalid"]}


def _length_rules() -> list[tuple[re.Pattern, str]]:
    """The Length and Range messages in the reader's language as patterns (numbers captured)."""
    rules = []
    templates = [(str(VALIDATOR_MESSAGES[validator][key]), rule) for validator, key, rule in _LENGTH_RULES]
    templates += [(str(RANGE_MESSAGES[key]), rule) for key, rule in _RANGE_RULES]
    for template, rule in templates:
        escaped = re.escape(template)
        rules.append((re.compile("^" + re.sub(r"\\\{(min|max|equal)\\\}", lambda _m: _NUMBER, escaped) + "$"), rule))
    return rules


def field_kind(field: fields.Field | None) -> str:
    """"list", "choice", "number" or "text": decides whether a length is characters or choices."""
    if isinstance(field, fields.List):
        return "list"
    validators = list(getattr(field, "validators", []) or [])
    if isinstance(field, fields.Enum) or any(isinstance(v, validate.OneOf) for v in validators):
        return "choice"
    if isinstance(field, fields.Number):
        return "number"
    return "text"


def phrase_for(name: str, field: fields.Field | None = None) -> str:
    """The words after "Enter": a schema's `metadata={"label": ...}`, our table, or "your <name>"."""
    label = (field.metadata.get("label") if field is not None else None) or PHRASES.get(name)
    return str(label) if label else _("your %(name)s", name=name.replace("_", " "))


def plain_message(message, name: str, field: fields.Field | None = None) -> str:
    """One marshmallow message as a sentence that tells the person what to do."""
    message, kind, fixed = str(message), field_kind(field), _fixed_messages()
    if message == str(FIELD_MESSAGES[fields.Field]["required"]) or (message in fixed and fixed[message] is None):
        what = phrase_for(name, field)
        return _("Choose %(what)s", what=what) if kind in ("choice", "list") else _("Enter %(what)s", what=what)
    if message.startswith(str(_ONE_OF_START)) or message.startswith("Must be one of:"):
        return _("Choose one of the options")
    if message in fixed:
        return str(fixed[message])
    for pattern, rule in _length_rules():
        match = pattern.match(message)
        if match:
            return _bounds(rule, [_number(n) for n in match.groups()], kind)
    return message


def _bounds(rule: str, numbers: list[str], kind: str) -> str:
    if rule.startswith("range"):
        return _range(rule, numbers)
    if rule == "between" and numbers[0] in ("0", "1"):
        rule, numbers = "max", numbers[1:]
    count = int(float(numbers[-1]))
    if kind == "list":
        if rule == "between":
            return _("Choose between %(min)s and %(max)s options", min=numbers[0], max=numbers[1])
        if rule == "equal":
            return ngettext("Choose exactly %(num)s option", "Choose exactly %(num)s options", count)
        if rule == "min":
            return ngettext("Choose at least %(num)s option", "Choose at least %(num)s options", count)
        return ngettext("Choose at most %(num)s option", "Choose at most %(num)s options", count)
    if rule == "between":
        return _("Use between %(min)s and %(max)s characters", min=numbers[0], max=numbers[1])
    if rule == "equal":
        return ngettext("Use exactly %(num)s character", "Use exactly %(num)s characters", count)
    if rule == "min":
        return ngettext("Use at least %(num)s character", "Use at least %(num)s characters", count)
    return ngettext("Use at most %(num)s character", "Use at most %(num)s characters", count)


def _range(rule: str, numbers: list[str]) -> str:
    if rule == "range":
        return _("Enter a number from %(min)s to %(max)s", min=numbers[0], max=numbers[1])
    if rule == "range_min":
        return _("Enter a number of at least %(min)s", min=numbers[0])
    return _("Enter a number of at most %(max)s", max=numbers[0])


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def plain_errors(errors: dict, schema_fields: dict) -> dict:
    """Every message of a marshmallow error dict, made plain; a list field's per-item errors
    ({0: [...], 2: [...]}) become one list under the field."""
    plain: dict = {}
    for key, messages in errors.items():
        field = _field_by_key(schema_fields, key)
        if isinstance(messages, dict) and isinstance(field, fields.List):
            field = field.inner  # {index: [...]}: the messages are about single items
        items = _flatten(messages)
        seen: list[str] = []
        for message in items:
            text = plain_message(message, key, field)
            if text not in seen:
                seen.append(text)
        plain[key] = seen
    return plain


def _field_by_key(schema_fields: dict, key: str):
    for name, field in schema_fields.items():
        if (field.data_key or name) == key:
            return field
    return None


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, (list, tuple)):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]  # a string, or a translated (lazy) one


# ---- marshmallow's own messages, in the reader's language ----

class Translated(str):
    """A message marshmallow takes for a plain string (fields.Email and fields.Url insist on one): the
    English text, translated into the reader's language when marshmallow formats it, which it does to
    every field and validator message before raising it. `Translated(_l("..."))`; use it for a schema's
    own error_messages on Email and Url fields (a lazy string is refused there)."""

    def __new__(cls, message):
        return super().__new__(cls, getattr(message, "_args", (message,))[0])

    def text(self) -> str:
        return _(str.__str__(self))

    def format(self, *args, **kwargs) -> str:
        return self.text().format(*args, **kwargs)

FIELD_MESSAGES = {
    fields.Field: {"required": _l("Missing data for required field."), "null": _l("Field may not be null."),
                   "validator_failed": _l("Invalid value.")},
    fields.Nested: {"type": _l("Invalid type.")},
    fields.List: {"invalid": _l("Not a valid list.")},
    fields.Tuple: {"invalid": _l("Not a valid tuple.")},
    fields.String: {"invalid": _l("Not a valid string."), "invalid_utf8": _l("Not a valid utf-8 string.")},
    fields.UUID: {"invalid_uuid": _l("Not a valid UUID.")},
    fields.Number: {"invalid": _l("Not a valid number."), "too_large": _l("Number too large.")},
    fields.Integer: {"invalid": _l("Not a valid integer.")},
    fields.Float: {"special": _l("Special numeric values (nan or infinity) are not permitted.")},
    fields.Decimal: {"special": _l("Special numeric values (nan or infinity) are not permitted.")},
    fields.Boolean: {"invalid": _l("Not a valid boolean.")},
    fields.DateTime: {"invalid": _l("Not a valid datetime.")},
    fields.Date: {"invalid": _l("Not a valid date."), "format": _l('"{input}" cannot be formatted as a date.')},
    fields.Mapping: {"invalid": _l("Not a valid mapping type.")},
    fields.Url: {"invalid": _l("Not a valid URL.")},
    fields.Email: {"invalid": _l("Not a valid email address.")},
    fields.Enum: {"unknown": _l("Must be one of: {choices}.")},
}
_ONE_OF_START = _l("Must be one of:")
VALIDATOR_MESSAGES = {
    validate.Length: {"message_min": _l("Shorter than minimum length {min}."),
                      "message_max": _l("Longer than maximum length {max}."),
                      "message_all": _l("Length must be between {min} and {max}."),
                      "message_equal": _l("Length must be {equal}.")},
    validate.URL: {"default_message": _l("Not a valid URL.")},
    validate.Email: {"default_message": _l("Not a valid email address.")},
    validate.Equal: {"default_message": _l("Must be equal to {other}.")},
    validate.Regexp: {"default_message": _l("String does not match expected pattern.")},
    validate.Predicate: {"default_message": _l("Invalid input.")},
    validate.NoneOf: {"default_message": _l("Invalid input.")},
    validate.OneOf: {"default_message": _l("Must be one of: {choices}.")},
    validate.ContainsOnly: {"default_message": _l("One or more of the choices you made was not in: {choices}.")},
    validate.ContainsNoneOf: {"default_message": _l("One or more of the choices you made was in: {values}.")},
}


class RangeMessage(str):
    """Range's message_min/max/all: Range formats them with its bounds' words when a schema is defined
    ("{min_op}"); this answers with the whole sentence for those bounds, translated when raised."""

    def __new__(cls, kind: str):
        obj = super().__new__(cls, kind)
        obj.kind = kind
        return obj

    def format(self, min_op: str | None = None, max_op: str | None = None, **_values) -> str:
        return Translated(RANGE_MESSAGES[(self.kind, min_op, max_op)])


RANGE_OPS = {"message_gte": "gte", "message_gt": "gt", "message_lte": "lte", "message_lt": "lt"}
SCHEMA_MESSAGES = {"type": _l("Invalid input type."), "unknown": _l("Unknown field.")}  # used as they are


def install_defaults() -> None:
    """Give marshmallow's fields, validators and schemas the translated messages (once, at import,
    before any schema is defined: fields copy their messages when they are created)."""
    for field_class, messages in FIELD_MESSAGES.items():
        translated = {key: Translated(message) for key, message in messages.items()}
        field_class.default_error_messages = {**field_class.default_error_messages, **translated}
    for validator_class, messages in VALIDATOR_MESSAGES.items():
        for name, message in messages.items():
            setattr(validator_class, name, Translated(message))
    for kind in ("min", "max", "all"):
        setattr(validate.Range, f"message_{kind}", RangeMessage(kind))
    for name, op in RANGE_OPS.items():
        setattr(validate.Range, name, op)
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
