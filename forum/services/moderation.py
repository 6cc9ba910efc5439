"""Moderation: the audit log, the doctor-application queue and verification decisions."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import (
    Credential, CredentialKind, DoctorProfile, ModerationLog, User, VerificationStatus,
)
from forum.pagination import Page, paginate
from forum.permissions import require
from forum.seclog import security_event
from forum.services import notifications

QUEUE_STATUSES = (VerificationStatus.PENDING, VerificationStatus.LAPSED)


def log_action(actor: User | None, action: str, target_type: str, target_id, reason: str,
               label: str = "") -> ModerationLog:
    """Append one row to the moderation log. Runs in the caller's transaction."""
    entry = ModerationLog(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                          target_id=str(target_id), target_label=label[:200], reason=reason)
    db.session.add(entry)
    security_event("moderation", user_id=actor.id if actor else None, action=action,
                   target=f"{target_type}:{target_id}")
    return entry


def lapse_expired_verifications() -> int:
    """Verified doctors whose license expired become "lapsed" and return to the queue. Commits."""
    today = clock.now().date()
    verified = db.session.scalars(select(DoctorProfile).where(
        DoctorProfile.status == VerificationStatus.VERIFIED)
        .options(selectinload(DoctorProfile.credential_checks))).all()
    lapsed = 0
    for profile in verified:
        licence = profile.current_license
        if licence is not None and licence.expires_on is not None and licence.expires_on < today:
            profile.status = VerificationStatus.LAPSED
            log_action(None, "doctor.lapse", "doctor", profile.id,
                       f"License expired on {licence.expires_on.isoformat()}")
            notifications.notify(profile.user, "doctor_lapsed",
                                 _l("Your verification lapsed because your license expired; "
                                    "a moderator will re-check it."), link="/doctor/apply")
            lapsed += 1
    if lapsed:
        db.session.commit()
    return lapsed


def _needs_decision():
    """Pending or lapsed applications, and verified doctors whose license has expired (they
    stopped counting as verified at expiry; `forum lapse-expired` records the lapse)."""
    today = clock.now().date()
    valid_license = select(Credential.id).where(
        Credential.doctor_id == DoctorProfile.id, Credential.kind == CredentialKind.LICENSE,
        or_(Credential.expires_on.is_(None), Credential.expires_on >= today))
    return or_(DoctorProfile.status.in_(QUEUE_STATUSES),
               and_(DoctorProfile.status == VerificationStatus.VERIFIED, ~exists(valid_license)))


def application_queue(actor: User, *, cursor: str | None = None, limit: int = 20) -> Page:
    """Applications waiting for a decision, oldest first. Reading the queue changes nothing."""
    require(actor, "mod.access")
    stmt = (select(DoctorProfile).where(_needs_decision())
            .options(selectinload(DoctorProfile.user), selectinload(DoctorProfile.credential_checks)))
    return paginate(stmt, columns=[DoctorProfile.applied_at, DoctorProfile.id], cursor=cursor,
                    limit=limit, descending=False)


def get_application(actor: User, profile_id: int) -> DoctorProfile:
    require(actor, "mod.access")
    profile = db.session.get(DoctorProfile, profile_id)
    if profile is None:
        raise NotFound()
    return profile


def decide_doctor_application(actor: User, *, profile_id: int, decision: str, reason: str,
                              license_source: str | None = None, license_issuer: str | None = None,
                              license_expires_on: date | None = None, board_source: str | None = None,
                              board_expires_on: date | None = None) -> DoctorProfile:
    """Verify (recording each checked credential on the ledger) or reject a pending or lapsed
    application, with a reason; logged and the applicant notified."""
    profile = get_application(actor, profile_id)
    require(actor, "doctor.decide", profile)
    if profile.public_status not in QUEUE_STATUSES:
        raise Conflict(_("This application is already %(status)s.", status=profile.status.value))
    if decision == "verify" and not (license_source and license_expires_on):
        raise Invalid(_("Record where the license was checked and when it expires."),
                      fields=dict(license_source=[_("Say where you checked the license.")]))
    now = clock.now()
    if decision == "verify":
        db.session.add(Credential(doctor=profile, kind=CredentialKind.LICENSE,
                                  identifier=profile.license_number,
                                  issuer=license_issuer or profile.license_region,
                                  source=license_source, checked_by_id=actor.id, checked_at=now,
                                  expires_on=license_expires_on))
        if profile.board_certification and board_source:
            db.session.add(Credential(doctor=profile, kind=CredentialKind.BOARD_CERTIFICATION,
                                      identifier=profile.board_certification,
                                      issuer=profile.board_certification, source=board_source,
                                      checked_by_id=actor.id, checked_at=now, expires_on=board_expires_on))
        profile.status = VerificationStatus.VERIFIED
        message = _l("Your doctor application was approved: you are now a verified doctor.")
    else:
        profile.status = VerificationStatus.REJECTED
        message = _l("Your doctor application was not approved: %(reason)s", reason=reason)
    profile.decided_by_id, profile.decided_at, profile.decision_reason = actor.id, now, reason
    log_action(actor, f"doctor.{decision}", "doctor", profile.id, reason)
    notifications.notify(profile.user, "doctor_decision", message, link="/doctor/apply")
    db.session.commit()
    db.session.refresh(profile)
    return profile


def moderation_log(actor: User, *, cursor: str | None = None, limit: int = 50, actor_id: int | None = None,
                   action: str | None = None, target_type: str | None = None,
                   target_id: str | None = None) -> Page:
    """The append-only log, newest first, filterable by moderator, action and target."""
    require(actor, "mod.access")
    stmt = select(ModerationLog).options(selectinload(ModerationLog.actor))
    if actor_id is not None:
        stmt = stmt.where(ModerationLog.actor_id == actor_id)
    if action:
        stmt = stmt.where(ModerationLog.action == action)
    if target_type:
        stmt = stmt.where(ModerationLog.target_type == target_type)
    if target_id:
        stmt = stmt.where(ModerationLog.target_id == target_id)
    page = paginate(stmt, columns=[ModerationLog.id], cursor=cursor, limit=limit)
    _name_people(page.items)
    return page


def _name_people(entries: list[ModerationLog]) -> None:
    """People are logged by id only, so that deleting an account leaves no name in this append-only
    table; the log shows their current name while the account exists (`shown_label`)."""
    ids = {kind: {int(e.target_id) for e in entries if e.target_type == kind and e.target_id.isdigit()}
           for kind in ("user", "doctor")}
    names = {("user", str(i)): n for i, n in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids["user"])))} if ids["user"] else {}
    if ids["doctor"]:
        names.update({("doctor", str(i)): n for i, n in db.session.execute(
            select(DoctorProfile.id, DoctorProfile.full_name).where(DoctorProfile.id.in_(ids["doctor"])))})
    for entry in entries:
        entry.shown_label = names.get((entry.target_type, entry.target_id), entry.target_label)
