"""Moderating people: find users, see their record, suspend, ban, restore, promote, demote."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import LazyString
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l, fdate
from forum.models import Answer, Flag, FlagStatus, FlagTarget, FollowUp, Question, Role, User, UserStatus
from forum.pagination import Page, paginate
from forum.permissions import require
from forum.services import moderation_bans, notifications
from forum.services.accounts import end_all_sessions
from forum.services.moderation import log_action

USER_ACTIONS = ("suspend", "ban", "restore", "promote", "demote")


def search_users(actor: User, *, q: str | None = None, cursor: str | None = None, limit: int = 30) -> Page:
    """Users whose e-mail or display name contains `q`, newest first."""
    require(actor, "mod.access")
    stmt = select(User).options(selectinload(User.doctor_profile))
    if q:
        pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(or_(User.email.like(pattern), func.lower(User.display_name).like(pattern)))
    return paginate(stmt, columns=[User.id], cursor=cursor, limit=limit)


def user_record(actor: User, user_id: int) -> dict:
    """What a moderator needs to decide about a user: content counts and flags against them."""
    require(actor, "mod.access")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    counts = {
        "questions": db.session.scalar(select(func.count()).select_from(Question).where(Question.author_id == user.id)),
        "answers": db.session.scalar(select(func.count()).select_from(Answer).where(Answer.author_id == user.id)),
        "follow_ups": db.session.scalar(select(func.count()).select_from(FollowUp).where(
            FollowUp.author_id == user.id)),
    }
    flags = _flags_against(user)
    return {"user": user, "counts": counts, "flags": flags,
            "removed_by_ban": moderation_bans.removed_by_ban_count(user)}


def _flags_against(user: User, limit: int = 50) -> list[Flag]:
    owned = or_(
        (Flag.target_type == FlagTarget.QUESTION) & Flag.target_id.in_(
            select(cast(Question.id, String)).where(Question.author_id == user.id)),
        (Flag.target_type == FlagTarget.ANSWER) & Flag.target_id.in_(
            select(cast(Answer.id, String)).where(Answer.author_id == user.id)),
        (Flag.target_type == FlagTarget.FOLLOW_UP) & Flag.target_id.in_(
            select(cast(FollowUp.id, String)).where(FollowUp.author_id == user.id)),
    )
    return list(db.session.scalars(select(Flag).where(owned).order_by(Flag.id.desc()).limit(limit)))


def moderate_user(actor: User, *, user_id: int, action: str, reason: str, days: int | None = None,
                  remove_posts: bool = False, restore_posts: bool = False) -> User:
    """Suspend (for some days), ban (optionally removing all their posts), restore (optionally
    bringing those back), promote to moderator or demote. Suspension and ban end the user's sessions
    and stop their API tokens at once. Moderators act on members; only admins change moderators."""
    require(actor, "mod.access")  # before the lookup: non-staff learn nothing about which ids exist
    moderation_bans.check_post_choices(action, remove_posts=remove_posts, restore_posts=restore_posts)
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound()
    require(actor, "user.moderate", target)
    if action == "suspend":
        if not days:
            raise Invalid(fields=dict(days=[_("Give the number of days.")]))
        target.status, target.suspended_until = UserStatus.SUSPENDED, clock.now() + timedelta(days=days)
        end_all_sessions(target)
        message = _l("Your account is suspended until %(date)s: %(reason)s",  # the date in the member's language
                     date=LazyString(fdate, target.suspended_until, "long"), reason=reason)
    elif action == "ban":
        target.status, target.suspended_until = UserStatus.BANNED, None
        end_all_sessions(target)
        message = None
    elif action == "restore":  # on an active account, only to bring back posts a ban removed
        if target.status == UserStatus.ACTIVE and not (restore_posts and moderation_bans.removed_by_ban_count(target)):
            raise Conflict(_("This account is already active."))
        message = None if target.status == UserStatus.ACTIVE else _l("Your account is active again.")
        target.status, target.suspended_until = UserStatus.ACTIVE, None
    elif action in ("promote", "demote"):
        message = _change_staff_role(actor, target, action)
    else:
        raise Invalid(fields=dict(action=[_("Unknown action.")]))
    log_action(actor, f"user.{action}", "user", target.id, reason)
    moderation_bans.apply_post_choices(actor, target, reason, remove_posts=remove_posts, restore_posts=restore_posts)
    if message:
        notifications.notify(target, "account", message, link="/account")
    db.session.commit()
    return target


def _change_staff_role(actor: User, target: User, action: str) -> str:
    """Promote a member to moderator or demote one (admins only); what to tell them."""
    require(actor, "user.manage_staff")
    wanted, current = (Role.MODERATOR, Role.MEMBER) if action == "promote" else (Role.MEMBER, Role.MODERATOR)
    if target.role != current:
        raise Conflict(_("This user is %(role)s.", role=target.role.value))
    target.role = wanted
    end_all_sessions(target)
    return _l("You are now a moderator.") if action == "promote" else _l("You are no longer a moderator.")


def recent_from_new_accounts(actor: User, *, days: int = 7, limit: int = 20) -> list[Question | Answer]:
    """The latest questions and answers written by accounts younger than `days`."""
    require(actor, "mod.access")
    since = clock.now() - timedelta(days=days)
    new_users = select(User.id).where(User.created_at >= since)
    questions = db.session.scalars(select(Question).where(Question.author_id.in_(new_users))
                                   .options(selectinload(Question.author)).order_by(Question.id.desc()).limit(limit))
    answers = db.session.scalars(select(Answer).where(Answer.author_id.in_(new_users))
                                 .options(selectinload(Answer.author), selectinload(Answer.question))
                                 .order_by(Answer.id.desc()).limit(limit))
    return sorted([*questions, *answers], key=lambda item: item.created_at, reverse=True)[:limit]


def open_flag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Flag).where(Flag.status == FlagStatus.OPEN)) or 0
