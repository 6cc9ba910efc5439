"""hreflang alternates: the same page in each language we serve (`?lang=<code>`), and the address
without a language as "x-default", for base.html's <link rel="alternate"> and the sitemap."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, request

from forum.i18n import LOCALES, supported


def _with_lang(url: str, code: str | None) -> str:
    """`url` with its `lang` query parameter set to `code` (removed when None); other parameters kept."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "lang"]
    if code:
        query.append(("lang", code))
    return urlunsplit(parts._replace(query=urlencode(query)))


def language_alternates(url: str) -> list[tuple[str, str]]:
    """[(hreflang, absolute url)] for `url`: one per locale, then ("x-default", the url without lang)."""
    return [(code, _with_lang(url, code)) for code in LOCALES] + [("x-default", _with_lang(url, None))]


def alternate_links() -> list[tuple[str, str]]:
    """The alternates of the page being served, named by SITE_URL (never the request's Host)."""
    path = request.full_path if request.query_string else request.path
    return language_alternates(current_app.config["SITE_URL"].rstrip("/") + path)


def register_language_links(app) -> None:
    app.jinja_env.globals.update(alternate_links=alternate_links, language_alternates=language_alternates)


def kept_language() -> dict:
    """{"lang": code} when the request asked for a language by address, for a redirect to keep it."""
    code = supported(request.args.get("lang"))
    return {"lang": code} if code else {}
