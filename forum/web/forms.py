"""Load an HTML form through the same marshmallow In schema the API uses."""
from __future__ import annotations

from flask import g, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from forum.errors import Invalid
from forum.i18n import _
from forum.schemas.messages import plain_errors
from forum.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters


HONEYPOT = "homepage"  # a hidden field people never see or fill; bots that fill every field do


def load_form(schema: Schema, source=None) -> tuple[dict, dict]:
    """(data, errors) from request.form: an empty required field is missing (so `required`
    fires), an empty optional field is None (so clearing it is kept), an unticked checkbox is
    False, list fields come from getlist, unknown keys (csrf_token) are ignored."""
    form = source if source is not None else request.form
    if form.get(HONEYPOT):
        return {}, {"_schema": [_("This looked automated and was not saved. If you are a person, please try again.")]}
    raw: dict = {}
    refused: dict = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if field.dump_only:
            continue
        if any(has_control_characters(v) for v in form.getlist(key)):  # before blanks are dropped: "\x1c" is a blank
            refused[key] = [CONTROL_CHARACTERS_MESSAGE]
            continue
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(key) if v.strip()]
            if values or not field.required:
                raw[key] = values
            continue
        if isinstance(field, fields.Boolean):
            raw[key] = key in form and form.get(key) not in ("", "0", "false", "off")
            continue
        value = form.get(key)
        if value is None or value.strip() == "":
            if not field.required and key in form:
                raw[key] = None
            continue
        raw[key] = value
    if refused:
        return {}, refused
    try:
        return schema.load(raw, unknown=EXCLUDE), {}
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return {}, plain_errors(messages, schema.fields)


def load_args(schema: Schema) -> dict:
    """Query-string arguments through a schema; bad ones are a 422 with field messages."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return schema.load(raw, unknown=EXCLUDE)
    except ValidationError as err:
        raise Invalid(_("Some filters are not valid."), fields=plain_errors(err.messages, schema.fields)) from None


# The error summary (GOV.UK pattern). The form macros note each error they show, with the id of the
# control it belongs to; base.html renders the page content first, then a summary of what was noted
# above it, so every link points at an element that is on the page.

def start_error_summary() -> str:
    g.form_errors = []
    return ""


def note_error(target_id: str, messages) -> str:
    """Called by the macros in _macros/forms.html; returns "" so a template can print it."""
    noted = g.setdefault("form_errors", [])
    for message in [messages] if isinstance(messages, str) else messages:
        if (target_id, message) not in noted:
            noted.append((target_id, message))
    return ""


def error_summary_items(errors=None) -> list[tuple[str | None, str]]:
    """(target id or None, message) for the summary: what the macros showed, then any message a
    template printed by hand (no macro), unlinked rather than linked to an id that may not exist."""
    noted = list(g.get("form_errors", []))
    shown = {message for _target, message in noted}
    for message in _all_messages(errors):
        if message not in shown:
            noted.append((None, message))
            shown.add(message)
    return noted


def _all_messages(errors) -> list[str]:
    if isinstance(errors, str) or hasattr(errors, "__html__"):  # a lazy (translated) message too
        return [str(errors)]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _all_messages(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in _all_messages(value)]
    return []


def register_form_helpers(app) -> None:
    app.jinja_env.globals.update(start_error_summary=start_error_summary, note_error=note_error,
                                 error_summary_items=error_summary_items)
