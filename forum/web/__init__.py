"""Server-rendered HTML: blueprints, session limits, security headers, Jinja helpers."""
from __future__ import annotations

from flask import Flask, abort, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from forum import clock
from forum.extensions import login_manager
from forum.i18n import _l
from forum.permissions import can
from forum.services import accounts as accounts_service
from forum.services import notifications as notifications_service
from forum.text import render_markdown, rendered, slugify
from forum.words import application, label, plural, verification
from forum.web import account, assets, auth, caching, consultations, doctors, flags, main, moderation, questions
from forum.web import forms, pages, reference, reviews, revisions, search, two_factor
from forum.web import following as following_bp
from forum.web import language, members
from forum.web.hosts import init_hosts
from forum.web import notifications as notifications_bp

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def register_web(app: Flask) -> None:
    for module in (main, auth, account, doctors, moderation, notifications_bp, reference, questions, search, flags,
                   consultations, two_factor, pages, reviews, following_bp, revisions, members, language):
        app.register_blueprint(module.bp)
    _init_login(app)
    init_hosts(app)
    assets.init_assets(app)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_enforce_session_limits)
    caching.register_caching(app)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(can=can, csrf_token=generate_csrf, unread_count=_unread_count)
    forms.register_form_helpers(app)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["slugify"] = slugify
    app.jinja_env.filters["rendered"] = rendered
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["verification"] = verification
    app.jinja_env.filters["application"] = application
    app.jinja_env.globals.update(plural=plural, language_links=language.language_links)


def _init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.localize_callback = str  # the lazy message, rendered in the request's language
    login_manager.session_protection = "basic"
    login_manager.user_loader(accounts_service.load_session_user)


def _refuse_nul_bytes() -> None:
    """PostgreSQL refuses NUL in text, so it is stopped before any query: in the path nothing can
    match (404); in the query string it is invalid input (422)."""
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in value for value in request.args.values()):
        abort(422)


def _enforce_session_limits() -> None:
    """Idle (30 min) and absolute (12 h) session lifetimes, checked on the server."""
    if "_user_id" not in session:
        return
    now = clock.now().timestamp()
    started, seen = session.get("_started"), session.get("_seen")
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    idle_limit = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    if started is None:
        session["_started"] = session["_seen"] = now
    elif now - started > absolute or now - (seen or started) > idle_limit:
        session.clear()  # a valid remember-me cookie may start a fresh session; nothing else does
    elif seen is None or now - seen > 60:
        session["_seen"] = now


def _unread_count() -> int:
    return notifications_service.unread_count(current_user) if current_user.is_authenticated else 0


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response
