"""API authentication: bearer tokens or the browser session; the API's write guard."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from flask_smorest import Blueprint

from forum.extensions import csrf
from forum.services import accounts

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def bearer_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def load_user_from_request(req):
    """Bearer tokens count only on the API; a revoked token or a suspended user loads nobody."""
    if not req.path.startswith("/api/"):
        return None
    raw = bearer_token()
    return accounts.load_token_user(raw) if raw else None


def api_guard():
    """API writes need a bearer token, or JSON plus the X-CSRFToken header with a session."""
    if not request.path.startswith("/api/") or request.routing_exception is not None:
        return None
    if request.headers.get("Authorization") and bearer_token() is None:
        abort(401)
    if request.method not in UNSAFE or bearer_token():
        return None
    if not request.is_json:
        abort(415)
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    return None


def actor():
    """The authenticated user, or 401 (JSON) for anonymous callers."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user._get_current_object()


AUTH = [{"bearerAuth": []}, {"sessionCookie": []}]


def authenticated(view):
    """Refuse anonymous callers (401) before the body is parsed, and document the security
    schemes. Goes right under the route decorator, above @blp.arguments: otherwise an
    anonymous caller gets 422 with the field list instead of 401."""
    @wraps(view)
    def guarded(*args, **kwargs):
        actor()
        return view(*args, **kwargs)
    return Blueprint.doc(security=AUTH)(guarded)
