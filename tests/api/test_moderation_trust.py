"""API: flags carry their weight, the moderators' flag queue shows it, new accounts cannot hide an
answer; banning with remove_posts removes the user's posts (logged) and restore_posts brings them back."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from forum.extensions import db
from forum.services import answers, questions
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.factories import make_doctor, make_moderator, make_trusted_member, make_user

SEED = Path(__file__).resolve().parents[2] / "seed"
_n = itertools.count(1)


@pytest.fixture
def app_config():
    return {"RATELIMIT_DEFAULT": "10000 per minute"}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


@pytest.fixture
def question():
    return questions.ask_question(make_user(), title=f"Does microneedling shrink quokkaish pores, case {next(_n)}?",
                                  body="My pores on the nose look large. Would microneedling make them smaller?",
                                  topics=["enlarged-pores"], treatments=[], anonymous=False).question


@pytest.fixture
def doctor():
    return make_doctor(full_name="Dr. Ada Fictional")


@pytest.fixture
def posted(question, doctor):
    return answers.post_answer(doctor, question_id=question.id,
                               body="Microneedling softens pores a little over three to six sessions.")


@pytest.fixture
def mod_headers(bearer):
    return bearer(make_moderator())


def answer_ids(client, question) -> list[int]:
    return [a["id"] for a in client.get(f"/api/v1/questions/{question.id}").get_json()["answers"]]


def report(client, bearer, user, answer):
    response = client.post("/api/v1/flags", json={"target_type": "answer", "target_id": str(answer.id),
                                                  "reason": "spam"}, headers=bearer(user))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_twenty_new_accounts_cannot_hide_an_answer_and_each_flag_says_its_weight(client, bearer, question, posted):
    weights = {report(client, bearer, make_user(), posted)["weight"] for _ in range(20)}
    assert weights == {0.25}
    assert answer_ids(client, question) == [posted.id]


def test_the_flag_queue_shows_weights(client, bearer, posted, mod_headers):
    for user in (make_user(), make_user(), make_trusted_member()):
        report(client, bearer, user, posted)
    (item,) = client.get("/api/v1/mod/flags", headers=mod_headers).get_json()
    assert item["weight"] == 1.5 and item["hidden"] is False
    assert sorted(f["weight"] for f in item["flags"]) == [0.25, 0.25, 1.0]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "weight" in schema["FlagOut"]["properties"] and "weight" in schema["FlaggedItemOut"]["properties"]


def test_ban_with_remove_posts_then_restore_with_restore_posts(client, question, posted, doctor, mod_headers):
    response = client.post(f"/api/v1/mod/users/{doctor.id}/ban", json={"reason": "Advertising", "remove_posts": True},
                           headers=mod_headers)
    assert response.status_code == 200 and response.get_json()["status"] == "banned"
    assert answer_ids(client, question) == []
    log = client.get("/api/v1/mod/log?action=user.remove_posts", headers=mod_headers).get_json()["items"]
    assert [(e["target_id"], e["reason"]) for e in log] == [
        (str(doctor.id), "Removed with the ban: 0 questions, 1 answer, 0 follow-ups. Advertising")]

    response = client.post(f"/api/v1/mod/users/{doctor.id}/restore",
                           json={"reason": "Appeal accepted", "restore_posts": True}, headers=mod_headers)
    assert response.status_code == 200 and response.get_json()["status"] == "active"
    assert answer_ids(client, question) == [posted.id]
    log = client.get("/api/v1/mod/log?action=user.restore_posts", headers=mod_headers).get_json()["items"]
    assert len(log) == 1 and log[0]["reason"].startswith("Restored what the ban removed: 0 questions, 1 answer")


@pytest.mark.parametrize("action, body, field", [
    ("suspend", {"reason": "Advertising", "days": 2, "remove_posts": True}, "remove_posts"),
    ("ban", {"reason": "Advertising", "restore_posts": True}, "restore_posts"),
    ("ban", {"reason": "Advertising", "remove_posts": "perhaps"}, "remove_posts"),
])
def test_remove_posts_and_restore_posts_are_checked(client, question, posted, doctor, mod_headers, action, body, field):
    error = error_of(client.post(f"/api/v1/mod/users/{doctor.id}/{action}", json=body, headers=mod_headers), 422)
    assert field in error["fields"]
    db.session.expire_all()
    assert doctor.status.value == "active" and answer_ids(client, question) == [posted.id]
