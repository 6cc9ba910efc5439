"""The language switcher on every page: a visitor's choice lives in the `lang` cookie (a GET that
sets it and goes back, so shared pages stay cacheable); a signed-in user's is saved to their account."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, request, url_for
from flask_login import current_user, login_required

from forum.i18n import COOKIE, LOCALES, NAMES, _, current_locale, force_locale, supported
from forum.services import accounts as accounts_service
from forum.web.auth import safe_next

bp = Blueprint("language", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/language/<code>")
def choose(code: str):
    """A visitor's switch: remember the language in a cookie and go back to the page."""
    if supported(code) != code:
        abort(404)
    return _remembered(redirect(safe_next()), code)


@bp.post("/language")
@login_required
def save():
    """A signed-in user's switch: saved to their account, so e-mails follow it too."""
    locale = supported(request.form.get("locale"))
    if locale is None:
        abort(422)
    accounts_service.set_locale(current_user, locale)
    with force_locale(locale):
        flash(_("Language saved: %(language)s.", language=NAMES[locale]), "success")
    return _remembered(redirect(safe_next()), locale)


def _remembered(response: Response, locale: str) -> Response:
    response.set_cookie(COOKIE, locale, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def _without_lang() -> str:
    """This page's path and query, minus any `lang` choice (the switcher's own choice replaces it)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def language_links() -> list[dict]:
    """The switcher's entries: each language, in its own name, with where choosing it goes."""
    here = "/" if g.get("error_page") else _without_lang()
    return [{"code": code, "name": NAMES[code], "current": code == current_locale(), "next": here,
             "href": url_for("language.choose", code=code, next=here)} for code in LOCALES]

