"""Trust pages (About, How we verify doctors, Privacy...): reading one, and writing one from its seed file."""
from __future__ import annotations

from sqlalchemy import select

from forum.errors import NotFound
from forum.extensions import db
from forum.i18n import _l
from forum.models import SitePage
from forum.services.translations import localized

# The pages the footer links to, in its order: slug -> the footer's label.
TRUST_PAGES = {
    "about": _l("About us"),
    "how-we-verify-doctors": _l("How we verify doctors"),
    "editorial-policy": _l("Editorial and medical review policy"),
    "privacy": _l("Privacy notice"),
    "terms": _l("Terms of use"),
    "contact": _l("Contact us"),
}


def get_page(slug: str) -> SitePage:
    """A page loaded from seed/pages/; NotFound until `forum seed` has loaded it."""
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug))
    if page is None:
        raise NotFound()
    return localized(page, "page")


def apply_page(page: SitePage | None, data: dict) -> SitePage:
    """Create or update a page from its validated seed record. Runs in the caller's transaction."""
    page = page or SitePage(slug=data["slug"])
    for key in ("title", "summary", "body", "reviewed_on"):
        setattr(page, key, data[key])
    db.session.add(page)
    return page
