"""Sessions: a new one at log-in, ended on the server, bounded in time, carried in safe cookies."""
import pytest

from forum.extensions import db
from forum.models import UserStatus
from forum.services import accounts
from tests.factories import PASSWORD, make_user

ALLOWED_SESSION_KEYS = {"_user_id", "_fresh", "_id", "csrf_token", "_started", "_seen", "_flashes",
                        "_remember", "_remember_seconds"}


def logged_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


# ---- a new session at log-in ----

def test_log_in_starts_a_new_session(browser, client, cookies):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted_before_login"] = "attacker-chosen"
    before_cookie = cookies.get()
    before = cookies.session()
    browser.login(user)
    after = cookies.session()
    assert cookies.get() != before_cookie
    assert "planted_before_login" not in after
    assert after.get("csrf_token") != before.get("csrf_token")
    assert after["_user_id"] == user.get_id()


# ---- a copied cookie stops working on the server ----

def test_a_copied_session_cookie_stops_working_after_log_out(browser, client, cookies):
    browser.login(make_user())
    stolen = cookies.get()
    browser.post_form("/logout", {}, token_from="/")
    assert not logged_in(client)
    cookies.set(cookies.SESSION, stolen)
    assert not logged_in(client)


def test_logging_out_on_one_device_ends_the_session_on_another(browser, new_browser):
    user = make_user()
    laptop, phone = browser, new_browser()
    laptop.login(user)
    phone.login(user)
    assert logged_in(phone.client)
    laptop.post_form("/logout", {}, token_from="/")
    assert not logged_in(phone.client)


def test_a_copied_session_cookie_stops_working_after_a_password_change(browser, client, cookies):
    user = make_user()
    browser.login(user)
    stolen = cookies.get()
    response = browser.post_form("/account/password",
                                 {"current_password": PASSWORD, "new_password": "tulip-frog-9"},
                                 token_from="/account")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    cookies.set(cookies.SESSION, stolen)
    assert not logged_in(client)
    browser.login(user, password="tulip-frog-9")
    assert logged_in(client)


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.BANNED])
def test_a_copied_session_cookie_stops_working_once_the_member_is_suspended_or_banned(
        browser, client, cookies, status):
    user = make_user()
    browser.login(user)
    stolen = cookies.get()
    user.status = status
    accounts.end_all_sessions(user)
    db.session.commit()
    cookies.set(cookies.SESSION, stolen)
    assert not logged_in(client)


def test_a_suspended_members_session_ends_even_before_sessions_are_bumped(browser, client):
    user = make_user()
    browser.login(user)
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    assert not logged_in(client)


def test_remember_me_keeps_a_member_logged_in_after_the_session_cookie_is_gone(browser, client, cookies):
    browser.login(make_user(), remember=True)
    cookies.delete(cookies.SESSION)
    assert logged_in(client)


def test_a_copied_remember_me_cookie_stops_working_after_log_out(browser, client, cookies):
    browser.login(make_user(), remember=True)
    remembered = cookies.get(cookies.REMEMBER)
    assert remembered
    browser.post_form("/logout", {}, token_from="/")
    cookies.delete(cookies.SESSION)
    cookies.set(cookies.REMEMBER, remembered)
    assert not logged_in(client)


def test_log_out_deletes_the_remember_me_cookie_from_the_browser(browser, client, cookies):
    browser.login(make_user(), remember=True)
    response = browser.post_form("/logout", {}, token_from="/")
    (header,) = set_cookie_headers(response, cookies.REMEMBER)
    assert "Expires=Thu, 01 Jan 1970" in header or "Max-Age=0" in header
    assert cookies.get(cookies.REMEMBER) is None


def test_a_copied_remember_me_cookie_stops_working_after_a_password_change(browser, client, cookies):
    user = make_user()
    browser.login(user, remember=True)
    remembered = cookies.get(cookies.REMEMBER)
    browser.post_form("/account/password", {"current_password": PASSWORD, "new_password": "tulip-frog-9"},
                      token_from="/account")
    cookies.delete(cookies.SESSION)
    cookies.set(cookies.REMEMBER, remembered)
    assert not logged_in(client)


# ---- lifetimes ----

def test_a_session_survives_29_idle_minutes(browser, client, frozen_clock):
    browser.login(make_user())
    frozen_clock.advance(minutes=29)
    assert logged_in(client)


def test_a_session_ends_after_30_idle_minutes(browser, client, frozen_clock):
    browser.login(make_user())
    frozen_clock.advance(minutes=31)
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not logged_in(client)  # and it does not come back


def test_activity_keeps_a_session_alive_but_never_beyond_12_hours(browser, client, frozen_clock):
    browser.login(make_user())
    for _ in range(24):  # 24 x 29 min = 11 h 36 min, active all along
        frozen_clock.advance(minutes=29)
        assert logged_in(client)
    frozen_clock.advance(minutes=29)  # 12 h 05 min after log-in
    assert not logged_in(client)


# ---- cookie flags and content ----

def test_the_session_cookie_is_host_only_secure_httponly_and_samesite_lax(browser, cookies):
    response = browser.login(make_user(), remember=True)
    for name in (cookies.SESSION, cookies.REMEMBER):
        (header,) = set_cookie_headers(response, name)
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes
        assert "samesite=lax" in attributes and "path=/" in attributes
        assert not any(a.startswith("domain=") for a in attributes)  # required by __Host-


def test_the_session_cookie_holds_only_ids_and_the_csrf_nonce(browser, client, cookies):
    user = make_user(display_name="Secretive Name")
    browser.login(user, remember=True)
    client.get("/account")
    raw = cookies.get()
    content = cookies.session()
    assert set(cookies.readable_payload(raw)) == set(content)  # readable by anyone, key or not
    assert set(content) <= ALLOWED_SESSION_KEYS
    assert content["_user_id"] == user.get_id()
    assert user.email not in raw and "Secretive" not in str(content) and PASSWORD not in str(content)


def test_the_session_cookie_is_signed(browser, client, cookies):
    browser.login(make_user())
    value = cookies.get()
    payload, _, signature = value.rpartition(".")
    tampered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    cookies.set(cookies.SESSION, tampered)
    assert not logged_in(client)
