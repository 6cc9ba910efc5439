"""Two-factor authentication in the browser (issue #12, item 10): enrolment with a server-made QR
code, the code step of log-in, recovery codes, re-authentication, turning it off, and staff held
to enrolment."""
from __future__ import annotations

import re
from datetime import timezone

import pyotp
import pytest
from sqlalchemy import func, select

from forum import clock, mail
from forum.extensions import db
from forum.models import ApiToken, RecoveryCode
from tests.factories import PASSWORD, make_moderator, make_user, totp_code
from tests.web.html import text


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now().replace(tzinfo=timezone.utc))


def enrol(browser, client) -> tuple[str, list[str]]:
    """Set up two-factor on the account page; returns the secret and the recovery codes."""
    page = browser.post_form("/account/two-factor/setup", {"password": PASSWORD}, token_from="/account/two-factor")
    assert page.status_code == 200
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    done = browser.post_form("/account/two-factor/confirm", {"code": code_for(secret)},
                             token_from="/account/two-factor")
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return secret, codes


def next_step(user) -> None:
    """As if the next 30-second step had come: the code used at enrolment is spent."""
    user.totp_last_step = None
    db.session.commit()


def password_step(browser, user):
    return browser.post_form("/login", {"email": user.email, "password": PASSWORD})


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


# ---- enrolment ----

def test_the_enrolment_page_shows_a_server_made_qr_code_and_the_key(browser, client):
    browser.login(make_user())
    page = browser.post_form("/account/two-factor/setup", {"password": PASSWORD}, token_from="/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"<svg[^>]*>.*<path", html, re.S)  # drawn on the server: no QR library in the browser
    scripts = re.findall(r"<script[^>]*>", html)  # the site menu's file only
    assert len(scripts) == 1 and re.fullmatch(r'<script src="/static/js/menu(\.[0-9a-f]{12})?\.js" defer>', scripts[0])
    assert re.search(r'data-testid="totp-secret">[A-Z2-7]{32}<', html)


def test_setting_up_needs_the_password(browser, client):
    user = make_user()
    browser.login(user)
    page = browser.post_form("/account/two-factor/setup", {"password": "not it"}, token_from="/account/two-factor")
    assert page.status_code == 422 and "<svg" not in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret is None


def test_a_wrong_code_does_not_turn_it_on_and_a_right_one_does(browser, client):
    user = make_user()
    browser.login(user)
    page = browser.post_form("/account/two-factor/setup", {"password": PASSWORD}, token_from="/account/two-factor")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    wrong = browser.post_form("/account/two-factor/confirm", {"code": "000000" if code_for(secret) != "000000"
                                                              else "111111"}, token_from="/account/two-factor")
    assert wrong.status_code == 422 and "<svg" in wrong.get_data(as_text=True)  # try again on the same QR
    db.session.refresh(user)
    assert not user.two_factor_enabled
    right = browser.post_form("/account/two-factor/confirm", {"code": code_for(secret)},
                              token_from="/account/two-factor")
    assert right.status_code == 200
    db.session.refresh(user)
    assert user.two_factor_enabled
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", right.get_data(as_text=True))
    assert len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # kept hashed
    assert not any(c in text(client.get("/account/two-factor")) for c in codes)  # shown once


# ---- log-in ----

def test_an_enrolled_user_is_not_logged_in_until_the_code_is_right(browser, client, new_browser):
    user = make_user()
    browser.login(user)
    secret, _codes = enrol(browser, client)
    other = new_browser()
    response = password_step(other, user)
    assert response.status_code == 303 and response.headers["Location"].startswith("/login/code")
    assert not logged_in(other.client)
    wrong = other.post_form("/login/code", {"code": "12345"})
    assert wrong.status_code == 422 and not logged_in(other.client)
    next_step(user)
    right = other.post_form("/login/code", {"code": code_for(secret)})
    assert right.status_code == 303 and logged_in(other.client)


def test_a_code_works_only_once(browser, client, new_browser):
    user = make_user()
    browser.login(user)
    secret, _codes = enrol(browser, client)
    first, second = new_browser(), new_browser()
    password_step(first, user)
    password_step(second, user)
    next_step(user)
    code = code_for(secret)
    assert first.post_form("/login/code", {"code": code}).status_code == 303
    assert second.post_form("/login/code", {"code": code}).status_code == 422
    assert not logged_in(second.client)


def test_a_recovery_code_logs_in_once(browser, client, new_browser):
    user = make_user()
    browser.login(user)
    _secret, codes = enrol(browser, client)
    first, second = new_browser(), new_browser()
    password_step(first, user)
    assert first.post_form("/login/code", {"code": codes[0].upper().replace("-", " ")}).status_code == 303
    assert logged_in(first.client)
    password_step(second, user)
    assert second.post_form("/login/code", {"code": codes[0]}).status_code == 422
    assert not logged_in(second.client)
    assert "9 unused recovery codes" in text(first.client.get("/account/two-factor"))


def test_the_code_step_is_rate_limited(app, browser, client, new_browser):
    app.config["RATELIMIT_TWO_FACTOR"] = "3 per minute"
    user = make_moderator()
    password_step(browser, user)
    statuses = [browser.post_form("/login/code", {"code": "000001"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert browser.post_form("/login/code", {"code": totp_code(user)}).status_code == 429


def test_the_code_step_expires(browser, client, frozen_clock):
    user = make_moderator()
    password_step(browser, user)
    frozen_clock.advance(minutes=6)
    response = browser.post_form("/login/code", {"code": totp_code(user)}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not logged_in(client)


# ---- re-authentication and turning it off ----

def test_changing_the_password_needs_the_code_when_enrolled(browser, client):
    user = make_moderator()
    browser.login(user)
    form = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    refused = browser.post_form("/account/password", form, token_from="/account")
    assert refused.status_code == 422 and 'id="password-code-error"' in refused.get_data(as_text=True)
    assert browser.post_form("/account/password", {**form, "code": totp_code(user)},
                             token_from="/account").status_code == 303


def test_minting_a_token_needs_the_code_when_enrolled(browser, client):
    user = make_moderator()
    browser.login(user)
    refused = browser.post_form("/account/tokens", {"name": "s", "password": PASSWORD}, token_from="/account")
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    made = browser.post_form("/account/tokens", {"name": "s", "password": PASSWORD, "code": totp_code(user)},
                             token_from="/account")
    assert made.status_code == 201


def test_turning_it_off_needs_password_and_code_and_sends_a_mail(browser, client):
    user = make_user()
    browser.login(user)
    secret, _codes = enrol(browser, client)
    mail.SENT.clear()
    refused = browser.post_form("/account/two-factor/disable", {"password": PASSWORD, "code": "000000"},
                                token_from="/account/two-factor")
    assert refused.status_code == 422 and mail.SENT == []
    next_step(user)
    response = browser.post_form("/account/two-factor/disable", {"password": PASSWORD, "code": code_for(secret)},
                                 token_from="/account/two-factor")
    assert response.status_code == 303
    db.session.refresh(user)
    assert not user.two_factor_enabled
    (message,) = [m for m in mail.SENT if m["To"] == user.email]
    assert "turned off" in message["Subject"]
    assert "reset your password" in message.get_body(("plain",)).get_content()


# ---- staff are held to enrolment ----

@pytest.fixture
def unenrolled_moderator(app):
    return make_moderator(two_factor=False)


def test_a_moderator_without_two_factor_is_sent_to_enrol_from_moderation_pages(browser, client,
                                                                                 unenrolled_moderator):
    browser.login(unenrolled_moderator)
    for path in ("/mod", "/mod/flags", "/account"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "must turn it on" in text(page)
    assert client.get("/questions").status_code == 200  # public pages stay readable


def test_a_moderator_who_enrols_reaches_the_moderation_pages(browser, client, unenrolled_moderator):
    browser.login(unenrolled_moderator)
    enrol(browser, client)
    assert client.get("/mod").status_code == 200
