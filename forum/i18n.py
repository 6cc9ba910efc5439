"""Languages: which locale a request is served in, and the Babel formatting the templates use.

The locale comes, in order, from `?lang=` (the address hreflang alternates point at), the signed-in
user's setting, the `lang` cookie the switcher sets, then `Accept-Language`; English otherwise.
Strings go through gettext (`_`, `ngettext`, `_l` for module-level text), whose catalogs live in
forum/translations/ (compiled with `pybabel compile -d forum/translations`)."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone

from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, format_currency, format_date, format_datetime, format_decimal
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user

from forum.config import ROOT

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
NAMES = {"en": "English", "es": "Español"}  # each language in its own name, for the switcher
COOKIE = "lang"
_ = gettext
_l = lazy_gettext
babel = Babel()

__all__ = ["LOCALES", "NAMES", "force_locale", "gettext", "lazy_gettext", "ngettext", "_", "_l", "current_locale",
           "request_locale", "supported", "init_i18n"]


def supported(value: str | None) -> str | None:
    """`value` when it is a locale we serve ("es", "es-MX" -> "es"), else None."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LOCALES else None


def request_locale() -> str:
    """The locale of this request (see the module docstring); English outside a request."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = supported(request.args.get("lang"))
    if chosen:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and supported(current_user.locale):
        return supported(current_user.locale)
    return supported(request.cookies.get(COOKIE)) or request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def visitor_locale() -> str:
    """The locale a visitor (no session) gets: the same rules without the user's setting, which the
    page cache uses in its key before any user is loaded."""
    if not has_request_context():
        return DEFAULT_LOCALE
    return (supported(request.args.get("lang")) or supported(request.cookies.get(COOKIE))
            or request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE)


def current_locale() -> str:
    """The locale strings are being translated into now (a forced one inside force_locale)."""
    return str(get_locale() or DEFAULT_LOCALE)


# ---- formatting (Jinja filters) ----

def fdate(value: date | datetime | None, style: str = "long") -> str:
    """3 December 2026 / 3 de diciembre de 2026; "short" gives 03/12/2026-style numbers."""
    return format_date(value, style) if value else ""


def fdatetime(value: datetime | None, style: str = "medium") -> str:
    """A stored (naive UTC) moment in the reader's locale, in UTC."""
    if not value:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return format_datetime(aware, style)


def fmonth(value: date | None) -> str:
    """December 2026 / diciembre de 2026."""
    return format_date(value, "MMMM y") if value else ""


def fnumber(value) -> str:
    return format_decimal(value or 0)


def money(amount, currency: str | None) -> str:
    """$1,200 / 1200 US$ per locale; an amount without a currency is just the number."""
    if amount is None:
        return ""
    return format_currency(amount, currency, format_type="standard") if currency else fnumber(amount)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "forum" / "translations")
    babel.init_app(app, locale_selector=request_locale)
    app.jinja_env.filters.update(fdate=fdate, fdatetime=fdatetime, fmonth=fmonth, fnumber=fnumber, money=money)
    app.jinja_env.globals.update(LOCALES=LOCALES, LOCALE_NAMES=NAMES, current_locale=current_locale)


# ---- compiled catalogs ----
CATALOG_DIR = ROOT / "forum" / "translations"


def stale_catalogs() -> list[str]:
    """Locales whose compiled catalog (.mo) is missing or older than its .po: their pages would be English."""
    stale = []
    for code in LOCALES[1:]:
        po = CATALOG_DIR / code / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            stale.append(code)
    return stale


def compile_catalogs() -> None:
    """`pybabel compile -d forum/translations`, in-process (tests; `forum compile-translations`).
    Each .mo is written beside and then renamed, so two processes never read half a file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for code in stale_catalogs():
        po = CATALOG_DIR / code / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as file:
            catalog = read_po(file, locale=code)
        partial = po.with_name(f"messages.{os.getpid()}.mo.tmp")
        with partial.open("wb") as file:
            write_mo(file, catalog)
        os.replace(partial, po.with_suffix(".mo"))
