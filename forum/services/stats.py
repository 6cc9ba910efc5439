"""Stored aggregates: home-page counts, and per topic or treatment the doctors answering there and
the median time to a first answer. `refresh_all` (the periodic job, `forum refresh-stats`)
computes them over all rows; pages read one stored row, so their cost does not grow with data."""
from __future__ import annotations

import statistics
from collections import defaultdict

from sqlalchemy import func, select

from forum import cache, clock
from forum.extensions import db
from forum.models import (
    Aggregate, Answer, DoctorProfile, Question, Topic, Treatment, VerificationStatus, question_topics,
    question_treatments,
)

DOCTORS_PER_SUBJECT = 6
MEDIAN_SAMPLE = 500
POPULAR = 8


def _home_counts() -> dict:
    return {
        "verified_doctors": db.session.scalar(select(func.count()).select_from(DoctorProfile).where(
            DoctorProfile.status == VerificationStatus.VERIFIED)) or 0,
        "doctor_answers": db.session.scalar(select(func.count()).select_from(Answer)
                                            .join(Question, Question.id == Answer.question_id)
                                            .where(Answer.hidden.is_(False), Question.hidden.is_(False))) or 0,
        "answered_questions": db.session.scalar(select(func.count()).select_from(Question).where(
            Question.hidden.is_(False), Question.answer_count > 0)) or 0,
    }


def _doctors_by_subject(link, column) -> dict[int, list[int]]:
    """For each subject, the verified doctors (profile ids) with most visible answers there."""
    counts = db.session.execute(
        select(column, DoctorProfile.id, func.count())
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(link, link.c.question_id == Answer.question_id)
        .join(DoctorProfile, DoctorProfile.user_id == Answer.author_id)
        .where(Answer.hidden.is_(False), Question.hidden.is_(False),
               DoctorProfile.status == VerificationStatus.VERIFIED)
        .group_by(column, DoctorProfile.id)).all()
    ranked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for subject_id, profile_id, n in counts:
        ranked[subject_id].append((-n, profile_id))
    return {sid: [pid for _n, pid in sorted(rows)[:DOCTORS_PER_SUBJECT]] for sid, rows in ranked.items()}


def _median_first_answer_hours(topic_id: int) -> float | None:
    """Median hours from asking to the first doctor answer over the topic's newest answered questions."""
    rows = db.session.execute(
        select(Question.created_at, Question.first_answer_at)
        .join(question_topics, question_topics.c.question_id == Question.id)
        .where(question_topics.c.topic_id == topic_id, Question.hidden.is_(False),
               Question.first_answer_at.is_not(None))
        .order_by(question_topics.c.question_id.desc()).limit(MEDIAN_SAMPLE)).all()
    if not rows:
        return None
    return round(statistics.median((a - q).total_seconds() / 3600 for q, a in rows), 1)


def _popular() -> dict:
    """Topic and treatment slugs by how many visible questions they have, most first."""
    def ranked(link, column, model) -> list[str]:
        rows = db.session.execute(
            select(model.slug, func.count()).select_from(link)
            .join(Question, Question.id == link.c.question_id).join(model, model.id == column)
            .where(Question.hidden.is_(False)).group_by(model.slug).order_by(func.count().desc(), model.slug)).all()
        return [slug for slug, _n in rows[:POPULAR]]
    return {"topics": ranked(question_topics, question_topics.c.topic_id, Topic),
            "treatments": ranked(question_treatments, question_treatments.c.treatment_id, Treatment)}


def popular() -> dict:
    """As stored by the last refresh ({"topics": [], "treatments": []} before it)."""
    return read("popular") or {"topics": [], "treatments": []}


def _store(key: str, value: dict) -> None:
    row = db.session.get(Aggregate, key) or Aggregate(key=key)
    row.value, row.computed_at = value, clock.now()
    db.session.add(row)


def refresh_all() -> int:
    """Recompute every stored aggregate from scratch (idempotent); returns how many were stored."""
    _store("home", _home_counts())
    _store("popular", _popular())
    topic_doctors = _doctors_by_subject(question_topics, question_topics.c.topic_id)
    treatment_doctors = _doctors_by_subject(question_treatments, question_treatments.c.treatment_id)
    stored = 2
    for topic_id in db.session.scalars(select(Topic.id)):
        _store(f"topic:{topic_id}", {"doctors": topic_doctors.get(topic_id, []),
                                     "median_hours": _median_first_answer_hours(topic_id)})
        stored += 1
    for treatment_id in db.session.scalars(select(Treatment.id)):
        _store(f"treatment:{treatment_id}", {"doctors": treatment_doctors.get(treatment_id, [])})
        stored += 1
    db.session.commit()
    cache.bump(cache.TAG_CONTENT)  # pages showing these numbers are rendered again
    return stored


def read(key: str) -> dict:
    """A stored aggregate ({} until the first refresh)."""
    row = db.session.get(Aggregate, key)
    return dict(row.value) if row is not None else {}


def home_counts() -> dict:
    """The home page's counts as of the last refresh; counted on the spot (without storing: a GET
    never writes) only before the first refresh."""
    return read("home") or _home_counts()
