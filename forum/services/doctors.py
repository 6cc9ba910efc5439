"""Doctors: public profiles, the directory, the doctor's dashboard, reviewer choices."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Answer, DoctorProfile, Invitation, Question, User, VerificationStatus
from forum.models.qa import question_topics
from forum.pagination import Page, paginate
from forum.permissions import can, require
from forum.services import consultations, medical_reviews, review_queries, stats

DIRECTORY_SORTS = {
    "answers": lambda: [DoctorProfile.answer_count, DoctorProfile.id],
    "helpful": lambda: [DoctorProfile.helpful_count, DoctorProfile.id],
    "newest": lambda: [DoctorProfile.id],
}


def get_doctor(viewer: User | None, profile_id: int) -> DoctorProfile:
    """A doctor's public profile; applications not yet verified are "not found" to the public."""
    profile = db.session.scalar(select(DoctorProfile).where(DoctorProfile.id == profile_id)
                                .options(selectinload(DoctorProfile.credential_checks),
                                         selectinload(DoctorProfile.topics)))
    if profile is None or not can(viewer, "doctor.view_profile", profile):
        raise NotFound()
    return profile


def profile_page(viewer: User | None, profile_id: int | None = None, *, profile: DoctorProfile | None = None,
                 review_page: int = 1) -> dict:
    """A public profile with the doctor's recent visible answers, rating summary and one page of
    published reviews (pass `profile` when already loaded; a review page past the last is not found)."""
    profile = profile or get_doctor(viewer, profile_id)
    reviews = review_queries.doctor_reviews(viewer, profile.id, page=review_page)
    recent = list(db.session.scalars(
        select(Answer).join(Question).where(Answer.author_id == profile.user_id, Answer.hidden.is_(False),
                                            Question.hidden.is_(False))
        .options(selectinload(Answer.question)).order_by(Answer.id.desc()).limit(10)))
    return {"doctor": profile, "recent_answers": recent, "reviews": reviews,
            "rating": review_queries.rating_of(profile.user_id),
            "median_response_hours": consultations.median_response_hours(profile)}


def list_doctors(*, specialty=None, location: str | None = None, sort: str = "answers",
                 cursor: str | None = None, limit: int = 20) -> Page:
    """Verified doctors, filtered by specialty and location, sorted by answers or helpful votes."""
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED)
            .options(selectinload(DoctorProfile.credential_checks), selectinload(DoctorProfile.topics)))
    if specialty:
        stmt = stmt.where(DoctorProfile.specialty == specialty)
    if location:
        pattern = "%" + location.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(DoctorProfile.city.ilike(pattern) | DoctorProfile.region.ilike(pattern)
                          | DoctorProfile.country.ilike(pattern))
    return paginate(stmt, columns=DIRECTORY_SORTS[sort](), cursor=cursor, limit=limit)


def reviewer_choices() -> list[DoctorProfile]:
    """Verified doctors who may be named as a post's medical reviewer."""
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED)
            .options(selectinload(DoctorProfile.credential_checks)).order_by(DoctorProfile.full_name))
    return [d for d in db.session.scalars(stmt) if d.is_verified]


def dashboard(actor: User, limit: int = 20) -> dict:
    """The doctor's work list: invitations first, then unanswered questions in their topics,
    then their recent answers and counts."""
    require(actor, "doctor.answer")
    profile = actor.doctor_profile
    mine = select(Answer.question_id).where(Answer.author_id == actor.id)
    open_for_me = (Question.hidden.is_(False), Question.locked.is_(False), Question.status != "closed",
                   Question.author_id != actor.id, Question.id.not_in(mine))
    invited = list(db.session.scalars(
        select(Question).join(Invitation, Invitation.question_id == Question.id)
        .where(Invitation.doctor_id == actor.id, *open_for_me)
        .options(selectinload(Question.topics), selectinload(Question.author))
        .order_by(Invitation.id.desc()).limit(limit)))
    topic_ids = [t.id for t in profile.topics]
    unanswered = select(Question).where(*open_for_me, Question.answer_count == 0,
                                        Question.id.not_in([q.id for q in invited]))
    if topic_ids:
        unanswered = unanswered.where(Question.id.in_(select(question_topics.c.question_id)
                                                      .where(question_topics.c.topic_id.in_(topic_ids))))
    questions = list(db.session.scalars(unanswered.options(selectinload(Question.topics), selectinload(Question.author))
                                        .order_by(Question.created_at.desc()).limit(limit)))
    recent = list(db.session.scalars(
        select(Answer).where(Answer.author_id == actor.id).options(selectinload(Answer.question))
        .order_by(Answer.id.desc()).limit(10)))
    return {"profile": profile, "invited": invited, "unanswered": questions, "recent_answers": recent,
            "topics": profile.topics, "medical_reviews": medical_reviews.pending_for(actor)}



def answering_on(*, topic_id: int | None = None, treatment_id: int | None = None) -> list[DoctorProfile]:
    """Verified doctors with most visible answers on a topic or treatment, as of the last
    aggregates refresh (services/stats.py): one stored row and one profile query per page."""
    key = f"topic:{topic_id}" if topic_id is not None else f"treatment:{treatment_id}"
    ids = stats.read(key).get("doctors", [])
    if not ids:
        return []
    profiles = {p.id: p for p in db.session.scalars(
        select(DoctorProfile).where(DoctorProfile.id.in_(ids), DoctorProfile.status == VerificationStatus.VERIFIED)
        .options(selectinload(DoctorProfile.credential_checks)))}
    return [profiles[i] for i in ids if i in profiles]
