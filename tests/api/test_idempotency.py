"""Idempotency-Key on API writes (#12 finding 6): a retry with the same key and body gets the
first response again and creates nothing, even when the first attempt died right after its
commit; another body with the key gets 422; a key in use gets 409; keys are per user, last
24 hours, are purged by the periodic job, and go with the user. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from forum.extensions import db
from forum.jobs import tasks
from forum.models import (
    Answer, ConsultationPhoto, ConsultationRequest, Flag, IdempotencyKey, IdempotencyStatus, Question,
)
from forum.services import account_data, idempotency, questions
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.api.test_consultations import body_for, upload
from tests.factories import PASSWORD, make_doctor, make_user, mint_token
from tests.services.test_consultations import SECRET_DESCRIPTION, image_bytes

SEED = Path(__file__).resolve().parents[2] / "seed"
KEY = "5f0c6a4e-0b6e-4c1e-9a59-1d3c1f6a2b7e"
QUESTION = {"title": "Can micro-botox calm oily skin on my forehead?",
            "body": "My forehead is shiny by noon even with blotting papers. Would micro-botox help?",
            "topics": ["oily-skin"], "treatments": ["micro-botox"]}
ANSWER = {"body": "Micro-botox can reduce oil for three to four months; results vary between people."}



@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


@pytest.fixture
def people(app):
    class People:
        member = make_user(display_name="Pat Member")
        other = make_user(display_name="Sam Other")
        doctor = make_doctor(full_name="Dr. Kim Lee")
    return People


@pytest.fixture
def question(people):
    return questions.ask_question(people.other, title="Does microneedling shrink enlarged pores for good?",
                                  body="My pores on the nose look large. Would microneedling make them smaller?",
                                  topics=["enlarged-pores"], treatments=["microneedling"], anonymous=False).question


@pytest.fixture
def writes(people, question):
    """kind -> (user, path, body, what counts the rows it creates)."""
    return {
        "question": (people.member, "/api/v1/questions", QUESTION, lambda: count(Question)),
        "answer": (people.doctor, f"/api/v1/questions/{question.id}/answers", ANSWER, lambda: count(Answer)),
        "consultation": (people.member, "/api/v1/consultations", body_for(people.doctor),
                         lambda: count(ConsultationRequest)),
        "flag": (people.member, "/api/v1/flags", {"target_type": "question", "target_id": str(question.id),
                                                  "reason": "spam"}, lambda: count(Flag)),
    }


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def post(client, bearer, user, path, body, key=KEY):
    headers = {**bearer(user), **({"Idempotency-Key": key} if key is not None else {})}
    return client.post(path, json=body, headers=headers)


def key_row(user, key=KEY) -> IdempotencyKey:
    db.session.expire_all()
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                          IdempotencyKey.key == key))


KINDS = ["question", "answer", "consultation", "flag"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_with_the_same_key_and_body_gets_the_same_response_and_creates_nothing(client, bearer, writes,
                                                                                       kind):
    user, path, body, rows = writes[kind]
    before = rows()
    first = post(client, bearer, user, path, body)
    assert first.status_code == 201, first.get_json()
    retry = post(client, bearer, user, path, dict(reversed(list(body.items()))))  # same JSON, other key order
    assert retry.status_code == 201
    assert retry.get_data() == first.get_data()
    assert retry.headers["Content-Type"] == first.headers["Content-Type"]
    assert retry.headers.get("Location") == first.headers.get("Location")
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert rows() == before + 1
    assert key_row(user).status == IdempotencyStatus.DONE


def test_without_a_key_nothing_changes(client, bearer, writes):
    user, path, body, rows = writes["consultation"]
    assert post(client, bearer, user, path, body, key=None).status_code == 201
    assert post(client, bearer, user, path, body, key=None).status_code == 201
    assert rows() == 2 and count(IdempotencyKey) == 0


@pytest.mark.parametrize("change", ["body", "path"])
def test_the_same_key_for_another_request_is_refused(client, bearer, writes, change):
    user, path, body, rows = writes["question"]
    assert post(client, bearer, user, path, body).status_code == 201
    if change == "body":
        response = post(client, bearer, user, path, {**body, "title": "Can micro-botox calm an oily chin too?"})
    else:
        _, path, body, _ = writes["consultation"]
        response = post(client, bearer, user, path, body)
    error = error_of(response, 422, "invalid")
    assert "already used for a different request" in error["message"]
    assert error["fields"] == {"Idempotency-Key": ["Already used for a different request."]}
    assert rows() == 2 and count(ConsultationRequest) == 0


def test_another_user_may_use_the_same_key(client, bearer, people, writes):
    _, path, body, rows = writes["question"]
    first = post(client, bearer, people.member, path, body)
    second = post(client, bearer, people.doctor, path, body)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"] and "Idempotent-Replayed" not in second.headers
    assert rows() == 3 and count(IdempotencyKey) == 2


def test_a_key_in_use_gets_409_until_its_holder_is_presumed_dead(client, bearer, people, writes, frozen_clock):
    user, path, body, rows = writes["question"]
    holder = idempotency.begin(user.id, KEY, fingerprint="0" * 64, method="POST", path=path)  # another worker
    error = error_of(post(client, bearer, user, path, body), 409, "conflict")
    assert "still being processed" in error["message"] and rows() == 1
    frozen_clock.advance(seconds=61)  # the holder never committed: killed before its commit
    retry = post(client, bearer, user, path, body)
    assert retry.status_code == 201 and rows() == 2
    with pytest.raises(Exception, match="still being processed"):  # the stale holder can no longer commit
        idempotency.mark_committed(db.session, holder)
    db.session.rollback()
    assert post(client, bearer, user, path, body).get_data() == retry.get_data() and rows() == 2


@pytest.fixture
def killed_after_commit(app):
    """The worker dies once after the write committed, before any response left it."""
    state = {"armed": True}

    @app.after_request
    def die(response):
        if state.pop("armed", False):
            raise RuntimeError("worker killed")
        return response
    return state


@pytest.mark.parametrize("kind", ["question", "consultation"])
def test_a_worker_killed_after_the_commit_leaves_no_duplicate(client, bearer, writes, killed_after_commit, kind):
    user, path, body, rows = writes[kind]
    before = rows()
    with pytest.raises(RuntimeError, match="worker killed"):
        post(client, bearer, user, path, body)
    db.session.rollback()
    assert rows() == before + 1  # committed, yet its client never saw a response
    assert key_row(user).status == IdempotencyStatus.COMMITTED  # stamped in the write's own transaction
    error = error_of(post(client, bearer, user, path, body), 409, "conflict")
    assert "was carried out" in error["message"] and "will not be repeated" in error["message"]
    assert rows() == before + 1


def test_a_response_that_fails_after_the_commit_is_never_repeated(client, bearer, writes, monkeypatch):
    user, path, body, rows = writes["question"]
    from forum.api import questions as questions_api
    monkeypatch.setattr(questions_api, "_detail", lambda *a, **k: 1 / 0)
    assert error_of(post(client, bearer, user, path, body), 500)
    monkeypatch.undo()
    assert rows() == 2
    error_of(post(client, bearer, user, path, body), 409, "conflict")
    assert rows() == 2


def test_a_request_that_wrote_nothing_frees_its_key(client, bearer, writes):
    user, path, body, rows = writes["question"]
    error_of(post(client, bearer, user, path, {**body, "title": "Too short"}), 422)
    assert key_row(user) is None and rows() == 1
    corrected = post(client, bearer, user, path, body)
    assert corrected.status_code == 201 and rows() == 2


def test_keys_last_24_hours_then_count_as_new_and_are_purged(client, bearer, writes, frozen_clock):
    user, path, body, rows = writes["question"]
    first = post(client, bearer, user, path, body)
    frozen_clock.advance(hours=23, minutes=59)
    assert post(client, bearer, user, path, body).get_data() == first.get_data() and rows() == 2
    frozen_clock.advance(minutes=2)
    again = post(client, bearer, user, path, body)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers and rows() == 3
    frozen_clock.advance(hours=25)
    assert tasks.purge_idempotency_keys() == 1 and count(IdempotencyKey) == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "caf\u00e9", "tab\there"])
def test_an_invalid_key_is_refused_with_a_clear_message(client, bearer, writes, key):
    user, path, body, rows = writes["question"]
    error = error_of(post(client, bearer, user, path, body, key=key), 400, "bad_request")
    assert "printable ASCII" in error["message"] and "Idempotency-Key" in error["fields"]
    assert rows() == 1 and count(IdempotencyKey) == 0


def test_anonymous_callers_keys_are_ignored(client, writes):
    _, path, body, rows = writes["question"]
    error_of(client.post(path, json=body, headers={"Idempotency-Key": KEY}), 401, "unauthorized")
    assert count(IdempotencyKey) == 0


def test_consultation_replies_are_kept_encrypted_and_go_with_the_user(client, bearer, people, writes):
    user, path, body, _ = writes["consultation"]
    assert post(client, bearer, user, path, body).status_code == 201
    raw = db.session.execute(text("SELECT response_body FROM idempotency_keys")).scalar_one()
    assert SECRET_DESCRIPTION not in raw and SECRET_DESCRIPTION.split()[0] not in raw
    account_data.delete_account(user, password=PASSWORD)
    assert count(IdempotencyKey) == 0


def test_photo_uploads_are_not_attached_twice(client, bearer, people, writes):
    user, path, body, _ = writes["consultation"]
    consultation_id = post(client, bearer, user, path, body, key="create-1").get_json()["id"]
    headers = {**bearer(user), "Idempotency-Key": "photos-1"}
    files = [(image_bytes(), "cheek.jpg")]
    first = upload(client, f"{path}/{consultation_id}/photos", files, headers)
    assert first.status_code == 201, first.get_json()
    retry = upload(client, f"{path}/{consultation_id}/photos", files, headers)
    assert retry.get_data() == first.get_data() and count(ConsultationPhoto) == 1
    other = upload(client, f"{path}/{consultation_id}/photos", [(image_bytes("PNG"), "cheek.png")], headers)
    error_of(other, 422)
    assert count(ConsultationPhoto) == 1


def test_openapi_documents_the_header_on_every_write(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"
    assert parameter["schema"]["maxLength"] == 255
    writes = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
              if method in ("post", "put", "patch", "delete")]
    assert len(writes) > 30
    for path, method, operation in writes:
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"], (method, path)
        assert {"409", "422"} <= set(operation["responses"]), (method, path)


def test_two_servers_racing_with_one_key_make_one_row(redis_app_pair, monkeypatch):
    """Two app processes on one database; the second request arrives while the first is inside its write."""
    first_app, second_app = redis_app_pair
    with first_app.app_context():
        load_seed(SEED)
        user = make_user()
        raw = mint_token(user, name="race")
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": KEY}
    inside, may_finish = threading.Event(), threading.Event()
    real = questions.ask_question

    def slow_ask(*args, **kwargs):
        inside.set()
        may_finish.wait(10)
        return real(*args, **kwargs)
    monkeypatch.setattr(questions, "ask_question", slow_ask)
    results = {}
    runner = threading.Thread(target=lambda: results.setdefault(
        "first", first_app.test_client().post("/api/v1/questions", json=QUESTION, headers=headers)))
    runner.start()
    assert inside.wait(10)
    second = second_app.test_client().post("/api/v1/questions", json=QUESTION, headers=headers)
    may_finish.set()
    runner.join(10)
    assert second.status_code == 409 and results["first"].status_code == 201
    third = second_app.test_client().post("/api/v1/questions", json=QUESTION, headers=headers)
    assert third.get_data() == results["first"].get_data()
    with second_app.app_context():
        assert count(Question) == 1 and count(IdempotencyKey) == 1


def test_a_form_part_without_a_name_is_refused_not_a_server_error(client, people, question):
    """A multipart body whose part has no name (werkzeug reads it as None) still gets a fingerprint:
    the key is kept and the upload is refused as invalid, never a 500 (found by the contract test)."""
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA cheek\r\n--{boundary}--\r\n")
    response = client.post(f"/api/v1/questions/{question.id}/photos", data=body.encode(),
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"Authorization": f"Bearer {mint_token(question.author)}",
                                    "Idempotency-Key": "nameless-part-1"})
    assert response.status_code in (400, 403, 422), response.get_data(as_text=True)[:300]
