"""Bans that also remove all of the user's posts, and the restore that brings exactly those back.

A ban with "remove posts" deletes (as a moderator's delete does: hidden, with deleted_at) every
question, answer and follow-up of the user that is not deleted already, resolves the open flags
on them, and writes one log entry with the counts. Each removed post gets a BanRemoval row, so
restoring the account with "restore posts" brings back only these (a post hidden before the ban
comes back hidden) and leaves alone posts removed earlier or deleted again since.
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from forum import clock
from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _
from forum.models import Answer, BanRemoval, Flag, FlagStatus, FollowUp, Question, User
from forum.services.moderation import log_action
from forum.services.moderation_content import refresh_visibility

KINDS = {"question": Question, "answer": Answer, "follow_up": FollowUp}  # FlagTarget values
_LABELS = {"question": "question", "answer": "answer", "follow_up": "follow-up"}


def check_post_choices(action: str, *, remove_posts: bool, restore_posts: bool) -> None:
    """Posts are removed only with a ban and restored only with a restore; checked before anything
    changes."""
    if remove_posts and action != "ban":
        raise Invalid(_("Only a ban removes the user's posts."),
                      fields=dict(remove_posts=[_("Only a ban removes the user's posts.")]))
    if restore_posts and action != "restore":
        message = _("Posts removed by a ban come back when the account is restored.")
        raise Invalid(message, fields=dict(restore_posts=[message]))


def apply_post_choices(actor: User, target: User, reason: str, *, remove_posts: bool, restore_posts: bool) -> None:
    """Remove or restore the user's posts as asked. Runs in the caller's transaction."""
    if remove_posts:
        remove_posts_of(actor, target, reason)
    if restore_posts:
        restore_posts_of(actor, target, reason)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(kind, 0)} {_LABELS[kind]}{'' if counts.get(kind, 0) == 1 else 's'}"
                     for kind in KINDS)


def remove_posts_of(actor: User, user: User, reason: str) -> dict[str, int]:
    """Delete every post of the user not deleted yet, recorded for restore_posts_of; one log entry
    with the counts. Runs in the caller's transaction."""
    now = clock.now()
    found = {kind: list(db.session.scalars(select(model).where(model.author_id == user.id,
                                                               model.deleted_at.is_(None))))
             for kind, model in KINDS.items()}
    counts = {kind: len(posts) for kind, posts in found.items()}
    entry = log_action(actor, "user.remove_posts", "user", user.id,
                       f"Removed with the ban: {_summary(counts)}. {reason}")
    db.session.flush()  # the entry's id links each removal to it
    for kind, posts in found.items():
        for post in posts:
            db.session.add(BanRemoval(log_id=entry.id, user_id=user.id, target_type=kind, target_id=post.id,
                                      was_hidden=post.hidden, removed_at=now))
            post.hidden, post.deleted_at = True, now
        if posts:
            db.session.execute(update(Flag).where(
                Flag.target_type == kind, Flag.target_id.in_([str(p.id) for p in posts]),
                Flag.status == FlagStatus.OPEN).values(status=FlagStatus.RESOLVED, handled_by_id=actor.id,
                                                       handled_at=now))
    for posts in found.values():
        for post in posts:
            refresh_visibility(post)
    return counts


def restore_posts_of(actor: User, user: User, reason: str) -> dict[str, int]:
    """Bring back the posts the user's bans removed and nothing else: a post restored or deleted
    again since is left as it is. Logged when there was anything to restore. Runs in the caller's
    transaction."""
    pending = list(db.session.scalars(select(BanRemoval).where(
        BanRemoval.user_id == user.id, BanRemoval.restored_at.is_(None)).order_by(BanRemoval.id)))
    if not pending:
        return {}
    now, counts, restored = clock.now(), {}, []
    for kind, model in KINDS.items():
        removals = [r for r in pending if r.target_type == kind]
        posts = {p.id: p for p in db.session.scalars(select(model).where(
            model.id.in_([r.target_id for r in removals])))} if removals else {}
        for removal in removals:
            removal.restored_at = now
            post = posts.get(removal.target_id)
            if post is None or post.deleted_at != removal.removed_at:
                continue
            post.hidden, post.deleted_at = removal.was_hidden, None
            counts[kind] = counts.get(kind, 0) + 1
            restored.append(post)
    for post in restored:
        refresh_visibility(post)
    log_action(actor, "user.restore_posts", "user", user.id,
               f"Restored what the ban removed: {_summary(counts)}. {reason}")
    return counts


def removed_by_ban_count(user: User) -> int:
    """How many of the user's posts a ban removed and no restore has brought back yet."""
    return db.session.scalar(select(func.count()).select_from(BanRemoval).where(
        BanRemoval.user_id == user.id, BanRemoval.restored_at.is_(None))) or 0
