"""Public member profiles and the display name: what anyone may see of a member (never the
e-mail, never a question asked anonymously)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Question, User
from forum.pagination import Page
from forum.permissions import can, require, visible_questions
from forum.seclog import security_event
from forum.services import questions
from forum.text import slugify


@dataclass
class MemberProfile:
    user: User
    question_count: int  # visible questions not asked anonymously
    helpful_count: int   # helpful votes on the answers to those questions
    # No link to a doctor profile the account may have: it would tie the questions someone asks
    # about their own treatments to their professional identity.

    @property
    def slug(self) -> str:
        return member_slug(self.user)

def member_slug(user: User) -> str:
    return slugify(user.display_name)


def _public_questions(member_id: int):
    """The filter of what a profile shows: public (not hidden) and not anonymous. Anonymous
    questions are left out of the list and of every count, so nothing on the page points to them."""
    return Question.author_id == member_id, Question.anonymous.is_(False), visible_questions(None)


def get_member(member_id: int) -> MemberProfile:
    """A member's public profile; NotFound for an unknown, deleted, suspended or banned account.
    The same for every viewer (the owner and staff see it as the public does)."""
    user = db.session.get(User, member_id)
    if user is None or not can(None, "member.view_profile", user):
        raise NotFound()
    count, helpful = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Question.helpful_count), 0))
        .where(*_public_questions(member_id))).one()
    return MemberProfile(user=user, question_count=count, helpful_count=int(helpful))


def member_questions(member_id: int, *, cursor: str | None = None, limit: int = 20) -> Page:
    """The member's public, non-anonymous questions, newest first (cursor pages)."""
    return questions.list_questions(None, author_id=member_id, cursor=cursor, limit=limit)


def change_display_name(actor: User, *, display_name: str) -> User:
    """A new display name (the schema holds the rule, as at registration). Pages that show the name
    follow at once: the change moves the cache's content and reference versions."""
    require(actor, "account.use")
    old = actor.display_name
    actor.display_name = display_name
    db.session.commit()
    if old != display_name:
        security_event("display_name_changed", user_id=actor.id)
    return actor
