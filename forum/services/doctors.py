"""Doctors: public profiles, the directory, the doctor's dashboard, reviewer choices, the
languages a doctor speaks."""
from __future__ import annotations

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _l, current_locale
from forum.models import (
    Answer, DoctorLanguage, DoctorProfile, Invitation, Question, Specialty, User, VerificationStatus,
)
from forum.models.qa import question_topics
from forum.pagination import Page, paginate
from forum.permissions import can, require
from forum.services import accounts, consultations, medical_reviews, review_queries, stats

DIRECTORY_SORTS = {
    "answers": lambda: [DoctorProfile.answer_count, DoctorProfile.id],
    "helpful": lambda: [DoctorProfile.helpful_count, DoctorProfile.id],
    "newest": lambda: [DoctorProfile.id],
}
# The languages a doctor may say they speak: ISO 639-1 codes, with the English name (shown in the
# reader's language through Babel's locale data; the English name is the fallback).
LANGUAGES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "hi": "Hindi",
    "it": "Italian", "ko": "Korean", "pt": "Portuguese", "ru": "Russian", "tl": "Tagalog", "vi": "Vietnamese",
    "zh": "Chinese",
}
# The specialties' names as people read them (the values are the stored and API ones).
SPECIALTY_NAMES = {"dermatology": _l("Dermatology"), "plastic surgery": _l("Plastic surgery"),
                   "facial plastic surgery": _l("Facial plastic surgery"),
                   "oculoplastic surgery": _l("Oculoplastic surgery"), "cosmetic surgery": _l("Cosmetic surgery"),
                   "other": _l("Other")}
UNKNOWN_LANGUAGE = _l("Choose languages from the list.")
NO_LANGUAGE = _l("Choose at least one language you speak.")
UNKNOWN_FILTER_LANGUAGE = _l("Choose a language from the list.")


def specialty_name(specialty) -> str:
    value = getattr(specialty, "value", specialty)
    return SPECIALTY_NAMES.get(value) or str(value).capitalize()


def specialty_choices() -> list[tuple]:
    """(value, name) pairs for a select, in the Specialty order; the names are lazy (module-level use)."""
    return [(s.value, SPECIALTY_NAMES.get(s.value, s.value.capitalize())) for s in Specialty]


def language_name(code: str, *, capital: bool = False) -> str:
    """A language's name in the reader's language ("Spanish", "español"); `capital` for a label."""
    name = Locale.parse(current_locale()).languages.get(code) or LANGUAGES.get(code, code)
    return name[:1].upper() + name[1:] if capital else name


def language_choices() -> list[dict]:
    """Every supported language as {"slug": code, "name": label}, sorted by name in the reader's language."""
    return sorted(({"slug": code, "name": language_name(code, capital=True)} for code in LANGUAGES),
                  key=lambda item: item["name"].casefold())


def checked_languages(codes) -> list[str]:
    """The codes, de-duplicated and sorted, or Invalid on the "languages" field: an unknown code or none."""
    codes = [str(code).strip().lower() for code in (codes or [])]
    if any(code not in LANGUAGES for code in codes):
        raise Invalid(fields={"languages": [str(UNKNOWN_LANGUAGE)]})
    if not codes:
        raise Invalid(fields={"languages": [str(NO_LANGUAGE)]})
    return sorted(set(codes))


def _language_rows(profile: DoctorProfile | None, codes: list[str]) -> list[DoctorLanguage]:
    """Rows for `codes`, keeping the profile's existing ones (so a code kept is not deleted and re-inserted)."""
    kept = {row.language: row for row in (profile.languages if profile is not None else [])}
    return [kept.get(code) or DoctorLanguage(language=code) for code in codes]


def set_languages(actor: User, languages) -> DoctorProfile:
    """A doctor or applicant says which languages they speak (at least one, from LANGUAGES)."""
    profile = actor.doctor_profile
    require(actor, "doctor.edit_photo", profile)  # the same "own profile, not refused or suspended" rule
    profile.languages = _language_rows(profile, checked_languages(languages))
    db.session.commit()
    return profile


def apply(actor: User, *, languages=None, **details) -> DoctorProfile:
    """A member applies as a doctor (services/accounts.py) with the languages they speak; none
    given: the language the site is shown in."""
    codes = checked_languages(languages or [current_locale()])
    return accounts.apply_as_doctor(actor, languages=_language_rows(actor.doctor_profile, codes), **details)


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
            "language_names": [language_name(row.language) for row in profile.languages],
            "median_response_hours": consultations.median_response_hours(profile)}


def list_doctors(*, specialty=None, location: str | None = None, language: str | None = None,
                 sort: str = "answers", cursor: str | None = None, limit: int = 20) -> Page:
    """Verified doctors, filtered by specialty, location and a language they speak, sorted by
    answers or helpful votes."""
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED)
            .options(selectinload(DoctorProfile.credential_checks), selectinload(DoctorProfile.topics)))
    if specialty:
        stmt = stmt.where(DoctorProfile.specialty == specialty)
    if language:
        if language not in LANGUAGES:
            raise Invalid(fields={"language": [str(UNKNOWN_FILTER_LANGUAGE)]})
        stmt = stmt.where(DoctorProfile.languages.any(DoctorLanguage.language == language))
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
