"""Following in the browser: the Follow / Unfollow buttons on topic, treatment and doctor pages,
the sign-in link for visitors, and the "following" page with its activity."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import FollowKind, Subscription, Topic, Treatment, VerificationStatus
from forum.services import answers, following, questions
from forum.text import slugify
from tests.factories import make_doctor, make_treatment, make_user
from tests.web.html import flashes, text


@pytest.fixture(autouse=True)
def subjects(app):
    db.session.add(Topic(slug="enlarged-pores", name="Enlarged pores", description="Visible pores."))
    db.session.commit()
    make_treatment()


def pores() -> Topic:
    return db.session.scalar(select(Topic).where(Topic.slug == "enlarged-pores"))


def peel() -> Treatment:
    return db.session.scalar(select(Treatment).where(Treatment.slug == "chemical-peel"))


def doctor_url(doctor) -> str:
    return f"/doctors/{doctor.doctor_profile.id}/{slugify(doctor.doctor_profile.full_name)}"


def button(page: str) -> str | None:
    found = re.search(r'data-testid="follow-button">([^<]+)<', page)
    return found.group(1) if found else None


def subscriptions() -> int:
    return db.session.scalar(select(func.count()).select_from(Subscription))


@pytest.mark.parametrize("kind", ["topic", "treatment", "doctor"])
def test_a_member_follows_and_unfollows_from_the_subjects_page(browser, kind):
    member = make_user()
    browser.login(member)
    target = {"topic": pores, "treatment": peel, "doctor": lambda: make_doctor().doctor_profile}[kind]()
    page_url = doctor_url(target.user) if kind == "doctor" else f"/{kind}s/{target.slug}"
    assert button(browser.get(page_url).get_data(as_text=True)) == "Follow"

    response = browser.post_form(f"/follow/{kind}/{target.id}/follow?next={page_url}", token_from=page_url)
    assert response.status_code == 303 and response.headers["Location"] == page_url
    page = browser.get(page_url)
    assert button(page.get_data(as_text=True)) == "Unfollow"
    assert any(m.startswith("You follow ") for m in flashes(text(page)))
    assert following.is_following(member, FollowKind(kind), target.id)

    browser.post_form(f"/follow/{kind}/{target.id}/unfollow?next={page_url}", token_from=page_url)
    assert button(browser.get(page_url).get_data(as_text=True)) == "Follow" and subscriptions() == 0


def test_a_visitor_sees_a_sign_in_link_and_cannot_follow(client):
    page = client.get("/topics/enlarged-pores").get_data(as_text=True)
    assert 'href="/login?next=/topics/enlarged-pores"' in page and button(page) is None
    response = client.post(f"/follow/topic/{pores().id}/follow")
    assert response.status_code in (302, 303, 400) and subscriptions() == 0


def test_an_outside_next_address_is_ignored(browser):
    browser.login(make_user())
    response = browser.post_form(f"/follow/topic/{pores().id}/follow?next=//evil.example/x",
                                 token_from="/topics/enlarged-pores")
    assert response.headers["Location"] == "/topics/enlarged-pores"


def test_following_without_the_csrf_token_is_refused(browser, client):
    browser.login(make_user())
    response = client.post(f"/follow/topic/{pores().id}/follow", data={})
    assert response.status_code == 400 and subscriptions() == 0


def test_unknown_ids_and_kinds_are_not_found(browser):
    browser.login(make_user())
    assert browser.post_form("/follow/topic/999999/follow", token_from="/topics").status_code == 404
    assert browser.post_form("/follow/question/1/follow", token_from="/topics").status_code == 404
    pending = make_doctor(status=VerificationStatus.PENDING)
    assert browser.post_form(f"/follow/doctor/{pending.doctor_profile.id}/follow",
                             token_from="/topics").status_code == 404
    assert subscriptions() == 0


def test_the_following_page_lists_what_i_follow_and_the_activity_newest_first(browser, frozen_clock):
    member, asker, doctor = make_user(), make_user(display_name="Hidden Person"), make_doctor(full_name="Dr. Ana Silva")
    following.follow(member, "topic", pores().id)
    following.follow(member, "doctor", doctor.doctor_profile.id)
    older = questions.ask_question(asker, title="Do pore strips shrink pores for good?", body="I use them weekly.",
                                   topics=["enlarged-pores"], treatments=[], anonymous=True).question
    frozen_clock.advance(minutes=10)
    answers.post_answer(doctor, question_id=older.id, body="They empty pores for a while; size comes back.")
    browser.login(member)
    response = browser.get("/following")
    page = text(response)
    assert response.status_code == 200
    assert "Enlarged pores" in page and "Dr. Ana Silva" in page and "Unfollow" in page
    assert page.index("Dr. Ana Silva answered") < page.index("Asked by an anonymous member")
    assert "Hidden Person" not in page
    assert 'href="/following"' in page  # in the account menu


def test_unfollowing_from_the_following_page_comes_back_to_it(browser):
    member = make_user()
    following.follow(member, "treatment", peel().id)
    browser.login(member)
    response = browser.post_form(f"/follow/treatment/{peel().id}/unfollow?next=/following", token_from="/following")
    assert response.headers["Location"] == "/following" and subscriptions() == 0
    page = browser.get("/following").get_data(as_text=True)
    assert 'data-testid="following-treatment"' not in page and "Browse treatments" in page


def test_the_following_page_asks_visitors_to_log_in(client):
    response = client.get("/following")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
