"""The "following" page's activity: new visible questions in the topics and treatments a member
follows, and new answers by the doctors they follow or in those topics and treatments, newest first.
Reads only. An anonymous question never names its asker here, not even to staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, or_, select
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.i18n import _
from forum.models import Answer, DoctorProfile, FollowKind, Question, User
from forum.permissions import can, require, visible_answers, visible_questions
from forum.services import questions
from forum.services.following import followed_ids

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


@dataclass(frozen=True)
class Activity:
    kind: str              # "question" or "answer"
    at: datetime
    question: Question
    answer: Answer | None
    asker: str             # who asked, as the public may see it
    doctor: DoctorProfile | None  # who answered


def _asker(question: Question) -> str:
    if not can(None, "question.see_asker", question):  # as the public sees it, whoever reads the feed
        return _("an anonymous member")
    return question.author.display_name if question.author is not None else _("a deleted user")


def _doctor_user_ids(actor: User) -> list[int]:
    ids = followed_ids(actor, FollowKind.DOCTOR)
    if not ids:
        return []
    profiles = db.session.scalars(select(DoctorProfile).where(DoctorProfile.id.in_(ids)))
    return [p.user_id for p in profiles if can(actor, "doctor.view_profile", p)]


VISIBLE_QUESTION = (visible_questions(None),)  # as the public sees them


def _questions(in_subjects, limit: int) -> list[Question]:
    stmt = (select(Question).where(*VISIBLE_QUESTION, in_subjects)
            .options(selectinload(Question.author), selectinload(Question.topics), selectinload(Question.treatments))
            .order_by(Question.created_at.desc(), Question.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def _answers(in_subjects, doctor_user_ids: list[int], limit: int) -> list[Answer]:
    by_doctor = Answer.author_id.in_(doctor_user_ids) if doctor_user_ids else false()
    stmt = (select(Answer).join(Question, Question.id == Answer.question_id)
            .where(visible_answers(None), *VISIBLE_QUESTION,
                   or_(by_doctor, in_subjects))
            .options(selectinload(Answer.question).selectinload(Question.author),
                     selectinload(Answer.author).selectinload(User.doctor_profile))
            .order_by(Answer.created_at.desc(), Answer.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def activity(actor: User, *, limit: int = DEFAULT_LIMIT) -> list[Activity]:
    """The actor's followed activity, newest first, at most `limit` items (1..100)."""
    require(actor, "account.use")
    limit = max(1, min(int(limit), MAX_LIMIT))
    in_subjects = questions.in_any_subject(followed_ids(actor, FollowKind.TOPIC),
                                           followed_ids(actor, FollowKind.TREATMENT))
    doctors = _doctor_user_ids(actor)
    items = [Activity("question", q.created_at, q, None, _asker(q), None) for q in _questions(in_subjects, limit)]
    items += [Activity("answer", a.created_at, a.question, a, _asker(a.question),
                       a.author.doctor_profile if a.author is not None else None)
              for a in _answers(in_subjects, doctors, limit)]
    items.sort(key=lambda i: (i.at, i.kind == "answer", i.answer.id if i.answer else i.question.id), reverse=True)
    return items[:limit]
