"""Bearer tokens do not outlive recovery (issue #12, finding 2): they expire, show their last use,
die with log-out-everywhere, a password change or reset, a suspension and a ban, and minting one
asks for the password again."""
from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest
from babel.dates import format_date, format_datetime
from sqlalchemy import func, select

from forum import mail
from forum.errors import Invalid
from forum.extensions import db
from forum.models import ApiToken
from forum.services import accounts, moderation_users
from tests.api.helpers import error_of
from tests.factories import PASSWORD, make_moderator, make_user, mint_token

NEW_PASSWORD = "another fine passphrase"


def bearer_of(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def works(client, raw: str) -> bool:
    response = client.get("/api/v1/me", headers=bearer_of(raw))
    if response.status_code != 200:
        error_of(response, 401, "unauthorized")
    return response.status_code == 200


@pytest.fixture
def member(app):
    return make_user()


@pytest.fixture
def raw(client, member):
    token = mint_token(member, "laptop script")
    assert works(client, token)
    return token


# ---- revoked by every recovery path ----

def test_logging_out_everywhere_kills_the_token(client, browser, member, raw):
    browser.login(member)
    browser.post_form("/logout", {}, token_from="/account")
    assert not works(client, raw)


def test_a_password_change_kills_the_token(client, browser, member, raw):
    browser.login(member)
    response = browser.post_form("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                                 token_from="/account")
    assert response.status_code == 303
    assert not works(client, raw)


def test_a_password_reset_kills_the_token(client, browser, member, raw):
    client.post("/api/v1/auth/password-reset", json={"email": member.email})
    (message,) = [m for m in mail.SENT if m["To"] == member.email]
    token = re.search(r"/reset-password/([A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content()).group(1)
    response = browser.post_form(f"/reset-password/{token}", {"password": NEW_PASSWORD})
    assert response.status_code == 303
    assert not works(client, raw)


@pytest.mark.parametrize("action, days", [("suspend", 3), ("ban", None)])
def test_a_suspension_or_ban_kills_the_token_for_good(client, frozen_clock, member, raw, action, days):
    moderation_users.moderate_user(make_moderator(), user_id=member.id, action=action, reason="Spam", days=days)
    assert not works(client, raw)
    if action == "suspend":
        moderation_users.moderate_user(make_moderator(), user_id=member.id, action="restore", reason="Appeal")
        assert member.is_active
        assert not works(client, raw)  # revoked, not merely refused while suspended


def test_revoked_tokens_show_as_revoked_in_the_list(client, browser, member, raw):
    browser.login(member)
    browser.post_form("/logout", {}, token_from="/account")
    fresh = mint_token(member, "new script")
    listed = {t["name"]: t for t in client.get("/api/v1/tokens", headers=bearer_of(fresh)).get_json()}
    assert listed["laptop script"]["revoked_at"] is not None and listed["new script"]["revoked_at"] is None


# ---- expiry and last use ----

def test_a_token_expires_after_90_days_with_a_clear_message(client, frozen_clock, member):
    raw = mint_token(member)
    frozen_clock.advance(days=89, hours=23)
    assert works(client, raw)
    frozen_clock.advance(hours=1)
    error = error_of(client.get("/api/v1/me", headers=bearer_of(raw)), 401, "unauthorized")
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id))
    expired = format_datetime(token.expires_at.replace(tzinfo=timezone.utc), "medium", tzinfo=timezone.utc, locale="en")
    assert f"expired on {expired} UTC" in error["message"]
    spanish = error_of(client.get("/api/v1/me", headers={**bearer_of(raw), "Accept-Language": "es"}), 401)
    assert spanish["message"].startswith("Este token de la API venció el ")


def test_the_lifetime_is_configurable(app, client, frozen_clock, member):
    app.config["API_TOKEN_LIFETIME_DAYS"] = 7
    raw = mint_token(member)
    frozen_clock.advance(days=7)
    assert "expired" in error_of(client.get("/api/v1/me", headers=bearer_of(raw)), 401)["message"]


def test_the_list_shows_expiry_and_last_use_written_at_most_hourly(client, frozen_clock, member, count_queries):
    raw = mint_token(member)
    created = frozen_clock.current
    (listed,) = client.get("/api/v1/tokens", headers=bearer_of(raw)).get_json()
    assert listed["expires_at"].startswith((created + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))
    assert listed["last_used_at"].startswith(created.strftime("%Y-%m-%dT%H:%M"))
    frozen_clock.advance(minutes=30)
    with count_queries() as q:
        assert works(client, raw)
    assert not [s for s in q.statements if s.lstrip().upper().startswith("UPDATE")]  # a read writes nothing
    frozen_clock.advance(minutes=31)
    (listed,) = client.get("/api/v1/tokens", headers=bearer_of(raw)).get_json()
    assert listed["last_used_at"].startswith(frozen_clock.current.strftime("%Y-%m-%dT%H:%M"))


def test_the_account_page_shows_expiry_and_last_use(client, browser, frozen_clock, member):
    raw = mint_token(member, "backup job")
    works(client, raw)
    browser.login(member)
    page = client.get("/account").get_data(as_text=True)
    expires = format_date(frozen_clock.current + timedelta(days=90), "medium", locale="en")  # "Mar 3, 2027"
    hour = frozen_clock.current.replace(minute=0, second=0, microsecond=0, tzinfo=timezone.utc)
    used = format_datetime(hour, "short", tzinfo=timezone.utc, locale="en")  # the hour only: "12/3/26, 4:00 PM"
    assert "backup job" in page and expires in page and used in page


# ---- minting asks for the password ----

def token_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


@pytest.mark.parametrize("password", [None, PASSWORD + "x"], ids=["without", "wrong"])
def test_minting_through_the_api_needs_the_password(client, browser, member, password):
    browser.login(member)
    body = {"name": "from the browser"} | ({"password": password} if password else {})
    response = client.post("/api/v1/tokens", json=body, headers={"X-CSRFToken": browser.api_token()})
    assert "password" in error_of(response, 422, "invalid")["fields"]
    assert token_count() == 0


@pytest.mark.parametrize("password", ["", PASSWORD + "x"], ids=["without", "wrong"])
def test_minting_on_the_account_page_needs_the_password(client, browser, member, password):
    browser.login(member)
    response = browser.post_form("/account/tokens", {"name": "my script", "password": password}, token_from="/account")
    assert response.status_code == 422
    assert 'id="token-password-error"' in response.get_data(as_text=True)
    assert token_count() == 0


def test_minting_with_the_password_works(client, browser, member):
    browser.login(member)
    response = client.post("/api/v1/tokens", json={"name": "ok", "password": PASSWORD},
                           headers={"X-CSRFToken": browser.api_token()})
    assert response.status_code == 201 and works(client, response.get_json()["token"])


def test_the_service_refuses_a_wrong_password(member):
    with pytest.raises(Invalid) as error:
        accounts.issue_token(member, name="x", password="guess")
    assert "password" in error.value.fields
    assert token_count() == 0
