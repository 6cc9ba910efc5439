"""Named actions mapped to rule functions; the only place that compares roles or states."""
from __future__ import annotations

from typing import Any, Callable

from forum.errors import Forbidden, NotFound
import sqlalchemy as sa

from forum.models import Article, ArticleStatus, Role, VerificationStatus

RULES: dict[str, Callable[[Any, Any], bool]] = {}


def rule(name: str):
    def register(fn):
        RULES[name] = fn
        return fn
    return register


def can(user, action: str, obj: Any = None) -> bool:
    """True when `user` (possibly anonymous) may perform `action` on `obj`."""
    if user is None or not getattr(user, "is_authenticated", False):
        user = None
    return bool(RULES[action](user, obj))


def require(user, action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Raise Forbidden (or NotFound when `hide`, so existence is not revealed) unless allowed."""
    if not can(user, action, obj):
        raise NotFound() if hide else Forbidden()


def _active(user) -> bool:
    return user is not None and user.is_active


def _staff(user) -> bool:
    return _active(user) and user.role in (Role.MODERATOR, Role.ADMIN)


@rule("account.use")
def _account_use(user, _obj) -> bool:
    """Any active, logged-in account may use its own account pages."""
    return _active(user)


@rule("doctor.apply")
def _doctor_apply(user, _obj) -> bool:
    """A member applies once; a rejected or lapsed doctor may apply again with new details."""
    if not _active(user):
        return False
    profile = user.doctor_profile
    return profile is None or profile.status in (VerificationStatus.REJECTED, VerificationStatus.LAPSED)


@rule("doctor.view_profile")
def _doctor_view_profile(user, profile) -> bool:
    """Public profiles are for verified (or lapsed, marked) doctors; the owner and staff see any."""
    if profile.status in (VerificationStatus.VERIFIED, VerificationStatus.LAPSED,
                          VerificationStatus.SUSPENDED):
        return True
    return user is not None and (user.id == profile.user_id or _staff(user))


@rule("doctor.answer")
def _doctor_answer(user, _obj) -> bool:
    """Only a verified doctor whose license has not lapsed acts as a doctor."""
    return _active(user) and user.is_verified_doctor


@rule("mod.access")
def _mod_access(user, _obj) -> bool:
    """Moderators and admins reach the moderation pages."""
    return _staff(user)


@rule("doctor.decide")
def _doctor_decide(user, profile) -> bool:
    """Staff decide applications, but never their own."""
    return _staff(user) and (profile is None or profile.user_id != user.id)


@rule("user.manage_staff")
def _user_manage_staff(user, _obj) -> bool:
    """Only admins create or change moderators."""
    return _active(user) and user.role == Role.ADMIN


@rule("api_token.revoke")
def _api_token_revoke(user, token) -> bool:
    """A token belongs to one user; only they revoke it."""
    return _active(user) and token.user_id == user.id


@rule("reference.edit")
def _reference_edit(user, _obj) -> bool:
    """Moderators and admins write topics, treatments and reference posts."""
    return _staff(user)


@rule("article.view")
def _article_view(user, article) -> bool:
    """Published posts are public; drafts only for editors."""
    return article.is_published or _staff(user)


def visible_articles(user):
    """SQL filter matching "article.view" for list queries."""
    if _staff(user if user is not None and getattr(user, "is_authenticated", False) else None):
        return sa.true()
    return Article.status == ArticleStatus.PUBLISHED
