"""Marshmallow's default messages, rewritten for people filling in a form (GOV.UK style: say what to do).

The one place that maps a schema error to a plain sentence. HTML forms use it through
`forum.web.forms.load_form`; the JSON API keeps marshmallow's wording, which clients may match on.
Messages that are already ours (a schema's own `error=` or a service's `Invalid`) pass through unchanged.
"""
from __future__ import annotations

import re

from marshmallow import fields, validate

# What "Enter ..." or "Choose ..." should say for a field, where its name alone reads badly.
PHRASES = {
    "email": "your e-mail address",
    "password": "your password",
    "current_password": "your current password",
    "new_password": "a new password",
    "display_name": "a display name",
    "title": "your question in one sentence",
    "body": "some text",
    "code": "the code from your authenticator app",
    "name": "a name",
    "reason": "a reason",
    "decision": "a decision",
    "specialty": "a specialty",
    "contact_method": "how you would like to be contacted",
    "doctor_ids": "at least one doctor",
    "concern": "your concern",
    "description": "what you would like to change",
    "rating": "a rating from 1 to 5 stars",
    "worth_it": "whether it was worth it",
    "treatment": "the treatment you had",
    "treated_on": "the month you had the treatment",
}

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^Length must be between {_NUMBER} and {_NUMBER}\.$"), "between"),
    (re.compile(rf"^Shorter than minimum length {_NUMBER}\.$"), "min"),
    (re.compile(rf"^Longer than maximum length {_NUMBER}\.$"), "max"),
    (re.compile(rf"^Length must be {_NUMBER}\.$"), "equal"),
    (re.compile(rf"^Must be greater than or equal to {_NUMBER} and less than or equal to {_NUMBER}\.$"), "range"),
    (re.compile(rf"^Must be greater than or equal to {_NUMBER}\.$"), "range_min"),
    (re.compile(rf"^Must be less than or equal to {_NUMBER}\.$"), "range_max"),
]
_FIXED = {
    "Not a valid email address.": "Enter an e-mail address like name@example.com",
    "Enter a valid e-mail address.": "Enter an e-mail address like name@example.com",  # our schema's Regexp
    "Not a valid integer.": "Enter a whole number",
    "Not a valid number.": "Enter a number",
    "Not a valid URL.": "Enter a web address starting with https://, like https://www.example.com",
    "Not a valid date.": "Enter a date like 2027-03-31",
    "Not a valid boolean.": "Tick the box or leave it empty",
    "Not a valid string.": "Enter text",
    "Not a valid list.": "Choose from the options",
    "String does not match expected pattern.": "Check the format and try again",
    "Field may not be null.": None,  # same as missing
    "Invalid value.": "Check this and try again",
}


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
    return label or "your " + name.replace("_", " ")


def plain_message(message: str, name: str, field: fields.Field | None = None) -> str:
    """One marshmallow message as a sentence that tells the person what to do."""
    kind = field_kind(field)
    if message == "Missing data for required field." or (message in _FIXED and _FIXED[message] is None):
        return ("Choose " if kind in ("choice", "list") else "Enter ") + phrase_for(name, field)
    if message.startswith("Must be one of:"):
        return "Choose one of the options"
    if message in _FIXED:
        return _FIXED[message]
    for pattern, rule in _RULES:
        match = pattern.match(message)
        if match:
            return _bounds(rule, [_number(n) for n in match.groups()], kind)
    return message


def _bounds(rule: str, numbers: list[str], kind: str) -> str:
    if rule == "range":
        return f"Enter a number from {numbers[0]} to {numbers[1]}"
    if rule == "range_min":
        return f"Enter a number of at least {numbers[0]}"
    if rule == "range_max":
        return f"Enter a number of at most {numbers[0]}"
    verb, unit = ("Choose", "options") if kind == "list" else ("Use", "characters")
    if rule == "between" and numbers[0] in ("0", "1"):
        rule, numbers = "max", numbers[1:]
    if rule == "between":
        return f"{verb} between {numbers[0]} and {numbers[1]} {unit}"
    if numbers[0] == "1":
        unit = unit[:-1]
    if rule == "equal":
        return f"{verb} exactly {numbers[0]} {unit}"
    return f"{verb} at {'least' if rule == 'min' else 'most'} {numbers[0]} {unit}"


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
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    return [m for value in messages for m in _flatten(value)]
