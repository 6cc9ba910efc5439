"""Private consultations: request (with routing and photos), status workflow, message thread,
inboxes, photos, doctors' availability and response times, pre-log-in drafts.

Privacy rules: anyone but the requester and the doctor gets NotFound; a moderator sees a
request only while handling an open flag on it, and that access is logged. Notifications and
e-mails say what happened and link to the request, never any health detail."""
from __future__ import annotations

import statistics
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forum import clock, crypto
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import (
    ConsultationMessage, ConsultationPhoto, ConsultationRequest, ConsultationStatus, DoctorProfile,
    Flag, FlagStatus, FlagTarget, User, VerificationStatus,
)
from forum.models.consultation import random_id
from forum.pagination import Page, paginate
from forum.permissions import can, require
from forum.seclog import security_event
from forum.services import consultation_drafts, notifications, photos, reference, reviews, time_zones
from forum.services.moderation import log_action

S = ConsultationStatus
OPEN_STATUSES = (S.SUBMITTED, S.ACCEPTED, S.SCHEDULED)
# (from, action) -> to; who may act is a permission ("consultation.respond" or ".withdraw").
TRANSITIONS = {
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "decline"): S.DECLINED,
    (S.ACCEPTED, "schedule"): S.SCHEDULED,
    (S.SCHEDULED, "schedule"): S.SCHEDULED,
    (S.SCHEDULED, "complete"): S.COMPLETED,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.SCHEDULED, "withdraw"): S.WITHDRAWN,
}
NOTICES = {  # lazy: rendered in the recipient's language when the notice is stored
    "submitted": _l("You have a new private consultation request."),
    "accept": _l("Your consultation request was accepted."),
    "decline": _l("Your consultation request was declined."),
    "schedule": _l("A time was proposed for your consultation."),
    "complete": _l("Your consultation was marked completed."),
    "withdraw": _l("A consultation request was withdrawn."),
    "message": _l("You have a new message about a consultation."),
}
STATUS_NAMES = {S.SUBMITTED: _l("submitted"), S.ACCEPTED: _l("accepted"), S.DECLINED: _l("declined"),
                S.SCHEDULED: _l("scheduled"), S.COMPLETED: _l("completed"), S.WITHDRAWN: _l("withdrawn")}
REFUSED_MOVES = {
    "accept": _l("A %(status)s request cannot be accepted."),
    "decline": _l("A %(status)s request cannot be declined."),
    "schedule": _l("A %(status)s request cannot be scheduled."),
    "complete": _l("A %(status)s request cannot be completed."),
    "withdraw": _l("A %(status)s request can no longer be withdrawn."),
}
NO_DOCTOR_FREE = _l("No verified doctor of that specialty is accepting requests right now.")
DETAIL_FIELDS = ("concern", "topics", "treatments", "description", "tried_before", "history", "skin_type", "budget",
                 "contact_method", "contact_times")


def _link(consultation: ConsultationRequest) -> str:
    return f"/consultations/{consultation.id}"


def _tell(user: User | None, event: str, consultation: ConsultationRequest) -> None:
    """In-app notification and e-mail with a link only. Runs in the caller's transaction."""
    if user is not None:
        notifications.notify(user, "consultation", NOTICES[event], link=_link(consultation))


# ---- requesting ----

def route_to_doctor(specialty: str, *, exclude_user_id: int | None = None) -> User:
    """A verified, active doctor of the specialty who accepts consultations, with the fewest
    open requests (ties: the longest-verified), so the load spreads."""
    open_count = (select(func.count()).select_from(ConsultationRequest)
                  .where(ConsultationRequest.doctor_id == DoctorProfile.user_id,
                         ConsultationRequest.status.in_(OPEN_STATUSES)).scalar_subquery())
    candidates = db.session.scalars(
        select(DoctorProfile).where(DoctorProfile.specialty == specialty,
                                    DoctorProfile.status == VerificationStatus.VERIFIED,
                                    DoctorProfile.accepts_consultations.is_(True))
        .options(selectinload(DoctorProfile.user), selectinload(DoctorProfile.credential_checks))
        .order_by(open_count, DoctorProfile.id)).all()
    for profile in candidates:
        if profile.user.is_verified_doctor and profile.user_id != exclude_user_id:
            return profile.user
    raise Invalid(str(NO_DOCTOR_FREE), fields={"specialty": [str(NO_DOCTOR_FREE)]})


def _chosen_doctor(actor: User, doctor_id: int | None, specialty) -> User:
    if not doctor_id:
        return route_to_doctor(specialty, exclude_user_id=actor.id)
    profile = db.session.get(DoctorProfile, doctor_id)
    if profile is None or not profile.user.is_verified_doctor:
        raise Invalid(fields={"doctor_id": [_("Choose a verified doctor.")]})
    if profile.user_id == actor.id:
        raise Invalid(fields={"doctor_id": [_("You cannot request a consultation with yourself.")]})
    if not profile.accepts_consultations:
        raise Invalid(fields={"doctor_id": [_("This doctor is not accepting consultation requests right now.")]})
    return profile.user


def request_consultation(actor: User, *, photos_in: list[tuple[bytes, str]] = (), doctor_id: int | None = None,
                         specialty=None, consent: bool = False, draft_id: str | None = None,
                         browser_zone: str | None = None, **details) -> ConsultationRequest:
    """A member sends a private request (consent required) to a chosen doctor, or to any
    verified doctor of a specialty; up to five photos, cleaned and encrypted, counting those kept
    in their pre-log-in draft (which is used up by the request)."""
    require(actor, "consultation.request")
    if consent is not True:
        raise Invalid(fields={"consent": [_("You must agree to share this with the doctor.")]})
    kept_count = consultation_drafts.draft_photo_count(draft_id)
    if kept_count + len(photos_in) > photos.MAX_PHOTOS:
        message = (_("Attach at most %(num)s photos in all (%(kept)s kept from before you logged in).",
                     num=photos.MAX_PHOTOS, kept=kept_count) if kept_count
                   else _("Attach at most %(num)s photos.", num=photos.MAX_PHOTOS))
        raise Invalid(fields={"photos": [message]})
    doctor = _chosen_doctor(actor, doctor_id, specialty)
    cleaned = photos.clean_photos(photos_in)  # all checked before any is decoded, all decoded before any is stored
    now = clock.now()
    consultation = ConsultationRequest(  # the id is set now: the doctor's notification links to it
        id=random_id(), requester_id=actor.id, doctor_id=doctor.id, requested_specialty=specialty, consent_at=now,
        details_enc=crypto.encrypt_json({k: details.get(k) for k in DETAIL_FIELDS}), created_at=now, updated_at=now)
    db.session.add(consultation)
    time_zones.remember_browser_zone(actor, browser_zone)
    with photos.removed_on_failure() as stored:  # nothing partial: no orphaned files either
        for photo in consultation_drafts.take_draft_photos(draft_id) + cleaned:
            stored.append(photos.store(photo))
            consultation.photos.append(ConsultationPhoto(stored_name=stored[-1], content_type=photo.content_type,
                                                         size=len(photo.data)))
        _tell(doctor, "submitted", consultation)
        db.session.commit()
    security_event("consultation_created", user_id=actor.id, consultation=consultation.id)
    return consultation


# ---- reading ----

def _moderator_flag(viewer: User | None, consultation: ConsultationRequest) -> Flag | None:
    if not can(viewer, "content.moderate"):
        return None
    return db.session.scalar(select(Flag).where(Flag.target_type == FlagTarget.CONSULTATION,
                                                Flag.target_id == consultation.id,
                                                Flag.status == FlagStatus.OPEN).limit(1))


def get_consultation(viewer: User | None, consultation_id: str) -> ConsultationRequest:
    """The request for its requester or doctor; for a moderator only with an open flag on it
    (and that access is logged). Everyone else: NotFound."""
    consultation = db.session.get(ConsultationRequest, consultation_id) if consultation_id else None
    if consultation is None:
        raise NotFound()
    if viewer is not None and viewer.is_authenticated and can(viewer, "consultation.view", consultation):
        security_event("consultation_read", user_id=viewer.id, consultation=consultation.id)
        return consultation
    flag = _moderator_flag(viewer, consultation)
    if flag is None:
        raise NotFound()
    log_action(viewer, "consultation.view", "consultation", consultation.id, f"Reviewing flag #{flag.id}",
               "private consultation")
    db.session.commit()
    return consultation


def details_of(consultation: ConsultationRequest) -> dict:
    return crypto.decrypt_json(consultation.details_enc)


def consultation_page(viewer: User, consultation_id: str) -> dict:
    """Everything a participant sees, decrypted; opening it clears their unread mark."""
    consultation = get_consultation(viewer, consultation_id)
    if viewer.id == consultation.requester_id and consultation.requester_unread:
        consultation.requester_unread = False
        db.session.commit()
    elif viewer.id == consultation.doctor_id and consultation.doctor_unread:
        consultation.doctor_unread = False
        db.session.commit()
    messages = [{"kind": m.kind, "author": _party_name(m.author, consultation), "created_at": m.created_at,
                 "body": message_body(m)} for m in consultation.messages]
    details = details_of(consultation)
    budget, contact = details.get("budget"), details.get("contact_method")
    return {"consultation": consultation, "details": details, "messages": messages,
            "budget_label": consultation_drafts.BUDGET_LABELS.get(budget, budget),
            "contact_label": consultation_drafts.CONTACT_LABELS.get(contact, contact),
            "role": role_of(viewer, consultation), "time_zone": time_zones.zone_of(viewer),
            "zone_names": [] if viewer.time_zone else time_zones.zone_names(),
            "topic_names": _names(reference.list_topics(), details.get("topics")),
            "treatment_names": _names(reference.list_treatments(), details.get("treatments"))}


def _names(choices, slugs: list[str] | None) -> list[str]:
    """Topics or treatments by name, in the order chosen (a slug since renamed away stays as is)."""
    by_slug = {c.slug: c.name for c in choices}
    return [by_slug.get(slug, slug) for slug in slugs or ()]


def message_body(message: ConsultationMessage) -> str:
    return crypto.decrypt_json(message.body_enc)


def role_of(viewer: User, consultation: ConsultationRequest) -> str:
    if viewer.id == consultation.requester_id:
        return "requester"
    return "doctor" if viewer.id == consultation.doctor_id else "moderator"


def _party_name(user: User | None, consultation: ConsultationRequest) -> str:
    if user is None:
        return _("A former user")
    if user.id == consultation.doctor_id and user.doctor_profile:
        return user.doctor_profile.full_name
    return user.display_name


def inbox(actor: User, *, status=None, cursor: str | None = None, limit: int = 20) -> Page:
    """The member's requests and the doctor's incoming requests, newest first."""
    require(actor, "account.use")
    stmt = (select(ConsultationRequest)
            .where((ConsultationRequest.requester_id == actor.id) | (ConsultationRequest.doctor_id == actor.id))
            .options(selectinload(ConsultationRequest.requester),
                     selectinload(ConsultationRequest.doctor).selectinload(User.doctor_profile)))
    if status is not None:
        stmt = stmt.where(ConsultationRequest.status == status)
    return paginate(stmt, columns=[ConsultationRequest.created_at, ConsultationRequest.id], cursor=cursor,
                    limit=limit)


def summary(viewer: User, consultation: ConsultationRequest) -> dict:
    """One inbox row: the other party, the concern, the unread mark."""
    role = role_of(viewer, consultation)
    other = consultation.doctor if role == "requester" else consultation.requester
    return {"id": consultation.id, "status": consultation.status.value, "role": role,
            "other_party": {"id": other.id, "name": _party_name(other, consultation)} if other else None,
            "concern": details_of(consultation).get("concern"), "created_at": consultation.created_at,
            "updated_at": consultation.updated_at,
            "unread": consultation.requester_unread if role == "requester" else consultation.doctor_unread}


def photo_file(viewer: User, consultation_id: str, photo_id: str) -> tuple[bytes, str]:
    consultation = get_consultation(viewer, consultation_id)
    photo = next((p for p in consultation.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound()
    return photos.read(photo.stored_name), photo.content_type


def add_photos(actor: User, *, consultation_id: str, photos_in: list[tuple[bytes, str]]) -> ConsultationRequest:
    """The requester attaches photos to an open request (five in all)."""
    consultation = get_consultation(actor, consultation_id)
    require(actor, "consultation.withdraw", consultation, hide=True)
    if consultation.is_closed:
        raise Conflict(_("This request is closed."))
    if len(consultation.photos) + len(photos_in) > photos.MAX_PHOTOS:
        raise Invalid(fields={"photos": [_("Attach at most %(num)s photos in all.", num=photos.MAX_PHOTOS)]})
    cleaned = photos.clean_photos(photos_in)
    with photos.removed_on_failure() as stored:
        for photo in cleaned:
            stored.append(photos.store(photo))
            consultation.photos.append(ConsultationPhoto(stored_name=stored[-1], content_type=photo.content_type,
                                                         size=len(photo.data)))
        consultation.doctor_unread = True
        db.session.commit()
    return consultation


# ---- workflow and thread ----

def _post(consultation: ConsultationRequest, author: User, kind: str, body: str | None) -> None:
    """Add a thread entry and mark it unread for the other side. Runs in the caller's transaction."""
    consultation.messages.append(ConsultationMessage(author_id=author.id, kind=kind,
                                                     body_enc=crypto.encrypt_json(body or "")))
    consultation.updated_at = clock.now()
    if author.id == consultation.requester_id:
        consultation.doctor_unread = True
    else:
        consultation.requester_unread = True


def transition(actor: User, *, consultation_id: str, action: str, message: str | None = None,
               scheduled_for=None, time_zone: str = time_zones.UTC) -> ConsultationRequest:
    """Move a request along submitted -> accepted/declined -> scheduled -> completed; the
    requester may withdraw before completion. Illegal moves are a Conflict. A proposed time
    without an offset is wall-clock time in `time_zone` (the API's default: UTC)."""
    consultation = get_consultation(actor, consultation_id)
    _transition(actor, consultation, action, message, time_zones.naive_to_utc(scheduled_for, time_zone))
    db.session.commit()
    return consultation


def _transition(actor: User, consultation: ConsultationRequest, action: str, message: str | None,
                scheduled_for) -> None:
    """The move itself, with the scheduled time already in naive UTC. Runs in the caller's transaction."""
    require(actor, "consultation.withdraw" if action == "withdraw" else "consultation.respond", consultation,
            hide=role_of(actor, consultation) == "moderator")
    target = TRANSITIONS.get((consultation.status, action))
    if target is None:
        raise Conflict(str(REFUSED_MOVES[action]) % {"status": STATUS_NAMES[consultation.status]})
    if action == "decline" and not message:
        raise Invalid(fields={"message": [_("Tell the member briefly why you decline.")]})
    if action == "schedule":
        if scheduled_for is None or scheduled_for <= clock.now():
            raise Invalid(fields={"scheduled_for": [_("Propose a time in the future.")]})
        consultation.scheduled_for = scheduled_for
    if action in ("accept", "decline") and consultation.responded_at is None:
        consultation.responded_at = clock.now()
    consultation.status = target
    if target == S.COMPLETED and consultation.doctor_id is not None:  # their reviews become "verified patient"
        reviews.refresh_verified(consultation.requester_id, consultation.doctor_id)
    _post(consultation, actor, action, message)
    other = consultation.doctor if actor.id == consultation.requester_id else consultation.requester
    _tell(other, action, consultation)


def send_message(actor: User, *, consultation_id: str, body: str) -> ConsultationRequest:
    """A private message in the thread; the other side is told (without the text)."""
    consultation = get_consultation(actor, consultation_id)
    _message(actor, consultation, body)
    db.session.commit()
    return consultation


def _message(actor: User, consultation: ConsultationRequest, body: str) -> None:
    """Runs in the caller's transaction."""
    require(actor, "consultation.message", consultation, hide=role_of(actor, consultation) == "moderator")
    _post(consultation, actor, "message", body)
    other = consultation.doctor if actor.id == consultation.requester_id else consultation.requester
    _tell(other, "message", consultation)


# Field names of the one-box form (web) for the errors of a move.
_FORM_FIELDS = {"message": "body", "scheduled_for": "scheduled_date"}


def respond(actor: User, *, consultation_id: str, body: str | None = None, decision: str | None = None,
            scheduled_date: date | None = None, scheduled_time: time | None = None,
            time_zone: str | None = None) -> ConsultationRequest:
    """The one form on a request page: a message, with or without a decision (the doctor's
    accept, decline, proposed time or completion; the requester's withdrawal). A proposed time
    is a date and time in the form's zone (the member's setting, else the browser's, which then
    becomes their setting)."""
    consultation = get_consultation(actor, consultation_id)
    zone = time_zone if time_zones.is_zone(time_zone) else time_zones.zone_of(actor)
    if decision == "schedule" and time_zone and zone != time_zone:  # never read a time in a zone nobody chose
        raise Invalid(str(time_zones.BAD_ZONE), fields={"time_zone": [str(time_zones.BAD_ZONE)]})
    if decision != "schedule" and (scheduled_date or scheduled_time):  # a time typed in is never dropped unseen
        raise Invalid(fields={"decision": [_("Choose “Propose a time” to send the time you entered, or clear it.")]})
    if decision is None:
        if not body:
            raise Invalid(fields={"body": [_("Write a message, or choose what to do with the request.")]})
        _message(actor, consultation, body)
    else:
        scheduled_for = None
        if decision == "schedule":
            if scheduled_date is None or scheduled_time is None:
                raise Invalid(fields={"scheduled_date": [_("Give the date and the time you propose.")]})
            scheduled_for = time_zones.to_utc(scheduled_date, scheduled_time, zone)
        try:
            _transition(actor, consultation, decision, body, scheduled_for)
        except Invalid as e:
            raise Invalid(e.message, fields={_FORM_FIELDS.get(k, k): v for k, v in (e.fields or {}).items()}) from None
    time_zones.remember_browser_zone(actor, time_zone)
    db.session.commit()
    return consultation


# ---- doctors ----

def set_accepting(actor: User, *, accepting: bool) -> DoctorProfile:
    """A verified doctor turns new consultation requests on or off."""
    require(actor, "doctor.answer")
    actor.doctor_profile.accepts_consultations = accepting
    db.session.commit()
    return actor.doctor_profile


def median_response_hours(profile: DoctorProfile, sample: int = 200) -> float | None:
    """Median hours from a request to the doctor's accept or decline."""
    rows = db.session.execute(select(ConsultationRequest.created_at, ConsultationRequest.responded_at).where(
        ConsultationRequest.doctor_id == profile.user_id, ConsultationRequest.responded_at.is_not(None))
        .order_by(ConsultationRequest.created_at.desc()).limit(sample)).all()
    if not rows:
        return None
    return round(statistics.median((r - c).total_seconds() / 3600 for c, r in rows), 1)
