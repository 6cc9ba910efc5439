"""In-app notifications and their e-mail copies through the outbox."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from forum import clock, mail
from forum.errors import Invalid
from forum.extensions import db
from forum.models import Channel, DigestFrequency, MailOptOut, Notification, User
from forum.pagination import Page, paginate
from forum.permissions import require
from forum.services import notification_settings

# Every notification kind, as its e-mail is named in the mail footer and on the unsubscribe page
# ("Stop e-mails about ...?"). A kind missing here cannot be sent: notify() looks it up.
MAIL_KINDS = {
    "answer_posted": "new answers to questions you follow",
    "answer_accepted": "your answers being accepted",
    "answer_reviewed": "doctors reviewing your answers",
    "follow_up": "follow-ups on answers",
    "invitation": "invitations to answer questions",
    "consultation": "your private consultations",
    "review_posted": "patients reviewing you",
    "review_reply": "doctors replying to your reviews",
    "doctor_decision": "decisions on your doctor application",
    "doctor_lapsed": "your doctor verification lapsing",
    "content_under_review": "your posts held for review",
    "moderation": "moderators acting on your posts",
    "account": "changes to your account",
    "followed_activity": "new questions and answers in what you follow",
    "digest": "your activity digest",
    "medical_review": "medical reviews of reference posts asked of you",
}
DIGEST = "digest"  # its unsubscribe link sets the digest frequency to never (undo: the default)
BAD_LINK = ("This unsubscribe link is not valid. Copy the whole link from the e-mail; it may have been cut "
            "across two lines.")
LOCKED = ("E-mails about your private consultations and your account's security cannot be turned off: "
          "they are the only way we can reach you about them.")


def notify(user: User, kind: str, message: str, *, link: str | None = None,
           email: bool = True) -> Notification | None:
    """Tell `user` something the way their notification settings say for that kind: in-app, plus
    an e-mail copy at once or a line in their next digest, or not at all (None). An instant copy
    is skipped when they unsubscribed from that kind. The mail says only what the in-app message
    says (consultation notices name no health detail) and links to the site. Runs in the caller's
    transaction."""
    topic = MAIL_KINDS[kind]
    channel = notification_settings.channel_for(user.id, kind)
    if channel is Channel.OFF:
        return None
    note = Notification(user_id=user.id, kind=kind, message=message, link=link, digest=channel is Channel.DIGEST)
    db.session.add(note)
    locked = notification_settings.is_locked(kind)  # consultation and security mail: always sent
    if email and channel is Channel.EMAIL and (locked or db.session.get(MailOptOut, (user.id, kind)) is None):
        site = current_app.config["SITE_URL"].rstrip("/")
        # a locked kind's mail has no unsubscribe link (no kind/user_id on the outbox row)
        mail.queue_mail(user.email, f"Ask a Cosmetic Doctor: {message[:120]}", "notification",
                        kind=None if locked else kind, user_id=None if locked else user.id, message=message,
                        link=f"{site}{link or '/notifications'}", topic=topic)
    return note


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_notifications(actor: User, *, cursor: str | None = None, limit: int = 20) -> Page:
    require(actor, "account.use")
    stmt = select(Notification).where(Notification.user_id == actor.id)
    return paginate(stmt, columns=[Notification.id], cursor=cursor, limit=limit)


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of the actor as read; returns how many."""
    require(actor, "account.use")
    result = db.session.execute(update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=clock.now()))
    db.session.commit()
    return result.rowcount or 0


# ---- one-click unsubscribe (RFC 8058): the signed token in the mail is the only credential ----

def _read_unsubscribe_token(token: str) -> tuple[int, str]:
    found = mail.read_unsubscribe_token(token)
    if found is None or found[1] not in MAIL_KINDS:
        raise Invalid(BAD_LINK, fields={"token": ["Invalid link."]})
    if notification_settings.is_locked(found[1]):  # a link from before these could not be turned off
        raise Invalid(LOCKED, fields={"token": [LOCKED]})
    return found


def describe_unsubscribe(*, token: str) -> dict:
    """What an unsubscribe link turns off: the kind of mail only, never whose account it is."""
    _, kind = _read_unsubscribe_token(token)
    return {"kind": kind, "topic": MAIL_KINDS[kind]}


def unsubscribe(*, token: str) -> dict:
    """Turn off one kind of notification mail for the account the token names; no log-in. Doing it
    twice changes nothing; a token whose account was deleted answers exactly like a live one, so
    the answer tells nothing about who has an account."""
    user_id, kind = _read_unsubscribe_token(token)
    if kind == DIGEST:
        return _digest_on(user_id, False, token)
    if db.session.get(User, user_id) is not None and db.session.get(MailOptOut, (user_id, kind)) is None:
        db.session.add(MailOptOut(user_id=user_id, kind=kind))
        try:
            db.session.commit()
        except IntegrityError:  # a second click (or the account's deletion) got there first
            db.session.rollback()
    return describe_unsubscribe(token=token)


def resubscribe(*, token: str) -> dict:
    """Undo `unsubscribe`: that kind of mail is sent again. Idempotent, and as silent about accounts."""
    user_id, kind = _read_unsubscribe_token(token)
    if kind == DIGEST:
        return _digest_on(user_id, True, token)
    db.session.execute(delete(MailOptOut).where(MailOptOut.user_id == user_id, MailOptOut.kind == kind))
    db.session.commit()
    return describe_unsubscribe(token=token)


def _digest_on(user_id: int, on: bool, token: str) -> dict:
    """The digest's unsubscribe link turns the digest off (frequency never) and its undo back on
    (the default frequency), so the settings page always says what is sent."""
    if db.session.get(User, user_id) is not None:
        off = notification_settings.digest_frequency(user_id) is DigestFrequency.NEVER
        if on and off:
            notification_settings.set_digest_frequency(user_id, notification_settings.DEFAULT_FREQUENCY)
        elif not on and not off:
            notification_settings.set_digest_frequency(user_id, DigestFrequency.NEVER)
        try:
            db.session.commit()
        except IntegrityError:  # a second click got there first
            db.session.rollback()
    return describe_unsubscribe(token=token)
