"""The contact form: a visitor's message goes to the moderators' queue, where one marks it handled."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, NotFound
from forum.extensions import db
from forum.i18n import _
from forum.models import ContactMessage, ContactTopic, User
from forum.permissions import require
from forum.seclog import security_event


def send_message(*, name: str, email: str, topic: ContactTopic | str, message: str) -> ContactMessage:
    """Anyone, signed in or not, sends a message; it waits, unread by anyone but staff, in the
    moderators' contact queue. The input was validated by ContactIn (both doors)."""
    entry = ContactMessage(name=name, email=email.lower(), topic=ContactTopic(topic), message=message)
    db.session.add(entry)
    db.session.commit()
    security_event("contact_message", message_id=entry.id, topic=entry.topic.value)
    return entry


def open_messages(actor: User, *, limit: int = 100) -> list[ContactMessage]:
    """Messages no moderator has handled yet, oldest first (staff only)."""
    require(actor, "contact.handle")
    stmt = (select(ContactMessage).where(ContactMessage.handled_at.is_(None))
            .order_by(ContactMessage.created_at, ContactMessage.id).limit(limit))
    return list(db.session.scalars(stmt))


def recently_handled(actor: User, *, limit: int = 20) -> list[ContactMessage]:
    """The last messages marked handled, newest first, with who handled them (staff only)."""
    require(actor, "contact.handle")
    stmt = (select(ContactMessage).where(ContactMessage.handled_at.is_not(None))
            .options(selectinload(ContactMessage.handled_by))
            .order_by(ContactMessage.handled_at.desc(), ContactMessage.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def open_count(actor: User) -> int:
    """How many messages wait for a moderator (staff only)."""
    require(actor, "contact.handle")
    return db.session.scalar(select(func.count(ContactMessage.id)).where(ContactMessage.handled_at.is_(None))) or 0


def mark_handled(actor: User, *, message_id: int) -> ContactMessage:
    """A moderator closes a message once it is answered or dealt with; it cannot be closed twice."""
    require(actor, "contact.handle")
    entry = db.session.get(ContactMessage, message_id)
    if entry is None:
        raise NotFound()
    if entry.handled_at is not None:
        raise Conflict(_("This message was already marked handled."))
    entry.handled_at, entry.handled_by_id = clock.now(), actor.id
    db.session.commit()
    return entry
