"""Flags weighted by trust: what one reporter's flag weighs, and whether an item's open flags hide it.

A reporter is trusted when they are staff or a verified doctor, or when their account is at least
FLAG_TRUST_MIN_AGE_HOURS old *and* has accepted activity: at least one question, answer or
follow-up of theirs that is public (neither hidden nor deleted), i.e. something they wrote that
the site kept. A trusted reporter's flag weighs 1; anyone else's weighs FLAG_WEIGHT_UNTRUSTED.

An item is hidden pending review when the weight of its open flags reaches FLAG_AUTO_HIDE_WEIGHT,
where untrusted flags together count at most FLAG_UNTRUSTED_CAP and at least one flag must be
trusted. With the defaults (3, 0.25, 1): three trusted members hide an item; two trusted members
and four or more new accounts do; one trusted member and any number of new accounts do not, and
new accounts alone never do, however many there are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, func, or_, select

from forum import clock
from forum.extensions import db
from forum.models import Answer, Flag, FlagStatus, FollowUp, Question, User


NEW_ACCOUNT_DAYS = 7  # what an account this young publishes with photos, or as a review, waits for a moderator


def is_new_account(user: User) -> bool:
    """An account under NEW_ACCOUNT_DAYS old: its reviews, and its questions with photos, are held."""
    return user.created_at is not None and clock.now() - user.created_at < timedelta(days=NEW_ACCOUNT_DAYS)


def _setting(name: str) -> float:
    return float(current_app.config[name])


def has_accepted_activity(user: User) -> bool:
    """Whether any question, answer or follow-up the user wrote is public (one query)."""
    public = [select(model.id).where(model.author_id == user.id, model.hidden.is_(False),
                                     model.deleted_at.is_(None))
              for model in (Question, Answer, FollowUp)]
    return bool(db.session.scalar(select(or_(*(exists(stmt) for stmt in public)))))


def is_trusted_flagger(user: User) -> bool:
    """Staff and verified doctors; others once their account is old enough and has a public post."""
    if user.is_staff or user.is_verified_doctor:
        return True
    min_age = timedelta(hours=_setting("FLAG_TRUST_MIN_AGE_HOURS"))
    if user.created_at is None or clock.now() - user.created_at < min_age:
        return False
    return has_accepted_activity(user)


def flag_weight(user: User) -> float:
    """What a flag from this user weighs now (stored on the flag when it is made)."""
    return 1.0 if is_trusted_flagger(user) else _setting("FLAG_WEIGHT_UNTRUSTED")


@dataclass(frozen=True)
class FlagTally:
    """The open flags on one item: how many reporters, and their trusted and untrusted weight."""

    flaggers: int
    trusted: float
    untrusted: float

    @property
    def score(self) -> float:
        """The weight that counts toward the auto-hide: untrusted flags capped."""
        return self.trusted + min(self.untrusted, _setting("FLAG_UNTRUSTED_CAP"))

    @property
    def hides(self) -> bool:
        """Heavy enough to hide the item, and not on untrusted flags alone."""
        return self.trusted > 0 and self.score >= _setting("FLAG_AUTO_HIDE_WEIGHT")

    @property
    def threshold(self) -> float:
        return _setting("FLAG_AUTO_HIDE_WEIGHT")


def tally(flags) -> FlagTally:
    """Tally flags already loaded (the moderator queue); see tally_open_flags for the query."""
    trusted = sum(f.weight for f in flags if f.trusted)
    untrusted = sum(f.weight for f in flags if not f.trusted)
    return FlagTally(len(flags), float(trusted), float(untrusted))


def tally_open_flags(target_type, target_id: str) -> FlagTally:
    """The open flags on one item, tallied in one query."""
    trusted = Flag.weight >= 1
    row = db.session.execute(select(
        func.count(Flag.id),
        func.coalesce(func.sum(Flag.weight).filter(trusted), 0),
        func.coalesce(func.sum(Flag.weight).filter(~trusted), 0),
    ).where(Flag.target_type == target_type, Flag.target_id == target_id, Flag.status == FlagStatus.OPEN)).one()
    return FlagTally(int(row[0]), float(row[1]), float(row[2]))
