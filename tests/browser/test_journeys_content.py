"""Content journeys: reference post to treatment facts; ask, answer, vote, accept, search."""
from __future__ import annotations

import re

import pytest

from forum.services import questions as question_service
from tests.browser.test_journeys_accounts import expect, log_in, nav
from tests.factories import make_doctor, make_user

pytestmark = pytest.mark.browser


def test_visitor_follows_a_reference_post_to_a_treatment_and_sees_its_facts(page, seeded, screenshot):
    page.goto("/")
    page.get_by_role("link", name=re.compile("^Enlarged pores: ", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enlarged pores")
    expect(page.get_by_test_id("medical-disclaimer")).to_be_visible()
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    page.locator(".body").get_by_role("link", name=re.compile("microneedling", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/treatments/micro"))
    facts = page.get_by_test_id("facts-table")
    expect(facts).to_be_visible()
    for label in ("How it works", "Sessions"):  # facts with nothing known are left out, not "not stated"
        expect(facts.get_by_role("rowheader", name=label)).to_be_visible()
    expect(facts).not_to_contain_text("not stated")
    expect(facts).to_contain_text("Ask-a-doctor reference post")
    screenshot(page, "reference-treatment-facts")


def test_member_asks_doctor_answers_member_accepts_visitor_finds_it(new_context, seeded, screenshot):
    with seeded.app_context():
        member = make_user(display_name="Priya Member")
        older = make_user()
        question_service.ask_question(older, title="Do lasers shrink enlarged pores for good?",
                                      body="My pores are large on my nose. Would a laser shrink them permanently?",
                                      topics=["enlarged-pores"], treatments=[])
        doctor = make_doctor(full_name="Dr. Ada Fictional", topics=[])
        member_email, doctor_email = member.email, doctor.email

    asker = new_context().new_page()
    log_in(asker, email=member_email)
    nav(asker).get_by_role("link", name="Questions").click()
    asker.get_by_role("link", name="Ask a doctor").first.click()
    asker.get_by_label("Your question in one sentence").press_sequentially("Will lasers shrink my pores", delay=20)
    suggestions = asker.locator("#similar")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("link", name="Do lasers shrink enlarged pores for good?")).to_be_visible()
    asker.get_by_label("Your question in one sentence").fill("Will microneedling make my enlarged pores smaller?")
    asker.get_by_label("Details (Markdown)").fill(
        "I have oily skin and enlarged pores on my cheeks. Is microneedling worth trying before lasers?")
    asker.get_by_label("Enlarged pores").check()
    asker.get_by_role("button", name="Post question").click()
    expect(asker.get_by_role("heading", level=1)).to_have_text("Will microneedling make my enlarged pores smaller?")
    question_url = asker.url

    doc = new_context().new_page()
    log_in(doc, email=doctor_email)
    nav(doc).get_by_role("link", name="Dashboard").click()
    doc.get_by_role("link", name="Will microneedling make my enlarged pores smaller?").click()
    doc.get_by_label("Answer (Markdown)").fill(
        "Microneedling can make pores look smaller over about six weeks; an examination decides if it suits you.")
    doc.get_by_label("I offer this treatment in my practice").check()
    doc.get_by_role("button", name="Post answer").click()
    expect(doc.get_by_test_id("answer")).to_contain_text("Dr. Ada Fictional")
    expect(doc.get_by_test_id("disclosure")).to_contain_text("offers this treatment")

    asker.goto(question_url)
    asker.get_by_role("button", name="Helpful").click()
    expect(asker.get_by_test_id("helpful-count")).to_have_text("1")
    asker.get_by_role("button", name="Accept this answer").click()
    expect(asker.get_by_test_id("accepted")).to_be_visible()
    screenshot(asker, "qa-accepted-answer")

    visitor = new_context().new_page()
    visitor.goto("/search")
    box = visitor.get_by_label(
        "Search questions, doctors' answers, patient reviews, reference posts, treatments and topics")
    box.press_sequentially("microneedl")  # search as you type: an unfinished word already finds
    expect(visitor.locator("#search-suggestions a").first).to_be_visible()
    box.fill("microneedling pores cheeks")
    visitor.get_by_role("button", name="Search").click()
    hit = visitor.get_by_test_id("search-hit").filter(has_text="Will microneedling make my enlarged pores smaller?")
    expect(hit.first).to_be_visible()
    expect(hit.first.locator("mark").first).to_be_visible()
