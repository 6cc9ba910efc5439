"""Answers: post, edit, accept, helpful votes, doctors' agree/disagree reviews, follow-ups."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import (
    Answer, AnswerReview, Follow, FollowUp, HelpfulVote, Question, QuestionStatus, User, Verdict,
)
from forum.permissions import can, require
from forum.services import following_fanout, notifications, revisions, search_index, spam
from forum.services.questions import get_question


def _link(answer: Answer) -> str:
    return f"/questions/{answer.question_id}#answer-{answer.id}"


def get_answer(viewer: User | None, answer_id: int) -> Answer:
    """An answer the viewer may see, on a question they may see."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or not can(viewer, "answer.view", answer) or not can(viewer, "question.view", answer.question):
        raise NotFound()
    return answer


def answer_for_edit(actor: User, answer_id: int) -> Answer:
    """The actor's own answer for the edit form; anyone else is refused before seeing a form."""
    answer = get_answer(actor, answer_id)
    require(actor, "answer.edit", answer)
    return answer


def recount_question(question: Question) -> None:
    """Recount a question's visible answers and helpful votes. Runs in the caller's transaction."""
    db.session.flush()
    visible = select(Answer).where(Answer.question_id == question.id, Answer.hidden.is_(False)).subquery()
    count, helpful = db.session.execute(select(func.count(), func.coalesce(func.sum(visible.c.helpful_count), 0))
                                        .select_from(visible)).one()
    question.answer_count, question.helpful_count = count, helpful
    if question.status != QuestionStatus.CLOSED:
        question.status = QuestionStatus.ANSWERED if count else QuestionStatus.OPEN


def recount_doctor(user: User | None) -> None:
    """Recount a doctor's visible answers and helpful votes. Runs in the caller's transaction."""
    if user is None or user.doctor_profile is None:
        return
    db.session.flush()
    count, helpful = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Answer.helpful_count), 0))
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.author_id == user.id, Answer.hidden.is_(False), Question.hidden.is_(False))).one()
    user.doctor_profile.answer_count, user.doctor_profile.helpful_count = count, helpful


def _followers(question: Question, *, except_ids: set[int]) -> list[User]:
    return list(db.session.scalars(select(User).join(Follow, Follow.user_id == User.id)
                                   .where(Follow.question_id == question.id, User.id.not_in(except_ids))))


def post_answer(actor: User, *, question_id: int, body: str, offers_treatment: bool = False,
                industry_ties: str | None = None) -> Answer:
    """A verified doctor answers an open question once; never their own. Followers are notified."""
    question = get_question(actor, question_id)
    require(actor, "answer.create", question)
    spam.check_links(actor, "body", body)
    if db.session.scalar(select(Answer.id).where(Answer.question_id == question.id,
                                                 Answer.author_id == actor.id)) is not None:
        raise Conflict(_("You already answered this question; edit your answer instead."))
    now = clock.now()
    answer = Answer(question=question, author=actor, body=body, offers_treatment=offers_treatment,
                    industry_ties=industry_ties)
    db.session.add(answer)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent double submit
        db.session.rollback()
        raise Conflict(_("You already answered this question; edit your answer instead.")) from None
    question.last_activity_at = now
    question.first_answer_at = question.first_answer_at or now
    recount_question(question)
    recount_doctor(actor)
    search_index.index_answer(answer)
    name = actor.doctor_profile.full_name
    for user in _followers(question, except_ids={actor.id}):
        notifications.notify(user, "answer_posted", _l("%(doctor)s answered: %(title)s", doctor=name,
                                                       title=question.title), link=_link(answer))
    following_fanout.announce_answer(answer)
    db.session.commit()
    return answer


def edit_answer(actor: User, *, answer_id: int, body: str, offers_treatment: bool = False,
                industry_ties: str | None = None) -> Answer:
    """The doctor edits their answer and disclosure; the edit time is shown."""
    answer = get_answer(actor, answer_id)
    require(actor, "answer.edit", answer)
    spam.check_links(actor, "body", body)
    revisions.record(answer, actor)
    answer.body, answer.offers_treatment, answer.industry_ties = body, offers_treatment, industry_ties
    answer.edited_at = clock.now()
    search_index.index_answer(answer)
    db.session.commit()
    return answer


def accept_answer(actor: User, *, answer_id: int) -> Answer:
    """The asker accepts one answer (accepting another moves the mark); the doctor is notified."""
    answer = get_answer(actor, answer_id)
    require(actor, "answer.accept", answer)
    question = answer.question
    if answer.accepted:
        return answer
    for other in question.answers:
        other.accepted = False
    answer.accepted = True
    answer.edited_after_accepted = False  # accepted as it now reads
    question.accepted_answer_id = answer.id
    question.last_activity_at = clock.now()
    if answer.author is not None:
        notifications.notify(answer.author, "answer_accepted",
                             _l("Your answer was accepted: %(title)s", title=question.title), link=_link(answer))
    db.session.commit()
    return answer


def mark_helpful(actor: User, *, answer_id: int) -> Answer:
    """One helpful vote per member per answer, never on your own."""
    answer = get_answer(actor, answer_id)
    require(actor, "answer.helpful", answer)
    exists = db.session.scalar(select(HelpfulVote.id).where(HelpfulVote.answer_id == answer.id,
                                                            HelpfulVote.user_id == actor.id))
    if exists is not None:
        raise Conflict(_("You already marked this answer helpful."))
    db.session.add(HelpfulVote(answer_id=answer.id, user_id=actor.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You already marked this answer helpful.")) from None
    answer.helpful_count = db.session.scalar(select(func.count()).select_from(HelpfulVote)
                                             .where(HelpfulVote.answer_id == answer.id))
    recount_question(answer.question)
    recount_doctor(answer.author)
    db.session.commit()
    return answer


def review_answer(actor: User, *, answer_id: int, verdict: str, reason: str | None = None) -> AnswerReview:
    """A verified doctor agrees, or disagrees with a stated reason; changing one's mind updates it."""
    answer = get_answer(actor, answer_id)
    require(actor, "answer.review", answer)
    if verdict == Verdict.DISAGREE and len(reason or "") < 10:
        raise Invalid(fields=dict(reason=[_("Say briefly why you disagree (at least 10 characters).")]))
    review = db.session.scalar(select(AnswerReview).where(AnswerReview.answer_id == answer.id,
                                                          AnswerReview.doctor_id == actor.id))
    is_new = review is None
    review = review or AnswerReview(answer_id=answer.id, doctor_id=actor.id)
    review.verdict, review.reason = Verdict(verdict), reason if verdict == Verdict.DISAGREE else None
    db.session.add(review)
    db.session.flush()
    counts = dict(db.session.execute(select(AnswerReview.verdict, func.count()).where(
        AnswerReview.answer_id == answer.id).group_by(AnswerReview.verdict)).all())
    answer.agree_count, answer.disagree_count = counts.get(Verdict.AGREE, 0), counts.get(Verdict.DISAGREE, 0)
    if is_new and answer.author is not None:
        doctor = actor.doctor_profile.full_name
        message = (_l("%(doctor)s agrees with your answer", doctor=doctor) if verdict == Verdict.AGREE
                   else _l("%(doctor)s disagrees with your answer", doctor=doctor))
        notifications.notify(answer.author, "answer_reviewed", message, link=_link(answer))
    db.session.commit()
    return review


def add_follow_up(actor: User, *, answer_id: int, body: str) -> FollowUp:
    """The asker and the answering doctor exchange follow-ups; the other one is notified."""
    answer = get_answer(actor, answer_id)
    require(actor, "followup.create", answer)
    spam.check_links(actor, "body", body)
    follow_up = FollowUp(answer=answer, author=actor, body=body)
    db.session.add(follow_up)
    answer.question.last_activity_at = clock.now()
    other_id = answer.author_id if actor.id == answer.question.author_id else answer.question.author_id
    other = db.session.get(User, other_id) if other_id else None
    if other is not None:
        notifications.notify(other, "follow_up", _l("New follow-up on: %(title)s", title=answer.question.title),
                             link=_link(answer))
    db.session.commit()
    return follow_up


def answers_by(doctor_user_id: int, limit: int = 10) -> list[Answer]:
    """A doctor's recent visible answers on visible questions."""
    return list(db.session.scalars(
        select(Answer).join(Question).where(Answer.author_id == doctor_user_id, Answer.hidden.is_(False),
                                            Question.hidden.is_(False))
        .options(selectinload(Answer.question)).order_by(Answer.id.desc()).limit(limit)))

