"""Following topics, treatments and doctors (questions are followed in services/questions.py)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _
from forum.ids import is_valid_id
from forum.models import DoctorProfile, FollowKind, Subscription, Topic, Treatment, User
from forum.permissions import can, require
from forum.text import slugify

TARGETS = {FollowKind.TOPIC: Topic, FollowKind.TREATMENT: Treatment, FollowKind.DOCTOR: DoctorProfile}


def parse_kind(kind: str) -> FollowKind:
    try:
        return FollowKind(kind)
    except ValueError:
        raise Invalid(_("You can follow topics, treatments and doctors."),
                      fields={"kind": [_("Choose topic, treatment or doctor.")]}) from None


def _target(kind: FollowKind, target_id: int, *, starting: bool):
    target = db.session.get(TARGETS[kind], target_id) if is_valid_id(target_id) else None
    # a doctor is followed only while their profile is public (never an unverified application);
    # stopping works whatever became of the profile
    if target is None or (starting and kind is FollowKind.DOCTOR and not can(None, "doctor.view_profile", target)):
        raise NotFound()
    return target


def follow(actor: User, kind: str, target_id: int, *, on: bool = True):
    """Follow (or stop following) a topic, a treatment or a verified doctor; doing it twice changes
    nothing. Returns the followed object."""
    kind = parse_kind(kind)
    target = _target(kind, target_id, starting=on)
    require(actor, "subject.follow", target)
    if on:
        if not is_following(actor, kind, target.id):
            db.session.add(Subscription(user_id=actor.id, kind=kind, target_id=target.id))
            try:
                db.session.commit()
            except IntegrityError:  # a double click got there first
                db.session.rollback()
    else:
        db.session.execute(delete(Subscription).where(Subscription.user_id == actor.id, Subscription.kind == kind,
                                                      Subscription.target_id == target.id))
        db.session.commit()
    return target


def is_following(user: User | None, kind: FollowKind, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Subscription.id).where(
        Subscription.user_id == user.id, Subscription.kind == kind, Subscription.target_id == target_id)) is not None


def followed_ids(user: User, kind: FollowKind) -> list[int]:
    return list(db.session.scalars(select(Subscription.target_id).where(
        Subscription.user_id == user.id, Subscription.kind == kind).order_by(Subscription.target_id)))


def followed(actor: User) -> dict[FollowKind, list]:
    """What the actor follows, by kind, each list ordered by name."""
    require(actor, "account.use")
    out = {}
    for kind, model in TARGETS.items():
        ids = followed_ids(actor, kind)
        rows = list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []
        name = (lambda r: r.full_name) if kind is FollowKind.DOCTOR else (lambda r: r.name)
        out[kind] = sorted((r for r in rows if kind is not FollowKind.DOCTOR or can(actor, "doctor.view_profile", r)),
                           key=name)
    return out


def follower_ids(kind: FollowKind, target_ids: list[int]) -> set[int]:
    """Users following any of those targets of one kind."""
    if not target_ids:
        return set()
    return set(db.session.scalars(select(Subscription.user_id).where(
        Subscription.kind == kind, Subscription.target_id.in_(target_ids))))


def subject_name(kind: FollowKind, target) -> str:
    return target.full_name if kind is FollowKind.DOCTOR else target.name


def subject_url(kind: FollowKind, target) -> str:
    """The page of a followed topic, treatment or doctor (in a request or app context)."""
    if kind is FollowKind.DOCTOR:
        return url_for("doctors.show", doctor_id=target.id, slug=slugify(target.full_name))
    return url_for(f"reference.{kind.value}", slug=target.slug)
