"""Followers hear of new visible questions in the topics and treatments they follow, and of answers
by the doctors they follow (kind "followed_activity", as each follower's settings say).

A topic may have thousands of followers, so the fan-out never runs in the asker's request: the
service marks the question or answer (`announce_question`, `announce_answer`), and after the
commit a job (`announce_followed`) tells the followers, in a transaction of its own. The inline job
backend (development, tests) runs it at once. If the queue is unreachable the announcement is
dropped with a warning: the new post itself is saved and shown on the followers' /following page."""
from __future__ import annotations

import logging

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum import jobs
from forum.extensions import db
from forum.i18n import _l
from forum.models import Answer, Follow, FollowKind, Question, User
from forum.services import notifications
from forum.services.following import follower_ids

log = logging.getLogger("forum.following")
PENDING = "forum_followers_to_tell"
SUBJECTS = {"question": Question, "answer": Answer}


def announce_question(question: Question) -> None:
    """After the caller's commit, tell the followers of the question's topics and treatments."""
    db.session.info.setdefault(PENDING, []).append(("question", question.id))


def announce_answer(answer: Answer) -> None:
    """After the caller's commit, tell the followers of the answering doctor."""
    db.session.info.setdefault(PENDING, []).append(("answer", answer.id))


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for kind, subject_id in session.info.pop(PENDING, []):
        if not jobs.enqueue("announce_followed", kind=kind, subject_id=subject_id):
            log.warning("followers of %s %s not told: the job queue is unreachable", kind, subject_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


def tell_followers(kind: str, subject_id: int) -> None:
    """The job: tell the followers of that question or answer (if still there and visible), and commit."""
    subject = db.session.get(SUBJECTS[kind], subject_id)
    if subject is None:
        return
    if kind == "question":
        notify_new_question(subject)
    else:
        notify_new_answer(subject)
    db.session.commit()



def _notify_all(user_ids: set[int], message, link: str) -> None:
    if not user_ids:
        return
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)):
        if user.is_active:  # not to suspended or banned accounts
            notifications.notify(user, "followed_activity", message, link=link)


def notify_new_question(question: Question) -> None:
    """Tell the followers of the question's topics and treatments (never its asker, and never
    whose question it is). Only a visible question: a held one is announced when approved. Runs
    in the caller's transaction."""
    if question.hidden or question.deleted_at is not None:
        return
    recipients = (follower_ids(FollowKind.TOPIC, [t.id for t in question.topics])
                  | follower_ids(FollowKind.TREATMENT, [t.id for t in question.treatments]))
    recipients.discard(question.author_id)
    subjects = ", ".join([t.name for t in question.topics] + [t.name for t in question.treatments])
    _notify_all(recipients, _l("New question in %(subjects)s: %(title)s", subjects=subjects, title=question.title),
                f"/questions/{question.id}")


def notify_new_answer(answer: Answer) -> None:
    """Tell the followers of the answering doctor, except its author and the question's own
    followers (they hear of it already as "answer_posted"). Runs in the caller's transaction."""
    question = answer.question
    profile = answer.author.doctor_profile if answer.author is not None else None
    if profile is None or answer.hidden or question.hidden or question.deleted_at is not None:
        return
    recipients = follower_ids(FollowKind.DOCTOR, [profile.id])
    recipients -= set(db.session.scalars(select(Follow.user_id).where(Follow.question_id == question.id)))
    recipients.discard(answer.author_id)
    _notify_all(recipients, _l("%(doctor)s answered: %(title)s", doctor=profile.full_name, title=question.title),
                f"/questions/{question.id}#answer-{answer.id}")
