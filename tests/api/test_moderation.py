"""API moderation: the doctor-application queue, verify/reject decisions and the log."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.extensions import db
from forum.models import Credential, ModerationLog, VerificationStatus
from tests.api.helpers import error_of
from tests.factories import make_admin, make_doctor, make_moderator, make_user

QUEUE = "/api/v1/mod/doctor-applications"


def decision_url(profile_id: int) -> str:
    return f"{QUEUE}/{profile_id}/decision"


def verify_body(**overrides) -> dict:
    expires = clock.now().date() + timedelta(days=400)
    body = {"decision": "verify", "reason": "License found on the state board register.",
            "license_source": "Demo State Medical Board online register",
            "license_expires_on": expires.isoformat()}
    body.update(overrides)
    return body


REJECT = {"decision": "reject", "reason": "The license number does not exist on the register."}


@pytest.fixture
def applicant():
    return make_doctor(status=VerificationStatus.PENDING)


@pytest.fixture
def moderator_headers(bearer):
    return bearer(make_moderator())


def log_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ModerationLog))


def test_moderator_sees_pending_and_lapsed_applications_oldest_first(client, moderator_headers, applicant):
    lapsed = make_doctor(status=VerificationStatus.LAPSED)
    make_doctor(status=VerificationStatus.VERIFIED)
    make_doctor(status=VerificationStatus.REJECTED)
    response = client.get(QUEUE, headers=moderator_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [applicant.doctor_profile.id, lapsed.doctor_profile.id]
    assert body["next_cursor"] is None
    assert body["items"][0]["license_number"] == applicant.doctor_profile.license_number


def test_moderator_reads_one_application(client, moderator_headers, applicant):
    response = client.get(f"{QUEUE}/{applicant.doctor_profile.id}", headers=moderator_headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending"


def test_moderator_verifies_and_the_public_profile_shows_the_credential(client, bearer, applicant):
    moderator = make_moderator()
    profile_id = applicant.doctor_profile.id
    body = verify_body()
    response = client.post(decision_url(profile_id), json=body, headers=bearer(moderator))
    assert response.status_code == 200, response.get_json()
    decided = response.get_json()
    assert decided["status"] == "verified" and decided["decision_reason"] == body["reason"]

    public = client.get(f"/api/v1/doctors/{profile_id}")
    assert public.status_code == 200
    doctor = public.get_json()
    assert doctor["status"] == "verified"
    [credential] = doctor["verified_credentials"]
    assert credential["kind"] == "license"
    assert credential["source"] == body["license_source"]
    assert credential["expires_on"] == body["license_expires_on"]
    assert credential["identifier"] == applicant.doctor_profile.license_number
    assert "license_number" not in doctor and "user_id" not in doctor
    assert db.session.scalars(select(Credential)).one().checked_by_id == moderator.id

    applicant_headers = bearer(applicant)
    assert client.get("/api/v1/me", headers=applicant_headers).get_json()["is_verified_doctor"] is True
    notes = client.get("/api/v1/notifications", headers=applicant_headers).get_json()["items"]
    assert [n["kind"] for n in notes] == ["doctor_decision"]


def test_verifying_with_the_board_source_adds_a_board_credential(client, moderator_headers, applicant):
    response = client.post(decision_url(applicant.doctor_profile.id), headers=moderator_headers,
                           json=verify_body(board_source="ABMS Certification Matters"))
    kinds = sorted(c["kind"] for c in response.get_json()["verified_credentials"])
    assert kinds == ["board certification", "license"]


def test_moderator_rejects_with_a_reason(client, bearer, moderator_headers, applicant):
    profile_id = applicant.doctor_profile.id
    response = client.post(decision_url(profile_id), json=REJECT, headers=moderator_headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["decision_reason"] == REJECT["reason"]
    error_of(client.get(f"/api/v1/doctors/{profile_id}"), 404)
    mine = client.get("/api/v1/doctor-application", headers=bearer(applicant)).get_json()
    assert (mine["status"], mine["decision_reason"]) == ("rejected", REJECT["reason"])
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


@pytest.mark.parametrize(("body", "fields"), [
    (verify_body(license_source=None), {"license_source"}),
    ({k: v for k, v in verify_body().items() if k != "license_source"}, {"license_source"}),
    (verify_body(license_expires_on=None), {"license_expires_on"}),
    (verify_body(license_source="  "), {"license_source"}),
    (verify_body(license_expires_on="not a date"), {"license_expires_on"}),
    ({"decision": "reject"}, {"reason"}),
    ({"decision": "maybe", "reason": "Hmm, not sure."}, {"decision"}),
    ({**REJECT, "status": "verified"}, {"status"}),
], ids=["null-source", "no-source", "no-expiry", "blank-source", "bad-date", "no-reason", "bad-decision",
        "unknown-field"])
def test_invalid_decisions_are_refused_with_field_errors(client, moderator_headers, applicant, body, fields):
    response = client.post(decision_url(applicant.doctor_profile.id), json=body, headers=moderator_headers)
    assert fields <= set(error_of(response, 422, "invalid")["fields"])
    db.session.refresh(applicant.doctor_profile)
    assert applicant.doctor_profile.status == VerificationStatus.PENDING
    assert log_count() == 0


@pytest.mark.parametrize("make_actor", [
    make_user,
    lambda: make_doctor(status=VerificationStatus.PENDING),
    lambda: make_doctor(status=VerificationStatus.REJECTED),
    lambda: make_doctor(status=VerificationStatus.VERIFIED),
], ids=["member", "pending-doctor", "rejected-doctor", "verified-doctor"])
def test_non_staff_are_forbidden_everywhere_in_moderation(client, bearer, applicant, make_actor):
    headers = bearer(make_actor())
    profile_id = applicant.doctor_profile.id
    error_of(client.get(QUEUE, headers=headers), 403, "forbidden")
    error_of(client.get(f"{QUEUE}/{profile_id}", headers=headers), 403, "forbidden")
    error_of(client.post(decision_url(profile_id), json=verify_body(), headers=headers), 403, "forbidden")
    error_of(client.get("/api/v1/mod/log", headers=headers), 403, "forbidden")
    assert applicant.doctor_profile.status == VerificationStatus.PENDING
    assert log_count() == 0


def test_anonymous_callers_get_401_everywhere_in_moderation(client, applicant):
    profile_id = applicant.doctor_profile.id
    error_of(client.get(QUEUE), 401, "unauthorized")
    error_of(client.get(f"{QUEUE}/{profile_id}"), 401, "unauthorized")
    error_of(client.post(decision_url(profile_id), json=verify_body()), 401, "unauthorized")
    error_of(client.post(decision_url(profile_id), json={}), 401, "unauthorized")
    error_of(client.get("/api/v1/mod/log"), 401, "unauthorized")
    assert log_count() == 0


def test_unknown_application_is_not_found(client, moderator_headers):
    error_of(client.get(f"{QUEUE}/424242", headers=moderator_headers), 404, "not_found")
    error_of(client.post(decision_url(424242), json=REJECT, headers=moderator_headers), 404, "not_found")


def test_deciding_twice_is_a_conflict(client, moderator_headers, applicant):
    url = decision_url(applicant.doctor_profile.id)
    assert client.post(url, json=verify_body(), headers=moderator_headers).status_code == 200
    error_of(client.post(url, json=REJECT, headers=moderator_headers), 409, "conflict")
    error_of(client.post(url, json=verify_body(), headers=moderator_headers), 409, "conflict")
    assert log_count() == 1


def test_staff_cannot_decide_their_own_application(client, bearer):
    admin = make_admin()
    make_doctor(status=VerificationStatus.PENDING, user=admin)
    error_of(client.post(decision_url(admin.doctor_profile.id), json=verify_body(), headers=bearer(admin)), 403)
    assert admin.doctor_profile.status == VerificationStatus.PENDING


def test_the_log_lists_each_decision_newest_first(client, bearer, applicant):
    moderator = make_moderator()
    headers = bearer(moderator)
    other = make_doctor(status=VerificationStatus.PENDING)
    client.post(decision_url(applicant.doctor_profile.id), json=verify_body(), headers=headers)
    client.post(decision_url(other.doctor_profile.id), json=REJECT, headers=headers)
    response = client.get("/api/v1/mod/log", headers=headers)
    assert response.status_code == 200
    entries = response.get_json()["items"]
    assert [(e["action"], e["target_id"]) for e in entries] == [
        ("doctor.reject", str(other.doctor_profile.id)), ("doctor.verify", str(applicant.doctor_profile.id))]
    assert all(e["actor_id"] == moderator.id and e["target_type"] == "doctor" for e in entries)
    assert entries[0]["reason"] == REJECT["reason"]
    assert entries[1]["target_label"] == applicant.doctor_profile.full_name
