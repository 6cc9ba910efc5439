"""The header every page shares (skip link, menu, unread count, feeds, who is offered "Apply as a
doctor") and the staff-only style page that shows the design system's components."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import VerificationStatus
from forum.services import notifications
from tests.factories import make_admin, make_doctor, make_moderator, make_user
from tests.web.html import text

COMPONENTS = ('class="care-card urgent"', 'class="care-card warning"', 'class="care-card info"',
              'class="error-summary"', 'aria-invalid="true"', 'class="doctor-card"', 'class="avatar initials"',
              'class="empty"', 'class="table-wrap"', 'class="pagination"', 'class="badge"', 'class="button"')


def header(page: str) -> str:
    return re.search(r"<header.*?</header>", page, re.S).group(0)


@pytest.mark.parametrize("make", [make_moderator, make_admin], ids=["moderator", "admin"])
def test_staff_see_every_component_on_the_style_page(browser, make):
    browser.login(make())
    response = browser.get("/mod/style")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for component in COMPONENTS:
        assert component in page, component
    assert "&lt;div class=&#34;care-card urgent&#34;&gt;" in page or '&lt;div class="care-card urgent"&gt;' in page


@pytest.mark.parametrize("make", [make_user, make_doctor], ids=["member", "verified doctor"])
def test_the_style_page_is_refused_to_everyone_else(browser, make):
    browser.login(make())
    assert browser.get("/mod/style").status_code == 403


def test_a_visitor_is_sent_to_log_in_for_the_style_page(client):
    response = client.get("/mod/style")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_page_has_a_skip_link_a_menu_button_and_feed_autodiscovery(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main"' in page
    assert re.search(r'<details class="menu"[^>]*>\s*<summary>Menu</summary>\s*<nav aria-label="Main"', page)
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="Recent questions" '
                     r'href="/feeds/questions.atom">', page)


def test_the_questions_page_offers_the_feed_once(client):
    page = client.get("/questions").get_data(as_text=True)
    assert page.count('title="Recent questions"') == 1


def test_a_topic_page_also_offers_its_own_feed(client, app):
    from forum.config import ROOT
    from forum.services.seed import load_seed

    load_seed(ROOT / "seed")
    page = client.get("/topics/enlarged-pores").get_data(as_text=True)
    assert ('type="application/atom+xml" title="Questions on enlarged pores" '
            'href="/feeds/topics/enlarged-pores.atom"') in page
    assert client.get("/feeds/topics/enlarged-pores.atom").status_code == 200


def test_the_unread_count_in_the_header_says_what_it_counts(browser):
    member = make_user()
    notifications.notify(member, "doctor_decision", "Something happened", link="/account")
    notifications.notify(member, "doctor_decision", "Something else happened", link="/account")
    db.session.commit()
    browser.login(member)
    nav = header(text(browser.get("/questions")))
    assert re.search(r'Notifications <span class="badge" data-testid="unread">2'
                     r'<span class="visually-hidden"> unread</span></span>', nav)


@pytest.mark.parametrize(("make", "offered"), [
    (make_user, True),
    (lambda: make_doctor(status=VerificationStatus.REJECTED), True),
    (make_doctor, False),
    (lambda: make_doctor(status=VerificationStatus.PENDING), False),
    (make_moderator, False),
    (make_admin, False),
], ids=["member", "rejected doctor", "verified doctor", "pending doctor", "moderator", "admin"])
def test_apply_as_a_doctor_is_offered_only_to_those_who_may_apply(browser, make, offered):
    browser.login(make())
    assert ("Apply as a doctor" in header(text(browser.get("/")))) is offered


def test_a_moderator_cannot_apply_as_a_doctor(browser):
    from tests.factories import application_data

    browser.login(make_moderator())
    response = browser.post_form("/doctor/apply", application_data(), token_from="/account")
    assert response.status_code == 403
    assert "Apply as a doctor" not in header(text(browser.get("/doctor/apply")))


def test_the_menu_marks_the_section_the_reader_is_in(client):
    nav = header(client.get("/treatments/none-such-treatment").get_data(as_text=True))
    assert '<a href="/treatments" aria-current="page">Treatments</a>' in nav
    assert nav.count('aria-current="page"') == 1


def test_each_page_describes_itself_once_for_search_results_and_has_an_icon(client, app):
    from forum.config import ROOT
    from forum.services.seed import load_seed

    load_seed(ROOT / "seed")
    pages = {"/": "Questions about cosmetic treatments", "/about": None, "/treatments/spironolactone": None}
    for path, starts in pages.items():
        page = client.get(path).get_data(as_text=True)
        descriptions = re.findall(r'<meta name="description" content="([^"]*)">', page)
        assert len(descriptions) == 1 and len(descriptions[0]) > 30, (path, descriptions)
        assert starts is None or descriptions[0].startswith(starts)
        assert re.search(r'<link rel="icon" href="/static/img/favicon[.0-9a-f]*\.svg" type="image/svg\+xml">', page)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    response = client.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()
