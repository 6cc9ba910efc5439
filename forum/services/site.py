"""Site-wide facts: home-page counts, the sitemap and the health check."""
from __future__ import annotations

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from forum import cache
from forum.extensions import db
from forum.services import questions, reference, stats
from forum.text import render_markdown, slugify
from forum.models import (
    Answer, Article, ArticleStatus, DoctorProfile, FollowUp, Question, SitePage, Topic, Treatment,
    VerificationStatus,
)

def home_stats() -> dict:
    """Home-page counts, stored by the periodic aggregates refresh (services/stats.py)."""
    return stats.home_counts()


def sitemap_entries() -> list[tuple[str, str, object]]:
    """(endpoint, slug-or-id, last-modified) for every public page worth indexing."""
    entries: list = []
    for slug, updated in db.session.execute(select(Article.slug, Article.updated_at).where(
            Article.status == ArticleStatus.PUBLISHED)):
        entries.append(("reference.article", {"slug": slug}, updated))
    for slug, updated in db.session.execute(select(Topic.slug, Topic.updated_at)):
        entries.append(("reference.topic", {"slug": slug}, updated))
    for slug, updated in db.session.execute(select(Treatment.slug, Treatment.updated_at)):
        entries.append(("reference.treatment", {"slug": slug}, updated))
    for question_id, title, updated in db.session.execute(select(
            Question.id, Question.title, Question.last_activity_at).where(Question.hidden.is_(False))
            .order_by(Question.id.desc()).limit(40_000)):
        entries.append(("questions.show", {"question_id": question_id, "slug": slugify(title)}, updated))
    for doctor_id, name, updated in db.session.execute(select(
            DoctorProfile.id, DoctorProfile.full_name, DoctorProfile.decided_at).where(
            DoctorProfile.status == VerificationStatus.VERIFIED)):
        entries.append(("doctors.show", {"doctor_id": doctor_id, "slug": slugify(name)}, updated))
    for slug, updated in db.session.execute(select(SitePage.slug, SitePage.updated_at).order_by(SitePage.slug)):
        entries.append(("pages.contact", {}, updated) if slug == "contact" else ("pages.show", {"slug": slug}, updated))
    return entries


RENDERED_TEXTS = ((Question, "body"), (Answer, "body"), (FollowUp, "body"), (Article, "body"), (DoctorProfile, "bio"))


def rerender_markdown(batch: int = 1000) -> int:
    """Render every stored Markdown text again (the renderer or its allow-list changed); only rows
    whose HTML differs are written. Returns how many changed."""
    changed = 0
    for model, field in RENDERED_TEXTS:
        source, target = getattr(model, field), getattr(model, f"{field}_html")
        last_id = 0
        while True:
            rows = db.session.execute(select(model.id, source, target).where(model.id > last_id)
                                      .order_by(model.id).limit(batch)).all()
            if not rows:
                break
            last_id = rows[-1][0]
            updates = [{"row_id": row_id, "html": html} for row_id, text_, old in rows
                       if (html := str(render_markdown(text_)) if text_ else "") != old]
            if updates:
                table = model.__table__
                db.session.execute(update(table).where(table.c.id == bindparam("row_id"))
                                   .values({f"{field}_html": bindparam("html")}), updates)
                changed += len(updates)
            db.session.commit()
    if changed:
        cache.bump(cache.TAG_CONTENT, cache.TAG_REFERENCE)  # bulk updates pass the ORM's bookkeeping
    return changed


def optimize_database() -> None:
    """Refresh planner statistics so indexes are chosen well as data grows (daily job)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA optimize"))
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def readiness() -> dict:
    """What /readyz reports: whether the database and Redis answer."""
    return {"database": database_ok(), "redis": cache.reachable()}


# Treatments the home page features (a few in-office ones people ask about most), in this order;
# any that are missing are made up from the rest of the list.
FEATURED_TREATMENTS = ("microneedling", "fractional-non-ablative-laser", "chemical-peel", "micro-botox")


def featured_treatments(limit: int = 4) -> list:
    """A few treatments for the home page, from the kept list (no query when it is warm)."""
    every = reference.list_treatments()
    chosen = [t for slug in FEATURED_TREATMENTS for t in every if t.slug == slug]
    chosen += [t for t in every if t not in chosen]
    return chosen[:limit]


def home_page() -> dict:
    """Everything the home page shows: counts, recently answered questions, featured treatments
    and reference posts, topics."""
    return {"stats": home_stats(), "featured": reference.featured_articles(limit=3), "topics": reference.list_topics(),
            "recent": questions.recently_answered(limit=5), "treatments": featured_treatments()}
