"""In-app notifications and their e-mail copies through the outbox."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from forum import clock, mail
from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, _, _l, force_locale, supported
from forum.models import Channel, DigestFrequency, MailOptOut, Notification, User
from forum.pagination import Page, paginate
from forum.permissions import require
from forum.services import notification_settings

# Every notification kind, as its e-mail is named in the mail footer and on the unsubscribe page
# ("Stop e-mails about ...?"). A kind missing here cannot be sent: notify() looks it up.
MAIL_KINDS = {
    "answer_posted": _l("new answers to questions you follow"),
    "answer_accepted": _l("your answers being accepted"),
    "answer_reviewed": _l("doctors reviewing your answers"),
    "follow_up": _l("follow-ups on answers"),
    "invitation": _l("invitations to answer questions"),
    "consultation": _l("your private consultations"),
    "review_posted": _l("patients reviewing you"),
    "review_reply": _l("doctors replying to your reviews"),
    "doctor_decision": _l("decisions on your doctor application"),
    "doctor_lapsed": _l("your doctor verification lapsing"),
    "content_under_review": _l("your posts held for review"),
    "moderation": _l("moderators acting on your posts"),
    "account": _l("changes to your account"),
    "followed_activity": _l("new questions and answers in what you follow"),
    "digest": _l("your activity digest"),
    "medical_review": _l("medical reviews of reference posts asked of you"),
}
DIGEST = "digest"  # its unsubscribe link sets the digest frequency to never (undo: the default)
BAD_LINK = _l("This unsubscribe link is not valid. Copy the whole link from the e-mail; it may have been cut "
              "across two lines.")
LOCKED = _l("E-mails about your private consultations and your account's security cannot be turned off: "
            "they are the only way we can reach you about them.")
MESSAGE_LENGTH = 300  # Notification.message


def recipient_locale(user: User) -> str:
    """The language a notification is written in: the recipient's setting, else English (never the
    language of whoever caused it, who is usually someone else)."""
    return supported(user.locale) or DEFAULT_LOCALE


def notify(user: User, kind: str, message, *, link: str | None = None,
           email: bool = True) -> Notification | None:
    """Tell `user` something the way their notification settings say for that kind: in-app, plus
    an e-mail copy at once or a line in their next digest, or not at all (None). An instant copy
    is skipped when they unsubscribed from that kind. The mail says only what the in-app message
    says (consultation notices name no health detail) and links to the site. `message` is a lazy
    string (`_l("... %(title)s", title=...)`), rendered and stored in the recipient's language, or
    a plain one, stored as it is. Runs in the caller's transaction."""
    topic = MAIL_KINDS[kind]
    channel = notification_settings.channel_for(user.id, kind)
    if channel is Channel.OFF:
        return None
    locale = recipient_locale(user)
    with force_locale(locale):
        text = str(message)[:MESSAGE_LENGTH]
    note = Notification(user_id=user.id, kind=kind, message=text, link=link, digest=channel is Channel.DIGEST)
    db.session.add(note)
    locked = notification_settings.is_locked(kind)  # consultation and security mail: always sent
    if email and channel is Channel.EMAIL and (locked or db.session.get(MailOptOut, (user.id, kind)) is None):
        site = current_app.config["SITE_URL"].rstrip("/")
        # a locked kind's mail has no unsubscribe link (no kind/user_id on the outbox row)
        mail.queue_mail(user.email, _l("Ask a Cosmetic Doctor: %(message)s", message=text[:120]), "notification",
                        locale=locale, kind=None if locked else kind, user_id=None if locked else user.id,
                        message=text, link=f"{site}{link or '/notifications'}", topic=topic)
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
        raise Invalid(str(BAD_LINK), fields=dict(token=[_("Invalid link.")]))
    if notification_settings.is_locked(found[1]):  # a link from before these could not be turned off
        raise Invalid(str(LOCKED), fields=dict(token=[str(LOCKED)]))
    return found


def describe_unsubscribe(*, token: str) -> dict:
    """What an unsubscribe link turns off: the kind of mail only, never whose account it is."""
    _, kind = _read_unsubscribe_token(token)
    return {"kind": kind, "topic": str(MAIL_KINDS[kind])}


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
