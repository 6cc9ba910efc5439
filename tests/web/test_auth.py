"""Registration, log-in, log-out, password reset and e-mail confirmation through the HTML pages."""
import re

import pytest

from forum import mail
from forum.extensions import db
from forum.models import DoctorProfile, User, UserStatus
from forum.services import accounts
from tests.factories import PASSWORD, application_data, make_user
from tests.web.html import field_errors, flashes, text, without_csrf_token

GOOD = {"email": "New.Member@Example.org", "display_name": "New Member", "password": PASSWORD,
        "confirm_adult": "1"}


def users() -> list[User]:
    return db.session.query(User).order_by(User.id).all()


# ---- registration ----

def test_member_registers_then_logs_in_and_out(browser, client):
    response = browser.post_form("/register", GOOD)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    user = db.session.query(User).one()
    assert user.email == "new.member@example.org"
    assert user.display_name == "New Member"
    assert user.password_hash.startswith("scrypt:")
    browser.login(user)
    assert "New Member" in client.get("/").get_data(as_text=True)
    response = browser.post_form("/logout", {}, token_from="/")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/account").status_code == 302


def test_after_registering_the_login_page_says_a_confirmation_link_was_sent(browser, client):
    browser.post_form("/register", GOOD)
    (message,) = flashes(client.get("/login").get_data(as_text=True))
    assert "We sent a link to confirm the address" in message
    assert [m["To"] for m in mail.SENT] == ["new.member@example.org"]


@pytest.mark.parametrize("change, field, message", [
    ({"email": ""}, "email", "Enter your e-mail address"),
    ({"email": "not-an-address"}, "email", "Enter an e-mail address like name@example.com"),
    ({"password": "abcdefghijk"}, "password", "Use at least 12 characters."),
    ({"password": "password1234"}, "password", "This password is too common or too easy to guess; choose another."),
    ({"confirm_adult": None}, "confirm_adult", "You must be 18 or older to join."),
    ({"display_name": "A"}, "display_name", "Use between 2 and 50 characters"),
    ({"display_name": "   "}, "display_name", "Enter a display name"),
])
def test_each_registration_mistake_is_shown_at_its_field(browser, change, field, message):
    data = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    response = browser.post_form("/register", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page) == {field: [message]}
    assert 'type="password" value=' not in page  # the password is never echoed back
    assert users() == []


def test_a_registration_mistake_keeps_what_was_typed_in_the_other_fields(browser):
    response = browser.post_form("/register", {**GOOD, "password": "short"})
    page = response.get_data(as_text=True)
    assert 'value="New.Member@Example.org"' in page and 'value="New Member"' in page
    assert PASSWORD not in page


def test_registering_a_taken_address_in_another_case_looks_exactly_like_a_new_registration(
        browser, new_browser):
    make_user(email="taken@example.org")
    mail.SENT.clear()
    other = new_browser()

    new = other.post_form("/register", {**GOOD, "email": "Fresh@Example.org"})
    taken = browser.post_form("/register", {**GOOD, "email": "TAKEN@Example.org"})

    assert taken.status_code == new.status_code == 303
    assert taken.headers["Location"] == new.headers["Location"] == "/login"
    new_page = other.get("/login").get_data(as_text=True).replace("Fresh@Example.org", "ADDRESS")
    taken_page = browser.get("/login").get_data(as_text=True).replace("TAKEN@Example.org", "ADDRESS")
    assert flashes(taken_page) == flashes(new_page) and flashes(new_page)
    assert without_csrf_token(taken_page) == without_csrf_token(new_page)
    assert [u.email for u in users()] == ["taken@example.org", "fresh@example.org"]
    assert sorted(m["To"] for m in mail.SENT) == ["fresh@example.org", "taken@example.org"]


def test_a_member_who_mistyped_three_times_can_still_register(browser):
    for _ in range(3):
        assert browser.post_form("/register", {**GOOD, "password": "too short"}).status_code == 422
    assert browser.post_form("/register", GOOD).status_code == 303
    assert [u.email for u in users()] == ["new.member@example.org"]


def test_a_fourth_registration_from_one_address_in_a_day_is_refused(browser):
    for n in range(3):
        assert browser.post_form("/register", {**GOOD, "email": f"member{n}@example.org"}).status_code == 303
    response = browser.post_form("/register", {**GOOD, "email": "member3@example.org"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert len(users()) == 3


# ---- log-in ----

def test_a_member_logs_in_and_reaches_their_account(browser, client):
    user = make_user(display_name="Lena")
    response = browser.post_form("/login", {"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Lena" in client.get("/account").get_data(as_text=True)


def test_log_in_returns_to_the_page_that_asked_for_it(browser, client):
    user = make_user()
    assert client.get("/account").headers["Location"].startswith("/login?next=")
    response = browser.post_form("/login?next=/account", {"email": user.email, "password": PASSWORD},
                                 token_from="/login")
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_log_in_never_redirects_to_another_site(browser, target):
    user = make_user()
    response = browser.post_form("/login", {"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(browser, new_browser):
    make_user(email="known@example.org")
    other = new_browser()
    wrong_password = browser.post_form("/login", {"email": "known@example.org", "password": "not the password"})
    unknown = other.post_form("/login", {"email": "ghost@example.org", "password": "not the password"})
    assert wrong_password.status_code == unknown.status_code == 422
    page_a = without_csrf_token(wrong_password.get_data(as_text=True)).replace("known@example.org", "ADDRESS")
    page_b = without_csrf_token(unknown.get_data(as_text=True)).replace("ghost@example.org", "ADDRESS")
    assert page_a == page_b
    assert flashes(page_a) == [accounts.GENERIC_LOGIN_ERROR]


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.BANNED])
def test_suspended_and_banned_members_cannot_log_in(browser, client, status):
    user = make_user(status=status)
    response = browser.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert flashes(response.get_data(as_text=True)) == [accounts.GENERIC_LOGIN_ERROR]
    assert client.get("/account").status_code == 302


def test_log_in_with_an_empty_form_shows_the_missing_fields(browser):
    response = browser.post_form("/login", {})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "email": ["Enter your e-mail address"], "password": ["Enter your password"]}


# ---- CSRF ----

def test_register_form_without_csrf_token_is_refused(client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "CSRF" in text(response)
    assert db.session.query(User).count() == 0


def test_log_in_without_csrf_token_is_refused(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_log_in_with_a_forged_csrf_token_is_refused(client):
    user = make_user()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_log_out_without_csrf_token_is_refused_and_keeps_the_session(browser, client):
    user = make_user()
    browser.login(user)
    version = user.session_version
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).session_version == version


def test_doctor_application_without_csrf_token_is_refused(browser, client):
    browser.login(make_user())
    response = client.post("/doctor/apply", data=application_data())
    assert response.status_code == 400
    assert db.session.query(DoctorProfile).count() == 0


# ---- password reset ----

def reset_link() -> str:
    (message,) = [m for m in mail.SENT if m["Subject"] == "Reset your password"]
    return re.search(r"/reset-password/\S+", message.get_body(("plain",)).get_content()).group(0)


def test_forgot_password_says_the_same_for_known_and_unknown_addresses(browser, new_browser):
    user = make_user()
    other = new_browser()
    known = browser.post_form("/forgot-password", {"email": user.email})
    unknown = other.post_form("/forgot-password", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert flashes(browser.get("/login").get_data(as_text=True)) == \
        flashes(other.get("/login").get_data(as_text=True))
    assert [m["To"] for m in mail.SENT] == [user.email]


def test_a_member_resets_a_forgotten_password_with_the_mailed_link(browser):
    user = make_user()
    browser.post_form("/forgot-password", {"email": user.email})
    link = reset_link()
    response = browser.post_form(link, {"password": "tulip-frog-9"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    browser.login(user, password="tulip-frog-9")


def test_a_used_reset_link_is_refused(browser):
    user = make_user()
    browser.post_form("/forgot-password", {"email": user.email})
    link = reset_link()
    browser.post_form(link, {"password": "tulip-frog-9"})
    response = browser.post_form(link, {"password": "kq7 vb2 zm9x"})
    assert response.status_code == 400
    assert "invalid or has expired" in text(response)
    browser.login(user, password="tulip-frog-9")


def test_a_reset_link_older_than_an_hour_is_refused(browser, frozen_clock):
    user = make_user()
    browser.post_form("/forgot-password", {"email": user.email})
    frozen_clock.advance(minutes=61)
    response = browser.post_form(reset_link(), {"password": "tulip-frog-9"})
    assert response.status_code == 400
    browser.login(user)


def test_a_weak_new_password_on_the_reset_page_is_shown_at_the_field(browser):
    user = make_user()
    browser.post_form("/forgot-password", {"email": user.email})
    response = browser.post_form(reset_link(), {"password": "password1234"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["password"]


# ---- e-mail confirmation ----

def test_the_mailed_confirmation_link_confirms_the_address(browser):
    browser.post_form("/register", GOOD)
    link = re.search(r"/verify-email/\S+", mail.SENT[0].get_body(("plain",)).get_content()).group(0)
    assert browser.get(link).status_code == 200  # a GET (mail scanners) changes nothing
    assert users()[0].email_verified_at is None
    response = browser.post_form(link, {})
    assert response.status_code == 303
    assert users()[0].email_verified_at is not None
    assert browser.post_form(link, {}).status_code == 400
