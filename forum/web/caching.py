"""HTTP caching of public pages: visitors share rendered pages (kept in the shared cache, checked
before the view runs) with ETag, Last-Modified and `Cache-Control: public`; signed-in users get
`private` responses that revalidate; private areas get `no-store`. A conditional GET whose
validator still matches gets 304."""
from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum import cache
from forum.i18n import visitor_locale
from forum.services import questions

# Photos live under random names, so a public one never changes. A doctor's portrait is replaced,
# never withdrawn: shared caches may keep it a year. A member's photo (in a question or a review)
# may be hidden by a moderator after it was served: shared caches keep it an hour at most.
PORTRAIT_CACHE = "public, max-age=31536000, immutable"
MEMBER_PHOTO_CACHE = "public, max-age=3600"


def photo_response(data: bytes, content_type: str, public: bool, public_cache: str = MEMBER_PHOTO_CACHE) -> Response:
    """A photo with its own Cache-Control: `public_cache` when anyone may see it, else never stored."""
    g.own_cache_control = True
    return Response(data, mimetype=content_type, headers={
        "Cache-Control": public_cache if public else "private, no-store", "Content-Disposition": "inline"})


# Public pages and API reads that are the same for every visitor. The question page depends on
# its own question and on reference content; everything else on any public content.
QUESTION_ENDPOINTS = {"questions.show", "api_questions.get_question"}
CACHEABLE = QUESTION_ENDPOINTS | {
    "main.index", "questions.index", "reference.topics", "reference.topic", "reference.treatments",
    "reference.treatment", "reference.articles", "reference.article", "reference.sitemap", "doctors.index",
    "doctors.show", "search.index", "search.feed", "api_questions.list_questions", "api_questions.search_content",
    "api_questions.similar", "api_doctors.get_doctor", "api_doctors.list_doctors", "api_reference.Topics",
    "api_reference.TopicBySlug", "api_reference.Treatments", "api_reference.TreatmentBySlug",
    "api_reference.Articles", "api_reference.ArticleBySlug",
    "members.show", "api_members.get_member", "api_members.member_questions",
}
# Never kept anywhere: health data, account settings and tokens, inboxes, moderation.
NO_STORE_PREFIXES = ("/consultations", "/api/v1/consultations", "/account", "/api/v1/account", "/notifications",
                     "/api/v1/notifications", "/mod", "/api/v1/mod", "/doctor/", "/api/v1/doctor", "/api/v1/me",
                     "/api/v1/tokens", "/reset-password", "/verify-email", "/unsubscribe")


def register_caching(app: Flask) -> None:
    if app.config.get("SQL_COUNT_HEADER"):
        app.before_request(_start_sql_count)
        if not event.contains(Engine, "before_cursor_execute", _count_statement):
            event.listen(Engine, "before_cursor_execute", _count_statement)
        app.after_request(_sql_count_header)
    app.before_request(serve_cached_page)
    app.after_request(cache_headers)


def _is_visitor() -> bool:
    """No session user, no remember-me cookie, no bearer token, no message waiting to be shown."""
    if "Authorization" in request.headers or current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies:
        return False
    return "_user_id" not in session and "_flashes" not in session


def _served_host() -> bool:
    """Pages are shared only for the site's own host (SITE_URL, or TRUSTED_HOSTS when set), so
    odd Host headers can neither fill the cache nor have their links served to others."""
    hosts = set(current_app.config.get("TRUSTED_HOSTS") or ())
    hosts.add(urlsplit(current_app.config["SITE_URL"]).netloc)
    return request.host in hosts


def _tags() -> list[str]:
    if request.endpoint in QUESTION_ENDPOINTS:
        return [f"q:{request.view_args.get('question_id')}", cache.TAG_REFERENCE]
    return [cache.TAG_CONTENT]


def serve_cached_page():
    """Answer a visitor's GET from the shared page cache when a current copy is there."""
    if (request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE
            or current_app.config["PAGE_CACHE_SECONDS"] <= 0 or not _is_visitor() or not _served_host()):
        return None
    # a visitor's language (?lang=, the lang cookie or Accept-Language) picks one of the copies
    key = cache.page_key(_tags(), f"{visitor_locale()} {request.scheme}://{request.host}{request.full_path}")
    if key is None:
        return None
    page = cache.get_page(key)
    if page is None:
        g.page_cache_key = key  # cache_headers stores the page this request renders
        return None
    if request.endpoint in QUESTION_ENDPOINTS:
        questions.record_view(request.view_args["question_id"])
    g.page_cache_hit = True
    response = Response(page.body, mimetype=page.mimetype)
    _public(response, page.etag, page.last_modified)
    return response.make_conditional(request)


def _public(response: Response, etag: str, last_modified: float) -> None:
    response.set_etag(etag)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['PUBLIC_MAX_AGE'])}"
    response.vary.update(("Cookie", "Authorization", "Accept-Language"))


def _storable(response: Response) -> bool:
    """Rendered for nobody in particular: no cookie set, no session data, no CSRF token in it."""
    return (response.status_code == 200 and not response.direct_passthrough and "Set-Cookie" not in response.headers
            and not session.modified and "csrf_token" not in g and _is_visitor())


def cache_headers(response: Response) -> Response:
    """Cache-Control, validators and the page cache, by audience."""
    if g.pop("page_cache_hit", False) or g.pop("own_cache_control", False):  # e.g. a public photo's own headers
        return response
    key = g.pop("page_cache_key", None)
    private = request.path.startswith(NO_STORE_PREFIXES)
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response
    signed_in = "_user_id" in session or "Authorization" in request.headers
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        if signed_in:
            response.headers["Cache-Control"] = "no-store"
        return response
    if key is not None and _storable(response):
        body = response.get_data()
        page = cache.CachedPage(body, response.mimetype, hashlib.blake2b(body, digest_size=16).hexdigest(),
                                float(int(time.time())))
        cache.set_page(key, page)
        _public(response, page.etag, page.last_modified)
        return response.make_conditional(request)
    if signed_in and request.endpoint not in CACHEABLE:  # their own forms, settings and tokens
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


def _start_sql_count() -> None:
    g.sql_statements = 0


def _count_statement(_conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    if has_app_context() and "sql_statements" in g:
        g.sql_statements += 1


def _sql_count_header(response: Response) -> Response:
    response.headers["X-SQL-Statements"] = str(g.get("sql_statements", 0))
    return response
