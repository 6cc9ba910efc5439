"""Domain errors and the one renderer that answers every error in HTML or JSON."""
from __future__ import annotations

import logging

from flask import Flask, flash, g, jsonify, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from forum.extensions import db
from forum.i18n import _, _l

log = logging.getLogger("forum.errors")


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message: str | None = None, *, fields: dict | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422
    code = "invalid"
    default_message = _l("Some fields need attention.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("Please log in.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do that.")


class TwoFactorRequired(Forbidden):
    code = "two_factor_required"
    default_message = _l("Moderator and admin accounts must turn on two-factor authentication first: "
                         "set it up at /account/two-factor.")
    enrol_path = "/account/two-factor"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("That conflicts with the current state.")


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one is accepted (Retry-After)."""

    status = 429
    code = "rate_limited"
    default_message = _l("Too many requests. Please wait and try again.")

    def __init__(self, message: str | None = None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


CODE_NAMES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid", 429: "rate_limited", 500: "server_error", 503: "unavailable"}
HTML_PAGES = {400, 403, 404, 405, 413, 429, 500, 503}
HTTP_MESSAGES = {
    404: _l("This page does not exist."), 405: _l("That method is not allowed here."),
    413: _l("The request is too large."), 429: _l("Too many requests. Please wait and try again."),
    401: _l("Please log in."), 403: _l("You are not allowed to do that."),
    400: _l("The request could not be understood."), 415: _l("Send JSON with Content-Type: application/json."),
}
# Flask-WTF's CSRF refusals, in the reader's language (its own wording otherwise).
CSRF_MESSAGES = {
    "The CSRF token is missing.": _l("The CSRF token is missing."),
    "The CSRF session token is missing.": _l("The CSRF session token is missing."),
    "The CSRF token has expired.": _l("The CSRF token has expired."),
    "The CSRF token is invalid.": _l("The CSRF token is invalid."),
    "The CSRF tokens do not match.": _l("The CSRF tokens do not match."),
    "The referrer header is missing.": _l("The referrer header is missing."),
    "The referrer does not match the host.": _l("The referrer does not match the host."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") and not request.path.startswith("/api/v1/docs")


def flatten_fields(messages) -> dict:
    """webargs nests errors by location ({"json": {...}}); clients want field -> messages."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    if set(messages) <= {"json", "query", "form", "headers", "view_args", "path", "files"}:
        flat: dict = {}
        for value in messages.values():
            flat.update(value if isinstance(value, dict) else {"_schema": value})
        return flat
    return messages


def _plain(messages):
    """Messages as plain strings: lazy ones (gettext's _l) are rendered in the request's language."""
    if isinstance(messages, dict):
        return {key: _plain(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_plain(value) for value in messages]
    return messages if messages is None or isinstance(messages, (int, float)) else str(messages)


def render_error(status: int, message: str, fields: dict | None = None, headers: dict | None = None,
                 code: str | None = None):
    code = code or CODE_NAMES.get(status, "error")
    message, fields = str(message), _plain(fields or {})
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {},
                          "request_id": getattr(g, "request_id", None)}}
        response = jsonify(body)
    else:
        page = status if status in HTML_PAGES else (400 if status < 500 else 500)
        g.error_page = True  # the language switcher and alternates then never repeat the address asked for
        response = make_response(render_template(
            f"errors/{page}.html", message=message, status=status, minimal=status >= 500,
            request_id=getattr(g, "request_id", None)))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    fields = flatten_fields(data["messages"]) if "messages" in data else {}
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if error.code == 429:
        retry = getattr(error, "retry_after", None)
        headers.setdefault("Retry-After", str(retry or 60))
    message = data.get("message") or (_csrf_message(error) if isinstance(error, CSRFError) else _describe(error))
    if fields and error.code == 422:  # a 400 with fields (webargs: body is not JSON) stays 400
        return render_error(422, _("Some fields need attention."), fields, headers)
    return render_error(error.code or 500, message, fields, headers)


def _describe(error: HTTPException) -> str:
    return str(HTTP_MESSAGES.get(error.code, _l("Something went wrong.")))


def _csrf_message(error: CSRFError) -> str:
    return str(CSRF_MESSAGES.get(error.description, error.description))


def handle_domain_error(error: DomainError):
    if isinstance(error, TwoFactorRequired):
        if not wants_json():  # a page: straight to enrolment
            flash(str(error.message), "error")
            return redirect(error.enrol_path, 303)
        return render_error(error.status, error.message, error.fields, code=error.code)
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return render_error(error.status, error.message, error.fields, headers)


def handle_db_down(error: OperationalError):
    log.error("database unavailable: %s", type(error).__name__)
    return render_error(503, _("The service is briefly unavailable. Please retry shortly."),
                        headers={"Retry-After": "30"})


def handle_bad_value(error: Exception):
    """A value the database cannot hold (a number past its integer range, ...) is the client's
    mistake, not a server error. Ids are bounded before any query (forum.ids); this is the net."""
    db.session.rollback()
    log.warning("value refused by the database: %s", type(error).__name__)
    return render_error(400, _("A value in the request is out of range."))


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error (request id %s)", getattr(g, "request_id", "-"))
    return render_error(500, _("Something went wrong on our side. Quote the request id if you contact us."))


def register_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_db_down)
    app.register_error_handler(DataError, handle_bad_value)
    app.register_error_handler(OverflowError, handle_bad_value)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
