"""The notification settings page: one choice per category (consultation and account notices shown
as always on), the digest frequency, field messages and nothing saved on a bad value."""
from __future__ import annotations

from urllib.parse import urlsplit

from forum import mail
from forum.extensions import db
from forum.models import Channel, DigestFrequency
from forum.services import notification_settings
from tests.factories import make_user
from tests.web.html import field_errors, flashes, text

PATH = "/account/notifications"


def test_the_account_page_links_to_the_settings(browser):
    browser.login(make_user())
    page = text(browser.get("/account"))
    assert f'href="{PATH}" data-testid="notification-settings-link"' in page


def test_the_page_shows_every_category_and_the_locked_ones_as_always_on(browser):
    user = make_user()
    browser.login(user)
    response = browser.get(PATH)
    page = text(response)
    assert response.status_code == 200
    assert "Answers to questions I asked or follow" in page and "My private consultations" in page
    assert 'name="my_questions" value="email" checked' in page
    assert 'name="following" value="digest" checked' in page
    assert 'name="frequency" value="weekly" checked' in page
    assert 'data-testid="locked-consultations"' in page and 'name="consultations"' not in page
    assert 'name="account"' not in page


def test_saving_changes_the_settings(browser):
    user = make_user()
    browser.login(user)
    response = browser.post_form(PATH, {"my_questions": "digest", "reviews": "off", "frequency": "daily"})
    assert response.status_code == 303 and response.headers["Location"].endswith(PATH)
    page = text(browser.get(PATH))
    assert flashes(page) == ["Your notification settings were saved."]
    assert 'name="my_questions" value="digest" checked' in page and 'name="frequency" value="daily" checked' in page
    db.session.expire_all()
    settings = notification_settings.settings_of(user)
    assert settings["channels"]["reviews"] is Channel.OFF and settings["frequency"] is DigestFrequency.DAILY


def test_a_bad_value_is_shown_with_its_message_and_nothing_is_saved(browser):
    user = make_user()
    browser.login(user)
    response = browser.post_form(PATH, {"my_questions": "digest", "reviews": "pigeon", "frequency": "hourly"})
    page = text(response)
    assert response.status_code == 422
    errors = field_errors(page)
    assert errors["reviews"] == ["Choose e-mail, digest, in-app or off."]
    assert errors["frequency"] == ["Choose daily, weekly or never."]
    assert 'data-testid="error-summary"' in page
    assert 'name="my_questions" value="digest" checked' in page  # what they chose is kept on the page
    db.session.expire_all()
    settings = notification_settings.settings_of(user)
    assert settings["channels"]["my_questions"] is Channel.EMAIL and settings["frequency"] is DigestFrequency.WEEKLY


def test_locked_categories_cannot_be_changed_through_the_form(browser):
    user = make_user()
    browser.login(user)
    response = browser.post_form(PATH, {"consultations": "off", "account": "off", "frequency": "never"})
    assert response.status_code == 303
    db.session.expire_all()
    settings = notification_settings.settings_of(user)
    assert settings["channels"]["consultations"] is Channel.EMAIL and settings["channels"]["account"] is Channel.EMAIL
    assert settings["frequency"] is DigestFrequency.NEVER


def test_a_post_without_the_csrf_token_is_refused(browser):
    user = make_user()
    browser.login(user)
    response = browser.client.post(PATH, data={"frequency": "never"})
    assert response.status_code == 400
    assert notification_settings.digest_frequency(user.id) is DigestFrequency.WEEKLY


def test_visitors_are_asked_to_log_in(client):
    response = client.get(PATH)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_digest_unsubscribe_link_asks_first_then_turns_the_digest_off(client):
    user = make_user()
    path = urlsplit(mail.unsubscribe_url(user.id, "digest")).path
    page = text(client.get(path))
    assert "Stop e-mails about your activity digest?" in page
    assert notification_settings.digest_frequency(user.id) is DigestFrequency.WEEKLY  # GET changes nothing
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert notification_settings.digest_frequency(user.id) is DigestFrequency.NEVER
