"""What deleting an account erases beyond its own rows (which foreign keys cascade or unlink):
mail addressed to it, its names and address in other people's notifications, mail and flag notes
and in the content it leaves behind, flags about it, and the invitations it made.

The moderation log is append-only (a database trigger refuses UPDATE and DELETE): its rows keep
the names moderators saw; only their link to the account is cut (ON DELETE SET NULL)."""
from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import escape
from sqlalchemy import String, cast, delete, func, or_, select

from forum.extensions import db
from forum.models import (
    Answer, Flag, FlagTarget, FollowUp, Invitation, Notification, OutboxMail, Question, Review, User,
)
from forum.services import revisions, search_index

FORMER_USER = "A former user"  # as consultation threads already name a deleted participant
ADDRESS_REMOVED = "[address removed]"


class Scrubber:
    """Finds names and an e-mail address in text and replaces them: case-insensitively, whole
    words only (a short name is not cut out of longer words), also as they appear HTML-escaped in
    mail bodies and percent-encoded in links."""

    def __init__(self, names: set[str], email: str):
        self.replacements = {variant.lower(): FORMER_USER for name in names for variant in _variants(name)}
        self.replacements.update({variant.lower(): ADDRESS_REMOVED for variant in _variants(email)})
        self.needles = sorted(self.replacements, key=len, reverse=True)  # "Dr. Ann Lee" before "Ann"
        self._pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in self.needles), re.IGNORECASE)

    @classmethod
    def for_user(cls, user: User, *, single_words: bool = True) -> Scrubber:
        """All the user's names, or (`single_words=False`) only those of two words or more: a
        one-word display name such as "Doctor" or "New" would otherwise be cut out of the site's
        own wording in other people's notices ("Ask a Cosmetic Doctor", "New follow-up on ...")."""
        names = {user.display_name}
        if user.doctor_profile is not None:
            names.add(user.doctor_profile.full_name)
        return cls({n for n in names if single_words or len(n.split()) > 1}, user.email)

    def scrub(self, text: str | None) -> str | None:
        if not text:
            return text
        return self._pattern.sub(lambda m: self.replacements[m.group(0).lower()], text)

    def rows(self, model, columns, *where) -> list:
        """Rows of `model` (matching `where`) whose columns hold a needle, with the needle replaced.
        The database narrows the rows (a case-insensitive LIKE); Python replaces. Returns the
        rows that changed. Runs in the caller's transaction."""
        hit = or_(*(column.icontains(needle, autoescape=True) for column in columns for needle in self.needles))
        changed = []
        for row in db.session.scalars(select(model).where(hit, *where)):
            before = [getattr(row, column.key) for column in columns]
            for column, value in zip(columns, before, strict=True):
                if (after := self.scrub(value)) != value:
                    setattr(row, column.key, after)
                    changed.append(row)
        return list(dict.fromkeys(changed))


def _variants(text: str) -> set[str]:
    return {v for v in (text, str(escape(text)), quote(text, safe="")) if v.strip()}


def erase_traces(user: User, *, consultation_ids: list[str]) -> None:
    """Everything outside the account's own rows that would still name it once it is deleted.
    `consultation_ids` are the requests it made (deleted by the caller). Runs in the caller's
    transaction, before the user row is deleted."""
    scrubber, in_notices = Scrubber.for_user(user), Scrubber.for_user(user, single_words=False)
    db.session.execute(delete(OutboxMail).where(
        or_(func.lower(OutboxMail.to_address) == user.email.lower(), OutboxMail.user_id == user.id)))
    in_notices.rows(OutboxMail, [OutboxMail.subject, OutboxMail.body_text, OutboxMail.body_html])
    in_notices.rows(Notification, [Notification.message], Notification.user_id != user.id)
    scrubber.rows(Flag, [Flag.note])
    _drop_flags_about(user, consultation_ids)
    db.session.execute(delete(Invitation).where(Invitation.question_id.in_(
        select(Question.id).where(Question.author_id == user.id))))
    _unsign_content(user, scrubber)


def _drop_flags_about(user: User, consultation_ids: list[str]) -> None:
    """Flags on the doctor profile, the requests and the reviews (theirs, and of them) that go with
    the account: their target is gone."""
    reviews = select(cast(Review.id, String)).where((Review.author_id == user.id) | (Review.doctor_id == user.id))
    about = [(Flag.target_type == FlagTarget.CONSULTATION) & Flag.target_id.in_(consultation_ids),
             (Flag.target_type == FlagTarget.REVIEW) & Flag.target_id.in_(reviews)]
    if user.doctor_profile is not None:
        about.append((Flag.target_type == FlagTarget.DOCTOR) & (Flag.target_id == str(user.doctor_profile.id)))
    db.session.execute(delete(Flag).where(or_(*about)))


def _unsign_content(user: User, scrubber: Scrubber) -> None:
    """The questions, answers and follow-ups that stay lose the author's names and address too
    (a signature, "write to me at ..."); the search index follows."""
    for question in scrubber.rows(Question, [Question.title, Question.body], Question.author_id == user.id):
        search_index.index_question(question)
    for answer in scrubber.rows(Answer, [Answer.body, Answer.industry_ties], Answer.author_id == user.id):
        search_index.index_answer(answer)
    scrubber.rows(FollowUp, [FollowUp.body], FollowUp.author_id == user.id)
    revisions.forget_authored_by(user)  # earlier versions would still carry what was scrubbed
