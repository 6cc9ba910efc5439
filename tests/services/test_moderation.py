"""Moderation service: doctor verification with the credential ledger, lapses, the audit log."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forum import mail
from forum.errors import Conflict, Forbidden
from forum.extensions import db
from forum.models import (
    Credential, CredentialKind, ModerationLog, Notification, VerificationStatus,
)
from forum.services import moderation
from tests.factories import make_admin, make_doctor, make_moderator, make_user

LICENSE_EXPIRY = date(2031, 6, 30)


def verify(moderator, profile, **overrides):
    decision = {"decision": "verify", "reason": "License and board certification checked",
                "license_source": "https://board.example.org/register", "license_expires_on": LICENSE_EXPIRY,
                "board_source": "https://abd.example.org/verify", "board_expires_on": date(2032, 12, 31)}
    decision.update(overrides)
    return moderation.decide_doctor_application(moderator, profile_id=profile.id, **decision)


def reject(moderator, profile, reason="License number not found in the register"):
    return moderation.decide_doctor_application(moderator, profile_id=profile.id, decision="reject", reason=reason)


def log_rows() -> list[ModerationLog]:
    return list(db.session.scalars(select(ModerationLog).order_by(ModerationLog.id)))


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


@pytest.fixture
def applicant():
    return make_doctor(status=VerificationStatus.PENDING)


# ---- verify ----

def test_verifying_records_each_checked_credential_on_the_ledger(applicant):
    moderator = make_moderator()
    profile = verify(moderator, applicant.doctor_profile)
    checks = {c.kind: c for c in profile.credential_checks}
    license_, board = checks[CredentialKind.LICENSE], checks[CredentialKind.BOARD_CERTIFICATION]
    assert license_.identifier == profile.license_number
    assert license_.issuer == profile.license_region
    assert license_.source == "https://board.example.org/register"
    assert license_.checked_by_id == moderator.id and license_.checked_at is not None
    assert license_.expires_on == LICENSE_EXPIRY
    assert board.identifier == profile.board_certification
    assert board.source == "https://abd.example.org/verify"
    assert board.checked_by_id == moderator.id and board.expires_on == date(2032, 12, 31)


def test_a_verified_applicant_counts_as_a_doctor(applicant):
    moderator = make_moderator()
    profile = verify(moderator, applicant.doctor_profile)
    assert profile.status == VerificationStatus.VERIFIED
    assert profile.decided_by_id == moderator.id and profile.decided_at is not None
    assert applicant.is_verified_doctor


def test_verifying_without_a_board_source_records_only_the_license(applicant):
    profile = verify(make_moderator(), applicant.doctor_profile, board_source=None)
    assert [c.kind for c in profile.credential_checks] == [CredentialKind.LICENSE]


def test_a_verification_is_logged_and_the_applicant_notified(applicant):
    moderator = make_moderator()
    mail.SENT.clear()
    profile = verify(moderator, applicant.doctor_profile, reason="Checked with the state board")
    (entry,) = log_rows()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        moderator.id, "doctor.verify", "doctor", str(profile.id))
    assert entry.reason == "Checked with the state board"
    assert entry.target_label == ""  # people by id only: the log page names them while they exist
    (shown,) = moderation.moderation_log(moderator).items
    assert shown.shown_label == profile.full_name
    (note,) = notes_for(applicant)
    assert note.kind == "doctor_decision" and "approved" in note.message
    assert [m["To"] for m in mail.SENT] == [applicant.email]


# ---- reject ----

def test_a_rejection_stores_the_reason_logs_it_and_notifies_the_applicant(applicant):
    moderator = make_moderator()
    profile = reject(moderator, applicant.doctor_profile, reason="No such license in the register")
    assert profile.status == VerificationStatus.REJECTED
    assert profile.decision_reason == "No such license in the register"
    assert profile.credential_checks == []
    assert not applicant.is_verified_doctor
    (entry,) = log_rows()
    assert (entry.actor_id, entry.action, entry.reason) == (moderator.id, "doctor.reject",
                                                            "No such license in the register")
    (note,) = notes_for(applicant)
    assert "No such license in the register" in note.message


# ---- who may decide ----

@pytest.mark.parametrize("who", ["member", "pending doctor", "verified doctor", "suspended moderator"])
def test_only_active_staff_may_decide_an_application(applicant, who):
    if who == "member":
        actor = make_user()
    elif who == "pending doctor":
        actor = make_doctor(status=VerificationStatus.PENDING)
    elif who == "verified doctor":
        actor = make_doctor()
    else:
        actor = make_moderator(status="suspended")
    with pytest.raises(Forbidden):
        verify(actor, applicant.doctor_profile)
    assert applicant.doctor_profile.status == VerificationStatus.PENDING
    assert log_rows() == [] and notes_for(applicant) == []


def test_an_admin_may_decide_an_application(applicant):
    assert verify(make_admin(), applicant.doctor_profile).status == VerificationStatus.VERIFIED


def test_a_moderator_cannot_decide_their_own_application():
    moderator = make_doctor(status=VerificationStatus.PENDING, user=make_moderator())
    with pytest.raises(Forbidden):
        verify(moderator, moderator.doctor_profile)
    assert moderator.doctor_profile.status == VerificationStatus.PENDING


def test_deciding_an_application_twice_is_a_conflict(applicant):
    moderator = make_moderator()
    verify(moderator, applicant.doctor_profile)
    with pytest.raises(Conflict):
        reject(make_moderator(), applicant.doctor_profile)
    assert applicant.doctor_profile.status == VerificationStatus.VERIFIED
    assert [e.action for e in log_rows()] == ["doctor.verify"]


def test_a_rejected_application_cannot_be_verified_without_reapplying():
    rejected = make_doctor(status=VerificationStatus.REJECTED)
    with pytest.raises(Conflict):
        verify(make_moderator(), rejected.doctor_profile)


# ---- queue ----

def test_the_queue_lists_pending_applications_oldest_first_and_not_decided_ones(frozen_clock):
    first = make_doctor(status=VerificationStatus.PENDING)
    frozen_clock.advance(minutes=5)
    second = make_doctor(status=VerificationStatus.PENDING)
    make_doctor()
    make_doctor(status=VerificationStatus.REJECTED)
    page = moderation.application_queue(make_moderator())
    assert [p.user_id for p in page.items] == [first.id, second.id]


def test_a_member_cannot_see_the_queue_or_the_log():
    member = make_user()
    with pytest.raises(Forbidden):
        moderation.application_queue(member)
    with pytest.raises(Forbidden):
        moderation.moderation_log(member)


# ---- license expiry ----

def test_an_expired_license_stops_a_doctor_counting_as_verified_at_once(frozen_clock):
    doctor = make_doctor(license_expires_on=frozen_clock.current.date() + timedelta(days=1))
    assert doctor.is_verified_doctor
    frozen_clock.advance(days=2)
    assert not doctor.is_verified_doctor
    assert doctor.doctor_profile.public_status == VerificationStatus.LAPSED


def test_lapsing_expired_licenses_logs_it_and_returns_the_doctor_to_the_queue(frozen_clock):
    doctor = make_doctor(license_expires_on=frozen_clock.current.date() + timedelta(days=1))
    still_valid = make_doctor(license_expires_on=frozen_clock.current.date() + timedelta(days=30))
    frozen_clock.advance(days=2)
    assert moderation.lapse_expired_verifications() == 1
    assert doctor.doctor_profile.status == VerificationStatus.LAPSED
    assert still_valid.doctor_profile.status == VerificationStatus.VERIFIED
    (entry,) = log_rows()
    assert (entry.actor_id, entry.action, entry.target_id) == (None, "doctor.lapse", str(doctor.doctor_profile.id))
    assert "expired" in entry.reason
    assert [n.kind for n in notes_for(doctor)] == ["doctor_lapsed"]
    queue = moderation.application_queue(make_moderator())
    assert [p.id for p in queue.items] == [doctor.doctor_profile.id]
    assert moderation.lapse_expired_verifications() == 0


def test_a_lapsed_doctor_is_verified_again_with_a_new_license_check(frozen_clock):
    doctor = make_doctor(license_expires_on=frozen_clock.current.date() + timedelta(days=1))
    frozen_clock.advance(days=2)
    moderation.lapse_expired_verifications()
    frozen_clock.advance(minutes=1)
    profile = verify(make_moderator(), doctor.doctor_profile,
                     license_expires_on=frozen_clock.current.date() + timedelta(days=365))
    assert profile.status == VerificationStatus.VERIFIED
    assert profile.current_license.expires_on > frozen_clock.current.date()
    assert doctor.is_verified_doctor


# ---- the append-only log ----

def test_moderation_log_rows_cannot_be_updated(applicant):
    verify(make_moderator(), applicant.doctor_profile)
    (entry,) = log_rows()
    entry.reason = "rewritten history"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert log_rows()[0].reason == "License and board certification checked"


def test_moderation_log_rows_cannot_be_deleted(applicant):
    verify(make_moderator(), applicant.doctor_profile)
    (entry,) = log_rows()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert len(log_rows()) == 1


def test_the_log_lists_newest_first_for_moderators(applicant):
    moderator = make_moderator()
    other = make_doctor(status=VerificationStatus.PENDING)
    verify(moderator, applicant.doctor_profile)
    reject(moderator, other.doctor_profile)
    page = moderation.moderation_log(moderator)
    assert [e.action for e in page.items] == ["doctor.reject", "doctor.verify"]


def test_credential_rows_record_when_they_were_checked(frozen_clock, applicant):
    profile = verify(make_moderator(), applicant.doctor_profile)
    stored = db.session.scalars(select(Credential).where(Credential.doctor_id == profile.id)).all()
    assert {c.checked_at for c in stored} == {frozen_clock.current}
