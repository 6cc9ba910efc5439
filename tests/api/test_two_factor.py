"""Two-factor authentication through the API (issue #12, item 10): token minting honours it, and
moderators or admins without it are refused every staff operation with a clear 403."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ApiToken, ModerationLog, Question
from forum.services import questions
from forum.services.seed import load_seed
from tests.api.helpers import error_of
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_admin, make_moderator, make_user, totp_code

EXCHANGE = "/api/v1/auth/token"


def tokens() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


# ---- token minting ----

def test_exchanging_the_password_for_a_token_needs_the_code_when_enrolled(client):
    moderator = make_moderator()
    body = {"email": moderator.email, "password": PASSWORD, "name": "script"}
    error = error_of(client.post(EXCHANGE, json=body), 422, "invalid")
    assert list(error["fields"]) == ["code"]
    error_of(client.post(EXCHANGE, json={**body, "code": "000000"}), 422, "invalid")
    assert tokens() == 0
    response = client.post(EXCHANGE, json={**body, "code": totp_code(moderator)})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert me.get_json()["id"] == moderator.id


def test_a_members_exchange_needs_no_code(client):
    member = make_user()
    response = client.post(EXCHANGE, json={"email": member.email, "password": PASSWORD, "name": "script"})
    assert response.status_code == 201


def test_minting_with_a_session_needs_the_code_when_enrolled(client, browser):
    admin = make_admin()
    browser.login(admin)
    csrf = {"X-CSRFToken": browser.api_token()}
    error = error_of(client.post("/api/v1/tokens", json={"name": "s", "password": PASSWORD}, headers=csrf), 422)
    assert "code" in error["fields"]
    assert tokens() == 0
    made = client.post("/api/v1/tokens", json={"name": "s", "password": PASSWORD, "code": totp_code(admin)},
                       headers=csrf)
    assert made.status_code == 201


# ---- staff without two-factor ----

@pytest.fixture
def question(app):
    load_seed(app.config["SEED_PATH"])
    return questions.ask_question(make_user(), title="Does microneedling help rolling acne scars?",
                                  body="I have rolling scars on both cheeks; would microneedling help at all?",
                                  topics=["acne"], treatments=[]).question


@pytest.mark.parametrize("make_staff", [make_moderator, make_admin], ids=["moderator", "admin"])
def test_staff_without_two_factor_are_refused_staff_operations_with_a_clear_403(client, browser, question,
                                                                                  make_staff):
    staff = make_staff(two_factor=False)
    browser.login(staff)
    csrf = {"X-CSRFToken": csrf_token(client, "/account/two-factor")}  # the one page they may use
    for response in (client.get("/api/v1/mod/flags"), client.get("/api/v1/mod/log"),
                     client.post(f"/api/v1/mod/content/question/{question.id}/hide", json={"reason": "Test"},
                                 headers=csrf)):
        error = error_of(response, 403, "two_factor_required")
        assert "two-factor" in error["message"] and "/account/two-factor" in error["message"]
    db.session.refresh(question)
    assert not question.hidden
    assert db.session.scalar(select(func.count()).select_from(ModerationLog)) == 0


def test_staff_without_two_factor_cannot_get_a_token(client):
    moderator = make_moderator(two_factor=False)
    response = client.post(EXCHANGE, json={"email": moderator.email, "password": PASSWORD, "name": "script"})
    error_of(response, 403, "two_factor_required")
    assert tokens() == 0


def test_enrolled_staff_do_staff_operations(client, bearer, question):
    headers = bearer(make_moderator())
    assert client.get("/api/v1/mod/flags", headers=headers).status_code == 200
    response = client.post(f"/api/v1/mod/content/question/{question.id}/hide", json={"reason": "Test"}, headers=headers)
    assert response.status_code == 200
    assert db.session.get(Question, question.id).hidden
