"""API accounts: registration, the current user, bearer tokens, the doctor application, resets."""
import pytest
from sqlalchemy import func, select

from forum import mail
from forum.extensions import db
from forum.models import ApiToken, DoctorProfile, Role, User, UserStatus, VerificationStatus
from tests.api.helpers import error_of, same_answer
from tests.factories import PASSWORD, application_data, make_doctor, make_user

REGISTER = "/api/v1/auth/register"
GOOD = {"email": "New.Member@Example.org", "display_name": "New Member", "password": PASSWORD,
        "confirm_adult": True}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


# ---- registration ----

def test_register_creates_a_member_and_answers_202(client):
    response = client.post(REGISTER, json=GOOD)
    assert response.status_code == 202
    assert set(response.get_json()) == {"message"}
    user = db.session.scalars(select(User)).one()
    assert user.email == "new.member@example.org"
    assert user.role == Role.MEMBER
    assert user.password_hash.startswith("scrypt:")


def test_register_with_a_taken_address_in_another_case_answers_the_same_and_adds_no_row(client):
    fresh = client.post(REGISTER, json=GOOD)
    taken = client.post(REGISTER, json={**GOOD, "email": "NEW.MEMBER@example.ORG", "display_name": "Someone Else"})
    assert fresh.status_code == taken.status_code == 202
    assert fresh.get_json() == taken.get_json()
    assert user_count() == 1
    assert db.session.scalars(select(User)).one().display_name == "New Member"


@pytest.mark.parametrize(("change", "field"), [
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"password": "short pw 1"}, "password"),
    ({"password": "password1234"}, "password"),
    ({"confirm_adult": False}, "confirm_adult"),
    ({"confirm_adult": None}, "confirm_adult"),
    ({"display_name": " "}, "display_name"),
], ids=["bad-email", "empty-email", "short-password", "common-password", "not-adult", "null-adult",
        "blank-name"])
def test_register_refuses_invalid_input_with_field_errors(client, change, field):
    error = error_of(client.post(REGISTER, json={**GOOD, **change}), 422, "invalid")
    assert field in error["fields"]
    assert user_count() == 0


@pytest.mark.parametrize("missing", ["email", "display_name", "password", "confirm_adult"])
def test_register_needs_every_field(client, missing):
    body = {key: value for key, value in GOOD.items() if key != missing}
    error = error_of(client.post(REGISTER, json=body), 422, "invalid")
    assert list(error["fields"]) == [missing]
    assert user_count() == 0


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"is_verified_doctor": True}, {"status": "active"}])
def test_register_refuses_unknown_fields_and_stores_nothing(client, extra):
    error = error_of(client.post(REGISTER, json={**GOOD, **extra}), 422, "invalid")
    assert list(extra) == list(error["fields"])
    assert user_count() == 0


def test_register_keeps_a_password_with_spaces_and_unicode_as_typed(client):
    password = "  ünïcode pass phrase  "
    assert client.post(REGISTER, json={**GOOD, "password": password}).status_code == 202
    response = client.post("/api/v1/auth/token", json={"email": GOOD["email"], "password": password,
                                                        "name": "script"})
    assert response.status_code == 201


# ---- the current user ----

def test_me_refuses_anonymous_callers_with_a_json_401(client):
    error_of(client.get("/api/v1/me"), 401, "unauthorized")


def test_me_answers_the_token_owner_without_secrets(client, bearer):
    user = make_user(display_name="Token Owner")
    response = client.get("/api/v1/me", headers=bearer(user))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["email"], body["display_name"], body["role"]) == (
        user.id, user.email, "Token Owner", "member")
    assert body["is_verified_doctor"] is False and body["doctor_application"] is None
    text = response.get_data(as_text=True)
    assert "password" not in text and user.password_hash not in text


def test_me_with_a_malformed_authorization_header_is_401(client):
    error_of(client.get("/api/v1/me", headers={"Authorization": "Bearer fct_not-a-real-token"}), 401)
    error_of(client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


# ---- tokens ----

def test_token_exchange_gives_a_working_token_stored_only_hashed(client):
    user = make_user()
    response = client.post("/api/v1/auth/token", json={"email": user.email.upper(), "password": PASSWORD,
                                                        "name": "backup script"})
    assert response.status_code == 201
    body = response.get_json()
    raw = body["token"]
    assert body["name"] == "backup script" and raw.startswith(body["prefix"])
    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_hash != raw and raw not in stored.token_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_token_exchange_answers_the_same_for_a_wrong_password_and_an_unknown_address(client):
    user = make_user()
    wrong = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD + "x",
                                                     "name": "x"})
    unknown = client.post("/api/v1/auth/token", json={"email": "nobody@example.test", "password": PASSWORD,
                                                       "name": "x"})
    assert wrong.status_code == unknown.status_code
    assert wrong.status_code in (401, 422)
    assert same_answer(wrong, unknown)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_tokens_list_never_shows_token_values(client, bearer):
    user = make_user()
    headers = bearer(user)
    created = client.post("/api/v1/tokens", json={"name": "second", "password": PASSWORD}, headers=headers)
    assert created.status_code == 201 and created.get_json()["token"].startswith("fct_")
    listed = client.get("/api/v1/tokens", headers=headers)
    assert listed.status_code == 200
    assert sorted(t["name"] for t in listed.get_json()) == ["second", "tests"]
    assert all("token" not in t and "token_hash" not in t for t in listed.get_json())


def test_a_revoked_token_no_longer_authenticates(client, bearer):
    user = make_user()
    headers = bearer(user)
    token_id = client.get("/api/v1/tokens", headers=headers).get_json()[0]["id"]
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=headers)
    assert response.status_code == 204
    error_of(client.get("/api/v1/me", headers=headers), 401)


def test_a_suspended_users_token_no_longer_authenticates(client, bearer):
    user = make_user()
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    error_of(client.get("/api/v1/me", headers=headers), 401)


def test_revoking_another_users_token_is_not_found_and_leaves_it_working(client, bearer):
    owner, other = make_user(), make_user()
    owner_headers = bearer(owner)
    token_id = db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == owner.id)).one()
    error_of(client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(other)), 404, "not_found")
    error_of(client.delete("/api/v1/tokens/999999", headers=bearer(other)), 404, "not_found")
    assert client.get("/api/v1/me", headers=owner_headers).status_code == 200


def test_creating_a_token_needs_authentication(client):
    error_of(client.post("/api/v1/tokens", json={"name": "x"}), 401)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


# ---- doctor application ----

def test_a_member_applies_as_a_doctor_and_sees_the_pending_application(client, bearer):
    user = make_user()
    headers = bearer(user)
    error_of(client.get("/api/v1/doctor-application", headers=headers), 404, "not_found")
    data = application_data()
    response = client.post("/api/v1/doctor-application", json=data, headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and body["user_id"] == user.id
    assert body["license_number"] == data["license_number"] and body["verified_credentials"] == []
    again = client.get("/api/v1/doctor-application", headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert client.get("/api/v1/me", headers=headers).get_json()["doctor_application"]["status"] == "pending"


@pytest.mark.parametrize(("change", "field"), [
    ({"full_name": ""}, "full_name"),
    ({"specialty": "astrology"}, "specialty"),
    ({"license_number": "x" * 61}, "license_number"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"status": "verified"}, "status"),
    ({"bio": "bell\x07"}, "bio"),
], ids=["blank-name", "bad-specialty", "long-license", "js-website", "status-injection", "control-char"])
def test_doctor_application_refuses_invalid_input_with_field_errors(client, bearer, change, field):
    response = client.post("/api/v1/doctor-application", json=application_data(**change), headers=bearer(make_user()))
    assert field in error_of(response, 422, "invalid")["fields"]
    assert db.session.scalar(select(func.count()).select_from(DoctorProfile)) == 0


def test_doctor_application_lists_every_missing_required_field(client, bearer):
    response = client.post("/api/v1/doctor-application", json={}, headers=bearer(make_user()))
    fields = error_of(response, 422)["fields"]
    assert set(fields) == {"full_name", "credentials", "specialty", "license_number", "license_region",
                           "city", "country"}


def test_a_pending_or_verified_doctor_cannot_apply_again(client, bearer):
    for status in (VerificationStatus.PENDING, VerificationStatus.VERIFIED):
        headers = bearer(make_doctor(status=status))
        error_of(client.post("/api/v1/doctor-application", json=application_data(), headers=headers), 403)


def test_anonymous_callers_cannot_apply_or_read_an_application(client):
    error_of(client.post("/api/v1/doctor-application", json=application_data()), 401)
    error_of(client.get("/api/v1/doctor-application"), 401)


# ---- password reset ----

def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    user = make_user()
    known = client.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert [m["To"] for m in mail.SENT] == [user.email]


def test_password_reset_validates_the_address(client):
    assert "email" in error_of(client.post("/api/v1/auth/password-reset", json={"email": "nope"}), 422)["fields"]


def test_a_bad_token_never_falls_back_to_the_session_cookie(browser, client):
    browser.login(make_user())
    bogus = {"Authorization": "Bearer fct_made-up"}
    error_of(client.get("/api/v1/me", headers=bogus), 401)
    error_of(client.post("/api/v1/tokens", json={"name": "no csrf"}, headers=bogus), 401)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_token_speaks_for_its_owner_even_beside_another_users_session(browser, client, bearer):
    browser.login(make_user())
    owner = make_user()
    assert client.get("/api/v1/me", headers=bearer(owner)).get_json()["id"] == owner.id


# ---- the language setting (#16) ----

def test_me_shows_and_changes_the_language(client, bearer):
    user = make_user()
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).json["locale"] is None
    changed = client.patch("/api/v1/me", json={"locale": "es"}, headers=headers)
    assert changed.status_code == 200 and changed.json["locale"] == "es"
    assert client.patch("/api/v1/me", json={}, headers=headers).json["locale"] == "es"  # left out: unchanged
    assert client.patch("/api/v1/me", json={"locale": None}, headers=headers).json["locale"] is None
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None


@pytest.mark.parametrize("bad", ["fr", "", 5, ["es"], "a-very-long-code"])
def test_me_refuses_a_language_we_do_not_offer_at_the_locale_field(client, bearer, bad):
    user = make_user(locale="en")
    error = error_of(client.patch("/api/v1/me", json={"locale": bad}, headers=bearer(user)), 422, "invalid")
    assert set(error["fields"]) == {"locale"}
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_me_refuses_fields_it_does_not_change(client, bearer):
    error = error_of(client.patch("/api/v1/me", json={"email": "x@example.org"}, headers=bearer(make_user())), 422)
    assert set(error["fields"]) == {"email"}
    error_of(client.patch("/api/v1/me", json={"locale": "es"}), 401, "unauthorized")


def test_registering_in_spanish_stores_spanish(client):
    assert client.post(REGISTER, json=GOOD, headers={"Accept-Language": "es"}).status_code == 202
    assert db.session.scalars(select(User)).one().locale == "es"
