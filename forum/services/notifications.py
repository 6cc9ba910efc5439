"""In-app notifications and their e-mail copies through the outbox."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select, update

from forum import clock, mail
from forum.extensions import db
from forum.models import Notification, User
from forum.pagination import Page, paginate
from forum.permissions import require


def notify(user: User, kind: str, message: str, *, link: str | None = None, email: bool = True) -> Notification:
    """Tell `user` something in-app and queue an e-mail copy. Runs in the caller's transaction."""
    note = Notification(user_id=user.id, kind=kind, message=message, link=link)
    db.session.add(note)
    if email:
        mail.queue_mail(user.email, f"Ask a Cosmetic Doctor: {message[:120]}",
                        f"{message}\n\nSee it on the site: {current_app.config['SITE_URL']}{link or '/notifications'}\n")
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
