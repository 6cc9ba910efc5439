"""API authentication: bearer tokens or the browser session; the API's write guard."""
from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user

from forum.extensions import csrf, login_manager
from forum.services import accounts

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def bearer_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def api_guard():
    """API writes need a bearer token, or JSON plus the X-CSRFToken header with a session.
    Operations documented with `security` answer anonymous callers 401 before any parsing.

    A request that sends an Authorization header is authenticated by that token alone: an
    invalid or revoked one is 401 and never falls back to the session cookie (else any made-up
    "Bearer x" would skip the CSRF check while the cookie did the authenticating).
    """
    if not request.path.startswith("/api/") or request.routing_exception is not None:
        return None
    if request.headers.get("Authorization"):
        raw = bearer_token()
        if not raw:
            abort(401)
        user = accounts.authenticate_token(raw)  # Unauthorized (401) says why: expired, revoked
        login_manager._update_request_context_with_user(user)  # the token's user, not the cookie's
        return None
    if not current_user.is_authenticated and documented_security(request.endpoint, request.method):
        abort(401)  # before the body is parsed: an anonymous caller gets 401, not the field list
    if request.method not in UNSAFE:
        return None
    if not request.is_json:
        abort(415)
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    return None


def documented_security(endpoint: str | None, method: str):
    """The security an API operation declares with @blp.doc(security=AUTH). What the OpenAPI
    document says needs authentication is refused to anonymous callers by api_guard."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    handler = getattr(getattr(view, "view_class", None), "get" if method == "HEAD" else method.lower(), None)
    doc = getattr(handler or view, "_apidoc", None) or {}
    return (doc.get("manual_doc") or {}).get("security")


def actor():
    """The authenticated user, or 401 (JSON) for anonymous callers."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user._get_current_object()


AUTH = [{"bearerAuth": []}, {"sessionCookie": []}]

