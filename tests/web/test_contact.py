"""The contact form (issue #13): a visitor's message reaches the moderators' queue and nobody else;
bad input is sent back with plain messages at each field, what was typed kept, nothing stored."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ContactMessage
from forum.services import questions
from forum.services.seed import load_seed
from tests.factories import make_moderator, make_user
from tests.web.html import field_errors, flashes, text

SEED = Path(__file__).resolve().parents[2] / "seed"
VALID = {"name": "Rosa Example", "email": "Rosa@Example.test", "topic": "problem",
         "message": "The treatment page for microneedling shows a broken link in the second section."}


@pytest.fixture(autouse=True)
def seeded(app):
    load_seed(SEED)


def stored() -> int:
    return db.session.scalar(select(func.count(ContactMessage.id)))


def send(browser, **changes):
    return browser.post_form("/contact", {**VALID, **changes})


def test_the_contact_page_offers_the_four_topics(client):
    page = text(client.get("/contact"))
    options = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', page)
    assert options == [("general", "General question"), ("problem", "Report a problem"), ("press", "Press"),
                       ("privacy", "Privacy request")]


def test_a_visitors_message_reaches_the_moderators_list_and_the_dashboard_count(browser, login):
    response = send(browser)
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact")
    assert any("reached our moderators" in m for m in flashes(text(browser.get("/contact"))))
    moderator = make_moderator()
    login(moderator)
    listing = browser.get("/mod/contact")
    assert listing.status_code == 200
    assert listing.headers["Cache-Control"] == "no-store"
    page = text(listing)
    assert "Report a problem from Rosa Example" in page
    assert "rosa@example.test" in page and VALID["message"] in page
    dashboard = text(browser.get("/mod"))
    assert re.search(r'data-testid="count-contact">1<', dashboard)
    assert 'href="/mod/contact"' in dashboard


def test_a_moderator_marks_a_message_handled_and_it_leaves_the_waiting_list(browser, login):
    send(browser)
    moderator = make_moderator(display_name="Mod Mia")
    login(moderator)
    message_id = db.session.scalar(select(ContactMessage.id))
    response = browser.post_form(f"/mod/contact/{message_id}/handled", token_from="/mod/contact")
    assert response.status_code == 303
    page = text(browser.get("/mod/contact"))
    assert "No messages waiting." in page
    assert "handled" in page and "by Mod Mia" in page
    assert re.search(r'data-testid="count-contact">0<', text(browser.get("/mod")))


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter your name."),
    ({"email": "rosa-at-example"}, "email", "Enter an e-mail address in the form name@example.com."),
    ({"email": ""}, "email", "Enter your e-mail address, so we can reply."),
    ({"topic": ""}, "topic", "Choose what your message is about."),
    ({"topic": "lottery"}, "topic", "Choose one of the topics in the list."),
    ({"message": "help"}, "message", "Write between 10 and 5,000 characters."),
    ({"message": "x" * 5001}, "message", "Write between 10 and 5,000 characters."),
])
def test_bad_input_is_sent_back_with_a_plain_message_at_the_field_and_nothing_stored(browser, changes, field,
                                                                                      message):
    response = send(browser, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page) == {field: [message]}
    assert "Your message was not sent yet" in text(response)
    if field != "name":
        assert 'value="Rosa Example"' in page, "what was typed is kept"
    if field != "message":
        assert VALID["message"] in page
    if field != "topic":
        assert '<option value="problem" selected>' in page
    assert stored() == 0


def test_the_hidden_honeypot_field_stops_a_bot_and_stores_nothing(browser):
    response = send(browser, homepage="http://spam.example")
    assert response.status_code == 422
    assert "looked automated" in text(response)
    assert stored() == 0


def test_a_post_without_the_csrf_token_is_refused(client):
    assert client.post("/contact", data=VALID).status_code == 400
    assert stored() == 0


def test_anonymous_visitors_and_members_cannot_read_or_close_messages(browser, client, login):
    send(browser)
    message_id = db.session.scalar(select(ContactMessage.id))
    anonymous = client.get("/mod/contact")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(make_user())
    assert browser.get("/mod/contact").status_code == 403
    assert VALID["message"] not in text(browser.get("/mod/contact"))
    closed = browser.post_form(f"/mod/contact/{message_id}/handled", token_from="/contact")
    assert closed.status_code == 403
    assert db.session.get(ContactMessage, message_id).handled_at is None


def test_messages_appear_on_no_public_page(browser, client):
    send(browser)
    for path in ("/", "/contact", "/questions", "/search?q=broken+link", "/sitemap.xml"):
        assert VALID["message"] not in text(client.get(path)), path


def test_accepted_messages_are_rate_limited_but_sent_back_forms_are_not(browser):
    for _ in range(3):
        assert send(browser, name="").status_code == 422
    for _ in range(5):
        assert send(browser).status_code == 303
    assert send(browser).status_code == 429
    assert stored() == 5


def test_the_dashboard_names_the_warning_sign_of_an_urgent_question_not_a_file_path(browser, login):
    asker = make_user()
    questions.ask_question(asker, title="Blurry vision after filler this morning",
                           body="Two hours after tear trough filler my left eye sees blurry. Is this normal?",
                           topics=["enlarged-pores"], treatments=[], anonymous=False)
    login(make_moderator())
    page = text(browser.get("/mod"))
    assert "forum/data" not in page and ".toml" not in page
    assert "warning sign: vision change after filler" in page
    assert "Blurry vision after filler this morning" in page
