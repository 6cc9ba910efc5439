"""The member's own pages: password change, API tokens, e-mail confirmation, notifications."""
import re

from forum import mail
from forum.extensions import db
from forum.models import ApiToken, Notification
from forum.services import accounts
from tests.factories import PASSWORD, make_user
from tests.web.html import field_errors, flashes, text


def test_the_account_page_shows_who_is_logged_in(browser, client):
    user = make_user(display_name="Greta")
    browser.login(user)
    page = text(client.get("/account"))
    assert "Greta" in page and user.email in page


def test_changing_the_password_with_a_wrong_current_password_is_refused_at_the_field(browser, client):
    user = make_user()
    browser.login(user)
    response = browser.post_form("/account/password",
                                 {"current_password": "not my password", "new_password": "tulip-frog-9"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "current_password": ["This is not your current password."]}
    assert client.get("/account").status_code == 200  # still logged in
    assert accounts.authenticate(email=user.email, password=PASSWORD)


def test_a_weak_new_password_is_refused_at_the_field(browser):
    browser.login(make_user())
    response = browser.post_form("/account/password", {"current_password": PASSWORD, "new_password": "short"},
                                 token_from="/account")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"new_password": ["Use at least 12 characters."]}


def test_after_a_password_change_the_member_logs_in_with_the_new_one(browser, client):
    user = make_user()
    browser.login(user)
    response = browser.post_form("/account/password",
                                 {"current_password": PASSWORD, "new_password": "tulip-frog-9"},
                                 token_from="/account")
    assert response.status_code == 303
    assert "Password changed" in flashes(client.get("/login").get_data(as_text=True))[0]
    assert client.get("/account").status_code == 302
    assert browser.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 422
    browser.login(user, password="tulip-frog-9")


# ---- API tokens ----

def test_a_member_creates_a_token_and_sees_its_value_once(browser, client):
    user = make_user()
    browser.login(user)
    response = browser.post_form("/account/tokens", {"name": "my script", "password": PASSWORD},
                                 token_from="/account")
    assert response.status_code == 201
    raw = re.search(r'data-testid="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert accounts.load_token_user(raw).id == user.id
    page = client.get("/account").get_data(as_text=True)
    assert "my script" in page and raw not in page


def test_a_token_without_a_name_is_refused_at_the_field(browser):
    browser.login(make_user())
    response = browser.post_form("/account/tokens", {"name": "  "}, token_from="/account")
    assert response.status_code == 422
    assert "name" in field_errors(response.get_data(as_text=True))
    assert db.session.query(ApiToken).count() == 0


def test_a_member_revokes_their_token(browser, client):
    user = make_user()
    token, raw = accounts.issue_token(user, name="old script", password=PASSWORD)
    browser.login(user)
    response = browser.post_form(f"/account/tokens/{token.id}/revoke", {}, token_from="/account")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert accounts.load_token_user(raw) is None
    assert "revoked" in text(client.get("/account"))


def test_revoking_another_members_token_is_not_found_and_changes_nothing(browser):
    owner = make_user()
    token, raw = accounts.issue_token(owner, name="theirs", password=PASSWORD)
    browser.login(make_user())
    response = browser.post_form(f"/account/tokens/{token.id}/revoke", {}, token_from="/account")
    assert response.status_code == 404
    assert accounts.load_token_user(raw).id == owner.id


def test_another_members_tokens_are_not_listed(browser, client):
    accounts.issue_token(make_user(), name="someone else's token", password=PASSWORD)
    browser.login(make_user())
    assert "someone else" not in text(client.get("/account"))


# ---- e-mail confirmation and notifications ----

def test_an_unconfirmed_member_asks_for_a_new_confirmation_link(browser, client):
    user = make_user(email_verified_at=None)
    browser.login(user)
    assert "not confirmed yet" in text(client.get("/account"))
    response = browser.post_form("/account/verify-email", {}, token_from="/account")
    assert response.status_code == 303
    assert [m["To"] for m in mail.SENT] == [user.email]


def test_a_member_reads_their_notifications_and_marks_them_read(browser, client):
    user = make_user()
    other = make_user()
    db.session.add_all([Notification(user_id=user.id, kind="test", message="Your answer was endorsed"),
                        Notification(user_id=other.id, kind="test", message="Someone else's news")])
    db.session.commit()
    browser.login(user)
    page = text(client.get("/"))
    assert 'data-testid="unread">1<' in page
    page = text(client.get("/notifications"))
    assert "Your answer was endorsed" in page and "Someone else's news" not in page
    response = browser.post_form("/notifications/read", {}, token_from="/notifications")
    assert response.status_code == 303
    assert 'data-testid="unread"' not in text(client.get("/"))
    unread = db.session.query(Notification).filter(Notification.read_at.is_(None)).all()
    assert [n.user_id for n in unread] == [other.id]  # someone else's stay unread


# ---- the language setting (#16) ----

def test_the_language_is_chosen_on_the_account_page(browser, client):
    user = make_user()
    browser.login(user)
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="" selected>Use my browser\'s language</option>' in page
    response = browser.post_form("/account/language", {"locale": "en"}, token_from="/account")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account#language")
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"
    page = client.get("/account").get_data(as_text=True)
    assert flashes(page) == ["Language saved: English."]
    assert '<option value="en" lang="en" selected>English</option>' in page


def test_following_the_browser_again_forgets_the_setting_and_the_switchers_cookie(browser, client):
    user = make_user(locale="en")
    browser.login(user)
    client.set_cookie("lang", "es")
    response = browser.post_form("/account/language", {"locale": ""}, token_from="/account")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale is None
    assert any(c.startswith("lang=;") for c in response.headers.getlist("Set-Cookie"))
    assert flashes(client.get("/account").get_data(as_text=True)) == ["The site now follows your browser's language."]


def test_a_language_we_do_not_offer_is_refused_at_the_field(browser):
    user = make_user(locale="en")
    browser.login(user)
    response = browser.post_form("/account/language", {"locale": "fr"}, token_from="/account")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"locale": ["Choose one of: en, es."]}
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"


def test_registering_with_a_spanish_browser_saves_spanish(browser):
    response = browser.post_form("/register", {"email": "ana@example.org", "display_name": "Ana",
                                               "password": PASSWORD, "confirm_adult": "1"},
                                 headers={"Accept-Language": "es"})
    assert response.status_code == 303
    assert accounts.find_user_by_email("ana@example.org").locale == "es"
