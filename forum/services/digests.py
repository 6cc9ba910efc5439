"""The activity digest: one e-mail a day or a week, at the member's local morning, of what they chose
to read later (notifications whose channel is the digest), new answered questions in the topics
and treatments they follow, and new answers on the questions they follow. Never empty, never an
item twice, never anything about consultations. Sent by the `send_digests` job (and `forum
send-digests`), which runs every few minutes: each member's digest goes out at the first run at or
after 07:00 in their time zone (Mondays for the weekly one)."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from forum import mail
from forum.extensions import db
from forum.i18n import _l
from forum.permissions import visible_answers, visible_questions
from forum.models import (
    Answer, DigestFrequency, DigestSetting, Follow, FollowKind, Notification, Question, Subscription, User,
    UserStatus,
)
from forum.services import notifications, questions, time_zones
from forum.services.notification_settings import DEFAULT_FREQUENCY

log = logging.getLogger("forum.digests")
SEND_AT = time(7, 0)  # local time of day from which a member's digest is due
MONDAY = 0
PERIOD = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}
LOOKBACK = 2  # periods a digest reaches back at most
MAX_ITEMS = 20  # per section: a digest is a summary, the site has the rest
PRIVATE_KINDS = {"consultation"}  # never in a digest, whatever the settings say


@dataclass
class Digest:
    notes: list[Notification] = field(default_factory=list)
    answered: list[Question] = field(default_factory=list)   # newly answered, in followed topics/treatments
    followed: list[tuple[Question, int]] = field(default_factory=list)  # (followed question, new answers)

    @property
    def empty(self) -> bool:
        return not (self.notes or self.answered or self.followed)


def due_since(now: datetime, zone: str, frequency: DigestFrequency) -> datetime | None:
    """The naive-UTC start of the member's current digest slot (today 07:00 local) when a digest is
    due on this local day at `now`; None when it is not (before 07:00, not Monday for weekly, never)."""
    if frequency not in PERIOD:
        return None
    tz = ZoneInfo(zone if time_zones.is_zone(zone) else time_zones.UTC)
    local = now.replace(tzinfo=timezone.utc).astimezone(tz)
    if local.time() < SEND_AT or (frequency is DigestFrequency.WEEKLY and local.weekday() != MONDAY):
        return None
    slot = datetime.combine(local.date(), SEND_AT, tzinfo=tz)
    return slot.astimezone(timezone.utc).replace(tzinfo=None)


def _candidates() -> list[tuple[int, str | None, DigestFrequency, datetime | None]]:
    """(user id, time zone, frequency, last sent) of every active member whose digest is on."""
    rows = db.session.execute(
        select(User.id, User.time_zone, DigestSetting.frequency, DigestSetting.last_sent_at)
        .outerjoin(DigestSetting, DigestSetting.user_id == User.id)
        .where(User.status == UserStatus.ACTIVE,
               or_(DigestSetting.frequency.is_(None), DigestSetting.frequency != DigestFrequency.NEVER))
        .order_by(User.id)).all()
    return [(user_id, zone, frequency or DEFAULT_FREQUENCY, last) for user_id, zone, frequency, last in rows]


def send_due_digests(now: datetime) -> int:
    """Send every digest due at `now` (naive UTC); returns how many were queued. Doing it twice
    sends nothing more: each member's slot is claimed once, empty or not."""
    sent = 0
    for user_id, zone, frequency, last_sent_at in _candidates():
        slot = due_since(now, zone, frequency)
        if slot is None or (last_sent_at is not None and last_sent_at >= slot):
            continue
        try:
            sent += _send_one(db.session.get(User, user_id), frequency, last_sent_at, slot, now)
        except Exception:  # noqa: BLE001 - one member's failure must not stop everyone else's digest
            db.session.rollback()
            log.exception("digest for user %s failed", user_id)
    return sent


def _send_one(user: User, frequency: DigestFrequency, last_sent_at: datetime | None, slot: datetime,
              now: datetime) -> int:
    # Since the last digest (or a single period back for a first one); a member who turned the
    # digest back on after months gets two periods' news, not everything since.
    since = max(last_sent_at, now - LOOKBACK * PERIOD[frequency]) if last_sent_at else now - PERIOD[frequency]
    digest = build_digest(user, since=since, until=now)
    if not _claim(user.id, frequency, slot, now):
        return 0  # another run got there first
    if not digest.empty:
        _queue(user, frequency, digest, now)
    db.session.commit()
    return 0 if digest.empty else 1


def _claim(user_id: int, frequency: DigestFrequency, slot: datetime, now: datetime) -> bool:
    """Mark this member's slot as handled (last_sent_at = now) unless another run did; in the
    caller's transaction."""
    if db.session.get(DigestSetting, user_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(DigestSetting(user_id=user_id, frequency=frequency, last_sent_at=now))
            return True
        except IntegrityError:
            pass
    result = db.session.execute(
        update(DigestSetting)
        .where(DigestSetting.user_id == user_id,
               or_(DigestSetting.last_sent_at.is_(None), DigestSetting.last_sent_at < slot))
        .values(last_sent_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def build_digest(user: User, *, since: datetime, until: datetime) -> Digest:
    """What the member's digest holds for activity after `since` up to `until` (naive UTC)."""
    notes, followed = _notes(user, since, until), _followed(user, since, until)
    # a question already in the digest (a followed question, a "new question" line) is not listed again
    seen = {question.id for question, _ in followed} | {_question_id(note.link) for note in notes}
    answered = [question for question in _answered(user, since, until) if question.id not in seen]
    return Digest(notes=notes, answered=answered, followed=followed)


def _question_id(link: str | None) -> int | None:
    found = re.match(r"/questions/(\d+)", link or "")
    return int(found.group(1)) if found else None


def _notes(user: User, since: datetime, until: datetime) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.digest.is_(True),
                                   Notification.read_at.is_(None), Notification.kind.not_in(PRIVATE_KINDS),
                                   Notification.created_at > since, Notification.created_at <= until)
        .order_by(Notification.id).limit(MAX_ITEMS)))


def _answered(user: User, since: datetime, until: datetime) -> list[Question]:
    followed = select(Subscription.target_id).where(Subscription.user_id == user.id)
    in_followed = questions.in_any_subject(followed.where(Subscription.kind == FollowKind.TOPIC),
                                           followed.where(Subscription.kind == FollowKind.TREATMENT))
    return list(db.session.scalars(
        select(Question).where(visible_questions(None), Question.answer_count > 0,  # not if its only answer was hidden
                               Question.first_answer_at > since, Question.first_answer_at <= until, in_followed)
        .order_by(Question.first_answer_at.desc(), Question.id.desc()).limit(MAX_ITEMS)))


def _followed(user: User, since: datetime, until: datetime) -> list[tuple[Question, int]]:
    new_answers = func.count(Answer.id)
    rows = db.session.execute(
        select(Question, new_answers).join(Answer, Answer.question_id == Question.id)
        .join(Follow, (Follow.question_id == Question.id) & (Follow.user_id == user.id))
        .where(visible_questions(None), visible_answers(None), Answer.created_at > since,
               Answer.created_at <= until, or_(Answer.author_id.is_(None), Answer.author_id != user.id))
        .group_by(Question.id).order_by(func.max(Answer.created_at).desc(), Question.id.desc())
        .limit(MAX_ITEMS)).all()
    return [(question, count) for question, count in rows]


SUBJECTS = {DigestFrequency.DAILY: _l("Ask a Cosmetic Doctor: your daily digest"),
            DigestFrequency.WEEKLY: _l("Ask a Cosmetic Doctor: your weekly digest")}


def _queue(user: User, frequency: DigestFrequency, digest: Digest, now: datetime) -> None:
    """The digest mail, in the member's language (`queue_mail` renders it in their locale), dated
    with their local day."""
    site = current_app.config["SITE_URL"].rstrip("/")
    tz = ZoneInfo(user.time_zone if time_zones.is_zone(user.time_zone) else time_zones.UTC)
    day = now.replace(tzinfo=timezone.utc).astimezone(tz).date()
    mail.queue_mail(user.email, SUBJECTS[frequency], "digest", kind="digest", user_id=user.id,
                    locale=notifications.recipient_locale(user), digest=digest, site=site, day=day,
                    daily=frequency is DigestFrequency.DAILY, settings_url=f"{site}/account/notifications",
                    topic=notifications.MAIL_KINDS["digest"])
