"""Consultations API: the same rules as the pages, in JSON. Create (consent required), every
legal and illegal move (illegal: 409), who may act, the privacy matrix (404 to everyone but
the two parties, 401 to anonymous callers for any id), photos, no-store everywhere, the
doctor's availability, the member's export and account deletion."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum import mail
from forum.extensions import db
from forum.models import (
    ConsultationPhoto, ConsultationRequest, ConsultationStatus, ModerationLog, Question, User,
)
from forum.services import moderation_content, questions
from forum.services import photos as stored_photos
from tests.api.helpers import error_of, same_answer
from tests.factories import PASSWORD, make_doctor, make_moderator, make_user
from tests.services.test_consultations import (
    DETAILS, FUTURE, ILLEGAL, LEGAL, SECRET_DESCRIPTION, SECRET_MESSAGE, SECRET_WORDS, image_bytes, jpeg_with_exif,
    make_request, set_status,
)

S = ConsultationStatus
API = "/api/v1/consultations"




@pytest.fixture
def people(app):
    class People:
        requester = make_user(display_name="Requester")
        doctor = make_doctor(full_name="Dr. Chosen One")
        member = make_user(display_name="Another Member")
        other_doctor = make_doctor(full_name="Dr. Not Involved")
        moderator = make_moderator()
    return People


@pytest.fixture
def consultation(people):
    return make_request(people.requester, people.doctor, photos_in=[(image_bytes(), "cheek.jpg")])


@pytest.fixture
def headers(bearer):
    cache: dict = {}

    def for_user(user):
        if user is None:
            return {}
        if user.id not in cache:
            cache[user.id] = bearer(user)
        return cache[user.id]
    return for_user


def body_for(doctor, **overrides) -> dict:
    data = {**DETAILS, "doctor_id": doctor.doctor_profile.id, "consent": True}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(photo_dir) -> list:
    return list(photo_dir.iterdir()) if photo_dir.exists() else []


def upload(client, path, files, headers):
    return client.post(path, headers=headers, content_type="multipart/form-data",
                       data={"photos": [(io.BytesIO(raw), name) for raw, name in files]})


# ---- creating ----

def test_a_member_sends_a_request_and_gets_it_back(client, people, headers):
    response = client.post(API, json=body_for(people.doctor), headers=headers(people.requester))
    assert response.status_code == 201, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert set(data) == {"id", "status", "role", "other_party", "concern", "unread", "created_at", "updated_at",
                         "requested_specialty", "scheduled_for", "details", "messages", "photos"}
    assert data["status"] == "submitted" and data["role"] == "requester" and len(data["id"]) == 32
    assert data["details"]["description"] == SECRET_DESCRIPTION and data["photos"] == []
    assert data["other_party"] == {"id": people.doctor.id, "name": "Dr. Chosen One"}
    assert "email" not in json.dumps(data) and people.doctor.email not in json.dumps(data)


def test_any_verified_doctor_of_a_specialty(client, people, headers):
    people.doctor.doctor_profile.accepts_consultations = False
    db.session.commit()
    response = client.post(API, json=body_for(people.doctor, doctor_id=None, specialty="dermatology"),
                           headers=headers(people.requester))
    assert response.status_code == 201
    assert response.get_json()["other_party"]["id"] == people.other_doctor.id
    assert response.get_json()["requested_specialty"] == "dermatology"


@pytest.mark.parametrize("consent", [False, None, "no", 0, "missing"])
def test_consent_is_required_and_nothing_is_stored(client, people, headers, consent):
    body = body_for(people.doctor, consent=consent)
    if consent == "missing":
        body.pop("consent")
    error = error_of(client.post(API, json=body, headers=headers(people.requester)), 422, "invalid")
    assert "consent" in error["fields"]
    assert count(ConsultationRequest) == 0


@pytest.mark.parametrize("extra", [{"status": "completed"}, {"requester_id": 1}, {"doctor_unread": False},
                                   {"id": "0" * 32}, {"photos": []}])
def test_unknown_fields_are_refused(client, people, headers, extra):
    error_of(client.post(API, json={**body_for(people.doctor), **extra}, headers=headers(people.requester)), 422)
    assert count(ConsultationRequest) == 0


def test_a_doctor_who_is_not_accepting_is_refused(client, people, headers):
    people.doctor.doctor_profile.accepts_consultations = False
    db.session.commit()
    error = error_of(client.post(API, json=body_for(people.doctor), headers=headers(people.requester)), 422)
    assert error["fields"] == {"doctor_id": ["This doctor is not accepting consultation requests right now."]}


def test_creating_needs_authentication(client, people):
    error_of(client.post(API, json=body_for(people.doctor)), 401, "unauthorized")
    assert count(ConsultationRequest) == 0


# ---- photos ----

def test_the_requester_attaches_photos_stripped_of_exif(client, people, headers, consultation, photo_dir):
    response = upload(client, f"{API}/{consultation.id}/photos",
                      [(jpeg_with_exif(), "gps.jpg"), (image_bytes("WEBP"), "b.webp")], headers(people.requester))
    assert response.status_code == 201, response.get_json()
    photos = response.get_json()["photos"]
    assert [p["content_type"] for p in photos] == ["image/jpeg", "image/jpeg", "image/webp"]
    served = client.get(photos[1]["url"], headers=headers(people.doctor))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store" and served.headers["Content-Disposition"] == "attachment"
    with Image.open(io.BytesIO(served.data)) as image:
        assert dict(image.getexif()) == {}
    assert b"Quixotryl" not in served.data and len(stored_files(photo_dir)) == 3


@pytest.mark.parametrize(("raw", "name", "message"), [
    (b"<html><script>alert(1)</script></html>", "x.png", "x.png contains web page code, so it was refused."),
    (image_bytes() + b"<script>alert(1)</script>", "p.jpg", "p.jpg contains web page code, so it was refused."),
])
def test_a_bad_photo_is_refused_and_nothing_is_stored(client, people, headers, consultation, photo_dir, raw, name,
                                                      message):
    response = upload(client, f"{API}/{consultation.id}/photos", [(image_bytes(), "ok.jpg"), (raw, name)],
                      headers(people.requester))
    assert error_of(response, 422)["fields"] == {"photos": [message]}
    assert count(ConsultationPhoto) == 1 and len(stored_files(photo_dir)) == 1


def test_more_than_five_photos_in_all_are_refused(client, people, headers, consultation):
    response = upload(client, f"{API}/{consultation.id}/photos", [(image_bytes(), f"{i}.jpg") for i in range(5)],
                      headers(people.requester))
    assert error_of(response, 422)["fields"] == {"photos": ["Attach at most 5 photos in all."]}
    assert count(ConsultationPhoto) == 1


def test_attaching_needs_a_photo(client, people, headers, consultation):
    response = client.post(f"{API}/{consultation.id}/photos", headers=headers(people.requester),
                           content_type="multipart/form-data", data={})
    assert "photos" in error_of(response, 422)["fields"]


# ---- the workflow ----

def _actor(people, action):
    return people.requester if action == "withdraw" else people.doctor


def _payload(action) -> dict:
    if action == "decline":
        return {"message": "Not something I treat."}
    if action == "schedule":
        return {"scheduled_for": FUTURE.isoformat() + "Z"}
    return {}


@pytest.mark.parametrize(("status", "action"), list(LEGAL), ids=[f"{s.value}-{a}" for s, a in LEGAL])
def test_every_legal_move(client, people, headers, consultation, status, action):
    set_status(consultation, status)
    response = client.post(f"{API}/{consultation.id}/{action}", json=_payload(action),
                           headers=headers(_actor(people, action)))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["status"] == LEGAL[(status, action)].value
    assert data["messages"][-1]["kind"] == action
    if action == "schedule":
        assert data["scheduled_for"].startswith("2099-06-01T15:30")


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s.value}-{a}" for s, a in ILLEGAL])
def test_every_illegal_move_is_409(client, people, headers, consultation, status, action):
    set_status(consultation, status)
    response = client.post(f"{API}/{consultation.id}/{action}", json=_payload(action),
                           headers=headers(_actor(people, action)))
    error = error_of(response, 409, "conflict")
    assert status.value in error["message"]
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, consultation.id).status == status


def test_a_proposed_time_with_an_offset_is_returned_in_utc(client, people, headers, consultation):
    set_status(consultation, S.ACCEPTED)
    response = client.post(f"{API}/{consultation.id}/schedule", json={"scheduled_for": "2099-06-01T17:30:00+02:00"},
                           headers=headers(people.doctor))
    assert response.status_code == 200 and response.get_json()["scheduled_for"].startswith("2099-06-01T15:30")


@pytest.mark.parametrize(("action", "payload", "field"), [
    ("decline", {}, "message"), ("schedule", {}, "scheduled_for"),
    ("schedule", {"scheduled_for": "2001-01-01T00:00:00Z"}, "scheduled_for"),
    ("schedule", {"scheduled_for": "next tuesday"}, "scheduled_for"),
])
def test_a_move_with_a_missing_or_bad_detail_is_422(client, people, headers, consultation, action, payload, field):
    if action == "schedule":
        set_status(consultation, S.ACCEPTED)
    error = error_of(client.post(f"{API}/{consultation.id}/{action}", json=payload, headers=headers(people.doctor)),
                     422, "invalid")
    assert field in error["fields"]


@pytest.mark.parametrize("action", ["accept", "decline", "schedule", "complete"])
def test_the_requester_cannot_make_the_doctors_moves(client, people, headers, consultation, action):
    set_status(consultation, {"accept": S.SUBMITTED, "decline": S.SUBMITTED, "schedule": S.ACCEPTED,
                              "complete": S.SCHEDULED}[action])
    error_of(client.post(f"{API}/{consultation.id}/{action}", json=_payload(action),
                         headers=headers(people.requester)), 403, "forbidden")


def test_the_doctor_cannot_withdraw_the_members_request(client, people, headers, consultation):
    error_of(client.post(f"{API}/{consultation.id}/withdraw", json={}, headers=headers(people.doctor)), 403)
    assert consultation.status == S.SUBMITTED


def test_the_thread_and_the_notifications(client, people, headers, consultation):
    mail.SENT.clear()
    response = client.post(f"{API}/{consultation.id}/messages", json={"body": SECRET_MESSAGE},
                           headers=headers(people.requester))
    assert response.status_code == 201 and response.get_json()["messages"][-1]["body"] == SECRET_MESSAGE
    doctor_view = client.get(f"{API}/{consultation.id}", headers=headers(people.doctor)).get_json()
    assert doctor_view["unread"] is False and doctor_view["role"] == "doctor"
    [sent] = mail.SENT
    text, html = sent.get_body(("plain",)).get_content(), sent.get_body(("html",)).get_content()
    assert f"/consultations/{consultation.id}" in text
    assert not any(word in text + html + str(sent["Subject"]) for word in SECRET_WORDS)
    error_of(client.post(f"{API}/{consultation.id}/messages", json={"body": ""}, headers=headers(people.doctor)),
             422)


# ---- the privacy matrix ----

ROLES = ["visitor", "member", "other_doctor", "moderator", "requester", "doctor"]
MATRIX = {
    "detail": ("GET", "{id}", None, {"requester": 200, "doctor": 200}),
    "photo": ("GET", "{id}/photos/{photo}", None, {"requester": 200, "doctor": 200}),
    "accept": ("POST", "{id}/accept", {}, {"doctor": 200, "requester": 403}),
    "decline": ("POST", "{id}/decline", {"message": "No."}, {"doctor": 200, "requester": 403}),
    "withdraw": ("POST", "{id}/withdraw", {}, {"requester": 200, "doctor": 403}),
    "messages": ("POST", "{id}/messages", {"body": "Hello"}, {"requester": 201, "doctor": 201}),
    "add-photos": ("UPLOAD", "{id}/photos", None, {"requester": 201}),
}


def _call(client, method, path, data, headers):
    if method == "GET":
        return client.get(path, headers=headers)
    if method == "UPLOAD":
        return upload(client, path, [(image_bytes(), "a.jpg")], headers)
    return client.post(path, json=data, headers=headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_privacy_matrix(client, people, headers, consultation, endpoint, role):
    """The two parties get their answer (the wrong party 403 on the other's move); other users
    get exactly the 404 of an id that does not exist; anonymous callers get 401 for any id, real
    or not (the API asks for credentials before it looks anything up), so nothing is revealed."""
    method, template, data, allowed = MATRIX[endpoint]
    user = None if role == "visitor" else getattr(people, role)
    expected = allowed.get(role, 401 if role == "visitor" else 404)
    response = _call(client, method, f"{API}/" + template.format(id=consultation.id, photo=consultation.photos[0].id),
                     data, headers(user))
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    if role not in allowed:
        missing = _call(client, method, f"{API}/" + template.format(id="0" * 32, photo="0" * 32), data, headers(user))
        assert missing.status_code == expected
        assert same_answer(response, missing)


def test_outsiders_changed_nothing(client, people, headers, consultation):
    for user in (None, people.member, people.other_doctor, people.moderator):
        for action, data in (("accept", {}), ("withdraw", {}), ("messages", {"body": "Hi"})):
            client.post(f"{API}/{consultation.id}/{action}", json=data, headers=headers(user))
        upload(client, f"{API}/{consultation.id}/photos", [(image_bytes(), "a.jpg")], headers(user))
    db.session.expire_all()
    fresh = db.session.get(ConsultationRequest, consultation.id)
    assert fresh.status == S.SUBMITTED and fresh.messages == [] and len(fresh.photos) == 1


def test_a_moderator_with_an_open_flag_reads_it_and_the_read_is_logged(client, people, headers, consultation):
    moderation_content.flag_content(people.requester, target_type="consultation", target_id=consultation.id,
                                    reason="privacy")
    response = client.get(f"{API}/{consultation.id}", headers=headers(people.moderator))
    assert response.status_code == 200 and response.get_json()["role"] == "moderator"
    [row] = db.session.scalars(select(ModerationLog).where(ModerationLog.action == "consultation.view")).all()
    assert (row.actor_id, row.target_type, row.target_id) == (people.moderator.id, "consultation", consultation.id)
    error_of(client.post(f"{API}/{consultation.id}/accept", json={}, headers=headers(people.moderator)), 404)


# ---- inbox, availability ----

def test_the_inbox_filters_by_status_and_shows_unread(client, people, headers, consultation):
    other = make_request(people.requester, people.other_doctor, concern="Another concern")
    make_request(people.member, people.doctor, concern="Not the requester's")
    set_status(other, S.DECLINED)
    response = client.get(API, headers=headers(people.requester))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    items = response.get_json()["items"]
    assert {i["id"] for i in items} == {consultation.id, other.id}
    assert [i["id"] for i in client.get(f"{API}?status=declined", headers=headers(people.requester))
            .get_json()["items"]] == [other.id]
    doctor_items = client.get(API, headers=headers(people.doctor)).get_json()["items"]
    assert len(doctor_items) == 2 and all(i["unread"] and i["role"] == "doctor" for i in doctor_items)
    error_of(client.get(f"{API}?status=lost", headers=headers(people.requester)), 422)
    error_of(client.get(API), 401)


def test_a_doctor_turns_accepting_off_and_on(client, people, headers):
    response = client.put("/api/v1/doctor/accepting", json={"accepting": False}, headers=headers(people.doctor))
    assert response.status_code == 200 and response.get_json() == {"message": "not accepting"}
    error_of(client.post(API, json=body_for(people.doctor), headers=headers(people.requester)), 422)
    client.put("/api/v1/doctor/accepting", json={"accepting": True}, headers=headers(people.doctor))
    assert client.post(API, json=body_for(people.doctor), headers=headers(people.requester)).status_code == 201
    error_of(client.put("/api/v1/doctor/accepting", json={"accepting": False}, headers=headers(people.member)), 403)


# ---- export and deletion ----

def test_the_export_is_a_zip_of_the_members_data_and_photos_and_nobody_elses(client, people, headers, consultation):
    make_request(people.member, people.doctor, description="The other member's own private description.")
    response = client.get("/api/v1/account/export", headers=headers(people.requester))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/zip" and response.headers["Content-Disposition"].startswith(
        "attachment; filename=ask-a-cosmetic-doctor-export-")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    data = json.loads(archive.read("data.json"))
    assert [c["id"] for c in data["consultations"]] == [consultation.id]
    assert archive.read(data["consultations"][0]["photos"][0]["file"]) == stored_photos.read(
        consultation.photos[0].stored_name)
    dumped = json.dumps(data)
    assert "other member's own private description" not in dumped and people.member.email not in dumped
    error_of(client.get("/api/v1/account/export"), 401)


def test_deleting_the_account_needs_the_password(client, people, headers, consultation, photo_dir):
    auth = headers(people.requester)
    error = error_of(client.delete("/api/v1/account", json={"password": "wrong password"}, headers=auth), 422)
    assert error["fields"] == {"password": ["Your password is not correct."]}
    error_of(client.delete("/api/v1/account", json={}, headers=auth), 422)
    assert count(ConsultationRequest) == 1 and len(stored_files(photo_dir)) == 1

    response = client.delete("/api/v1/account", json={"password": PASSWORD}, headers=auth)
    assert response.status_code == 204
    assert count(ConsultationRequest) == count(ConsultationPhoto) == 0 and stored_files(photo_dir) == []
    assert db.session.get(User, people.requester.id) is None
    error_of(client.get(API, headers=auth), 401)  # the token went with the account


def test_deleting_keeps_questions_as_a_deleted_users_unless_asked(client, people, headers):
    from forum.services.seed import load_seed
    from tests.services.test_account_data import SEED

    load_seed(SEED)
    kept = questions.ask_question(people.member, title="Is retinol safe to use with vitamin C serum?",
                                  body="I use a vitamin C serum in the morning; can I add retinol at night?",
                                  topics=["acne"], treatments=[]).question
    response = client.delete("/api/v1/account", json={"password": PASSWORD}, headers=headers(people.member))
    assert response.status_code == 204
    db.session.expire_all()
    question = db.session.get(Question, kept.id)
    assert question.author_id is None and not question.hidden
    gone = questions.ask_question(people.requester, title="Does tranexamic acid fade melasma for good?",
                                  body="My melasma came back after the summer; is oral tranexamic acid an option?",
                                  topics=["acne"], treatments=[]).question
    response = client.delete("/api/v1/account", json={"password": PASSWORD, "delete_questions": True},
                             headers=headers(people.requester))
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Question, gone.id).hidden


# ---- the OpenAPI document ----

def test_the_openapi_document_describes_the_consultation_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, methods in {"/api/v1/consultations": {"get", "post"},
                          "/api/v1/consultations/{consultation_id}": {"get"},
                          "/api/v1/consultations/{consultation_id}/photos": {"post"},
                          "/api/v1/consultations/{consultation_id}/photos/{photo_id}": {"get"},
                          "/api/v1/consultations/{consultation_id}/messages": {"post"},
                          "/api/v1/doctor/accepting": {"put"},
                          "/api/v1/account/export": {"get"},
                          "/api/v1/account": {"delete"}}.items():
        assert methods <= set(paths[path]), path
    assert "consent" in spec["components"]["schemas"]["ConsultationIn"]["required"]
    export = spec["paths"]["/api/v1/account/export"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"application/zip"} and "Content-Disposition" in export["headers"]
