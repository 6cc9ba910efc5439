"""Site-wide facts: home-page counts, the sitemap and the health check."""
from __future__ import annotations

import time

from flask import current_app

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.services import questions, reference
from forum.text import slugify
from forum.models import (
    Answer, Article, ArticleStatus, DoctorProfile, Question, Topic, Treatment, VerificationStatus,
)

STATS_TTL_SECONDS = 60


def home_stats() -> dict:
    """Home-page counts. Each is one indexed COUNT, and the result is kept for a minute per
    process, so a busy home page costs at most one round of counts a minute."""
    cache = current_app.extensions.setdefault("forum_home_stats", {})
    if cache.get("expires", 0) > time.monotonic():
        return cache["stats"]
    stats = {
        "verified_doctors": db.session.scalar(select(func.count()).select_from(DoctorProfile).where(
            DoctorProfile.status == VerificationStatus.VERIFIED)) or 0,
        "doctor_answers": db.session.scalar(select(func.count()).select_from(Answer)
                                            .join(Question, Question.id == Answer.question_id)
                                            .where(Answer.hidden.is_(False), Question.hidden.is_(False))) or 0,
        "answered_questions": db.session.scalar(select(func.count()).select_from(Question).where(
            Question.hidden.is_(False), Question.answer_count > 0)) or 0,
    }
    cache.update(expires=time.monotonic() + STATS_TTL_SECONDS, stats=stats)
    return stats


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
    return entries


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def home_page() -> dict:
    """Everything the home page shows: counts, featured reference posts, topics."""
    return {"stats": home_stats(), "featured": reference.featured_articles(limit=3), "topics": reference.list_topics(),
            "recent": questions.recently_answered(limit=5)}
