"""Questions: ask, edit, browse, the question page, similar questions, follows and invitations."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from forum import clock, mail
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.models import (
    Answer, AnswerReview, DoctorProfile, Follow, FollowUp, Invitation, Question, Topic, Treatment, User,
    VerificationStatus, question_topics, question_treatments,
)
from forum.pagination import Page, paginate
from forum.permissions import can, require, visible_answers, visible_questions
from forum.services import notifications, reference, search, spam, triage
from forum.services.reference import by_slugs

SORT_COLUMNS = {
    "newest": lambda: [Question.created_at, Question.id],
    "active": lambda: [Question.last_activity_at, Question.id],
    "helpful": lambda: [Question.helpful_count, Question.id],
}
MAX_INVITES = 3
DUPLICATE_WINDOW = timedelta(minutes=5)


@dataclass
class AskResult:
    question: Question
    red_flags: list[str]


def get_question(viewer: User | None, question_id: int) -> Question:
    """A question the viewer may see; hidden ones are "not found" to everyone else."""
    question = db.session.get(Question, question_id)
    if question is None or not can(viewer, "question.view", question):
        raise NotFound()
    return question


def _link_subjects(question: Question, data: dict) -> None:
    question.topics = by_slugs(Topic, data.get("topics", []), "topics")
    question.treatments = by_slugs(Treatment, data.get("treatments", []), "treatments")


def ask_question(actor: User, *, title: str, body: str, topics: list[str], treatments: list[str],
                 anonymous: bool = False) -> AskResult:
    """A member asks; the asker follows it automatically. Text matching a safety red flag marks
    the question urgent (moderators see it first) and the caller shows the urgent-care notice."""
    require(actor, "question.ask")
    spam.check_links(actor, "body", title, body)
    recent = db.session.scalar(select(Question.id).where(
        Question.author_id == actor.id, Question.title == title,
        Question.created_at > clock.now() - DUPLICATE_WINDOW))
    if recent is not None:
        raise Invalid("You asked this a moment ago.", fields={"title": ["You asked this a moment ago."]})
    flags = triage.red_flags(title, body)
    question = Question(author=actor, title=title, body=body, anonymous=anonymous, urgent=bool(flags),
                        last_activity_at=clock.now())
    _link_subjects(question, {"topics": topics, "treatments": treatments})
    db.session.add(question)
    db.session.flush()
    db.session.add(Follow(user_id=actor.id, question_id=question.id))
    question.follower_count = 1
    search.index_question(question)
    db.session.commit()
    return AskResult(question, flags)


def edit_question(actor: User, *, question_id: int, title: str, body: str, topics: list[str],
                  treatments: list[str], anonymous: bool | None = None) -> Question:
    """The asker edits; the last-edited time is kept and the search index follows. `anonymous`
    None keeps the current choice."""
    question = get_question(actor, question_id)
    require(actor, "question.edit", question)
    spam.check_links(actor, "body", title, body)
    # Resolve the slugs before touching the row: an unknown one must leave no half-made edit.
    chosen_topics = by_slugs(Topic, topics, "topics")
    chosen_treatments = by_slugs(Treatment, treatments, "treatments")
    question.title, question.body = title, body
    if anonymous is not None:
        question.anonymous = anonymous
    question.topics, question.treatments = chosen_topics, chosen_treatments
    question.edited_at = clock.now()
    question.urgent = question.urgent or bool(triage.red_flags(title, body))
    search.index_question(question)  # and its answers, which carry its title and topics
    db.session.commit()
    return question


def list_questions(viewer: User | None, *, topic: str | None = None, treatment: str | None = None,
                   answered: str | None = None, sort: str = "newest", cursor: str | None = None,
                   limit: int = 20, author_id: int | None = None) -> Page:
    """Visible questions, filtered and sorted, with keyset pagination (page 500 costs page 1)."""
    stmt = select(Question).where(visible_questions(viewer)).options(
        selectinload(Question.topics), selectinload(Question.treatments), selectinload(Question.author))
    if topic:
        stmt = stmt.where(Question.id.in_(select(question_topics.c.question_id).join(Topic).where(Topic.slug == topic)))
    if treatment:
        stmt = stmt.where(Question.id.in_(select(question_treatments.c.question_id).join(Treatment)
                                          .where(Treatment.slug == treatment)))
    if answered == "yes":
        stmt = stmt.where(Question.answer_count > 0)
    elif answered == "no":
        stmt = stmt.where(Question.answer_count == 0)
    if author_id is not None:
        stmt = stmt.where(Question.author_id == author_id, Question.anonymous.is_(False))
    return paginate(stmt, columns=SORT_COLUMNS[sort](), cursor=cursor, limit=limit)


def question_page(viewer: User | None, question_id: int, *, count_view: bool = True) -> dict:
    """The question with answers (accepted first, then most helpful), each with its doctor,
    reviews and follow-ups; a fixed number of queries whatever the number of answers."""
    if count_view:
        # Count first: the commit expires every loaded object, which would make the template
        # reload each answer, doctor and follow-up one by one. Hidden questions are not counted.
        db.session.execute(update(Question).where(Question.id == question_id, Question.hidden.is_(False))
                           .values(view_count=Question.view_count + 1).execution_options(synchronize_session=False))
        db.session.commit()
    question = db.session.scalar(select(Question).where(Question.id == question_id).options(
        selectinload(Question.topics), selectinload(Question.treatments), selectinload(Question.author),
        selectinload(Question.duplicate_of)))
    if question is None or not can(viewer, "question.view", question):
        raise NotFound()
    answers = db.session.scalars(
        select(Answer).where(Answer.question_id == question.id, visible_answers(viewer))
        .options(selectinload(Answer.author).selectinload(User.doctor_profile)
                 .selectinload(DoctorProfile.credential_checks),
                 selectinload(Answer.reviews).selectinload(AnswerReview.doctor).selectinload(User.doctor_profile),
                 selectinload(Answer.follow_ups).selectinload(FollowUp.author))
        .order_by(Answer.accepted.desc(), Answer.helpful_count.desc(), Answer.id)).all()
    return {"question": question, "answers": answers,
            "related": related_questions(question), "related_articles": _related_articles(question)}


def related_questions(question: Question, limit: int = 5) -> list[Question]:
    """Other visible questions sharing a topic, most recently active first."""
    topic_ids = [t.id for t in question.topics]
    if not topic_ids:
        return []
    return list(db.session.scalars(
        select(Question).where(Question.hidden.is_(False), Question.id != question.id,
                               Question.id.in_(select(question_topics.c.question_id)
                                               .where(question_topics.c.topic_id.in_(topic_ids))))
        .order_by(Question.last_activity_at.desc()).limit(limit)))


def _related_articles(question: Question):
    return reference.articles_for_subjects([t.id for t in question.topics], [t.id for t in question.treatments])


def similar_questions(title: str, limit: int = 5) -> list[search.Hit]:
    """Up to five existing questions like a title being typed."""
    return search.search(title, kind="question", limit=limit, match_any=True)


def follow_question(actor: User, *, question_id: int, follow: bool = True) -> Question:
    """Follow (or stop following) a question's answers and follow-ups."""
    question = get_question(actor, question_id)
    require(actor, "question.follow", question)
    existing = db.session.scalar(select(Follow).where(Follow.user_id == actor.id, Follow.question_id == question.id))
    if follow and existing is None:
        db.session.add(Follow(user_id=actor.id, question_id=question.id))
    elif not follow and existing is not None:
        db.session.execute(delete(Follow).where(Follow.id == existing.id))
    db.session.flush()
    question.follower_count = db.session.scalar(
        select(func.count()).select_from(Follow).where(Follow.question_id == question.id))
    db.session.commit()
    return question


def is_following(user: User | None, question: Question) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Follow.id).where(Follow.user_id == user.id,
                                                     Follow.question_id == question.id)) is not None


def invite_candidates(question: Question, limit: int = 10, doctor_ids: list[int] | None = None) -> list[DoctorProfile]:
    """Verified, active doctors whose topics match the question's (or who answered in them), who
    have not answered it yet; `doctor_ids` narrows the search to those profiles."""
    topic_ids = [t.id for t in question.topics]
    answered = select(Answer.author_id).where(Answer.question_id == question.id)
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED,
                                        DoctorProfile.user_id != question.author_id,
                                        DoctorProfile.user_id.not_in(answered))
            .options(selectinload(DoctorProfile.credential_checks), selectinload(DoctorProfile.user))
            .order_by(DoctorProfile.answer_count.desc(), DoctorProfile.id))
    answered_topic = select(Answer.author_id).join(question_topics, question_topics.c.question_id ==
                                                    Answer.question_id).where(question_topics.c.topic_id.in_(topic_ids))
    stmt = stmt.where(DoctorProfile.topics.any(Topic.id.in_(topic_ids)) | DoctorProfile.user_id.in_(answered_topic))
    if doctor_ids is not None:
        stmt = stmt.where(DoctorProfile.id.in_(doctor_ids))
    return [d for d in db.session.scalars(stmt.limit(limit)) if d.user.is_verified_doctor]


def invite_doctors(actor: User, *, question_id: int, doctor_ids: list[int]) -> list[Invitation]:
    """The asker invites up to three matching verified doctors in all; each is notified."""
    question = get_question(actor, question_id)
    require(actor, "question.invite", question)
    candidates = {d.id: d for d in invite_candidates(question, limit=len(doctor_ids) or 1, doctor_ids=doctor_ids)}
    unknown = [i for i in doctor_ids if i not in candidates]
    if unknown:
        raise Invalid(fields={"doctor_ids": ["Invite verified doctors whose topics match your question."]})
    already = set(db.session.scalars(select(Invitation.doctor_id).where(Invitation.question_id == question.id)))
    new = [candidates[i] for i in dict.fromkeys(doctor_ids) if candidates[i].user_id not in already]
    if len(already) + len(new) > MAX_INVITES:
        raise Invalid(fields={"doctor_ids": [f"You can invite at most {MAX_INVITES} doctors per question."]})
    invitations = []
    for doctor in new:
        invitations.append(Invitation(question_id=question.id, doctor_id=doctor.user_id))
        notifications.notify(doctor.user, "invitation", f"You were invited to answer: {question.title}",
                             link=f"/questions/{question.id}")
    db.session.add_all(invitations)
    db.session.commit()
    mail.flush_outbox()
    return invitations


def median_first_answer_hours(topic: Topic, sample: int = 500) -> float | None:
    """Median time from asking to the first doctor answer, over the topic's recent questions."""
    rows = db.session.execute(
        select(Question.created_at, Question.first_answer_at)
        .where(Question.hidden.is_(False), Question.first_answer_at.is_not(None),
               Question.id.in_(select(question_topics.c.question_id).where(question_topics.c.topic_id == topic.id)))
        .order_by(Question.id.desc()).limit(sample)).all()
    if not rows:
        return None
    return round(statistics.median((a - q).total_seconds() / 3600 for q, a in rows), 1)


def urgent_questions(actor: User, limit: int = 20) -> list[Question]:
    """Questions that matched a safety red flag, newest first, for the moderators' queue."""
    require(actor, "mod.access")
    return list(db.session.scalars(select(Question).where(Question.urgent.is_(True))
                                   .options(selectinload(Question.author))
                                   .order_by(Question.id.desc()).limit(limit)))



def edit_form_values(actor: User, question: Question) -> dict:
    """The edit form prefilled with the question as it stands."""
    require(actor, "question.edit", question)
    return {"title": question.title, "body": question.body, "anonymous": question.anonymous,
            "topics": [t.slug for t in question.topics], "treatments": [t.slug for t in question.treatments]}


def feed_questions(topic: str | None = None, limit: int = 30) -> list[Question]:
    """Recent public questions for the Atom feeds."""
    stmt = select(Question).where(Question.hidden.is_(False)).options(selectinload(Question.author))
    if topic:
        stmt = stmt.where(Question.id.in_(select(question_topics.c.question_id).join(Topic).where(Topic.slug == topic)))
    return list(db.session.scalars(stmt.order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)))


def recently_answered(limit: int = 5) -> list[Question]:
    """Public questions with doctor answers, most recently active first (home page)."""
    return list(db.session.scalars(
        select(Question).where(Question.hidden.is_(False), Question.answer_count > 0)
        .options(selectinload(Question.topics), selectinload(Question.author))
        .order_by(Question.last_activity_at.desc(), Question.id.desc()).limit(limit)))
