"""Copy that reads right: counts in the singular for one, buttons that fit the viewer, each link
once, one h1 per page and no heading jumps."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import update

from forum.extensions import db
from forum.models import Question
from forum.services import answers, questions, stats
from forum.services.seed import load_seed
from forum.text import slugify
from tests.factories import make_doctor, make_user
from tests.web.html import text

SEED = Path(__file__).resolve().parents[2] / "seed"
CTA = "Request a private consultation"


@pytest.fixture(autouse=True)
def seeded(app):
    app.config["PAGE_CACHE_SECONDS"] = 0
    load_seed(SEED)


def ask(user):
    return questions.ask_question(user, title="Can a chemical peel make my pores look smaller?",
                                  body="My pores look large around the nose. Would a light peel help them?",
                                  topics=["enlarged-pores"], treatments=["chemical-peel"]).question


def url(q) -> str:
    return f"/questions/{q.id}/{q.slug}"


def heading_levels(page: str) -> list[int]:
    return [int(h) for h in re.findall(r"<h([1-6])[\s>]", page)]


def assert_headings_flow(page: str, path: str) -> None:
    levels = heading_levels(page)
    assert levels.count(1) == 1, (path, levels)
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)


def test_one_view_one_answer_one_helpful_vote_read_in_the_singular(client):
    question = ask(make_user())
    doctor = make_doctor(full_name="Dr. Lee Sample")
    posted = answers.post_answer(doctor, question_id=question.id, body="A light glycolic peel can smooth the skin.")
    answers.mark_helpful(make_user(), answer_id=posted.id)
    db.session.execute(update(Question).where(Question.id == question.id).values(view_count=1))
    db.session.commit()
    stats.refresh_all()
    page = text(client.get(url(question)))
    assert "1 view ·" in page and "1 views" not in page
    assert "1 doctor answer<" in page and "1 doctor answers" not in page
    assert re.search(r'helpful-count">1</span> person found this helpful', page)
    listing = text(client.get("/questions"))
    assert "1 doctor answer · 1 helpful vote ·" in listing and "1 helpful votes" not in listing
    doctors = text(client.get("/doctors"))
    assert "1 answer · 1 helpful vote" in doctors and "1 answers" not in doctors
    profile = text(client.get(f"/doctors/{doctor.doctor_profile.id}/{slugify('Dr. Lee Sample')}"))
    assert "<strong>1</strong> answer · <strong>1</strong> helpful vote<" in profile


def test_edit_your_answer_appears_once(browser, client):
    question = ask(make_user())
    doctor = make_doctor()
    answers.post_answer(doctor, question_id=question.id, body="A light glycolic peel can smooth the skin.")
    browser.login(doctor)
    page = client.get(url(question)).get_data(as_text=True)
    assert len(re.findall(r"edit your answer", page, re.I)) == 1
    assert 'data-testid="already-answered"' in page


def test_no_consultation_button_for_doctors_but_one_for_members_and_visitors(browser, client, new_browser):
    doctor = make_doctor()
    own = ask(doctor)  # a doctor asking a question of their own
    browser.login(doctor)
    profile_url = f"/doctors/{doctor.doctor_profile.id}/{slugify(doctor.doctor_profile.full_name)}"
    for path in (url(own), "/treatments/chemical-peel", "/", profile_url):
        assert CTA not in client.get(path).get_data(as_text=True) and "Start a private consultation" not in \
            client.get(path).get_data(as_text=True), path
    member = new_browser()
    member.login(make_user())
    for viewer in (member, new_browser()):
        assert CTA in viewer.get(url(own)).get_data(as_text=True)
        assert CTA in viewer.get(profile_url).get_data(as_text=True)


def test_pages_have_one_h1_and_no_heading_jumps(browser, client):
    question = ask(make_user())
    doctor = make_doctor()
    posted = answers.post_answer(doctor, question_id=question.id, body="A light glycolic peel can smooth the skin.")
    answers.add_follow_up(question.author, answer_id=posted.id, body="Thank you: how often would I need one?")
    answers.review_answer(make_doctor(), answer_id=posted.id, verdict="disagree", reason="Peels help texture more.")
    stats.refresh_all()
    paths = ["/", "/questions", url(question), "/topics", "/topics/enlarged-pores", "/treatments",
             "/treatments/chemical-peel", "/articles", "/doctors",
             f"/doctors/{doctor.doctor_profile.id}/{slugify(doctor.doctor_profile.full_name)}"]
    for path in paths:
        assert_headings_flow(client.get(path, follow_redirects=True).get_data(as_text=True), path)
    browser.login(doctor)
    assert_headings_flow(client.get("/doctor/dashboard").get_data(as_text=True), "/doctor/dashboard")
