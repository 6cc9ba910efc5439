"""Moderation journey in a real browser: three members report an answer with the "Report" control,
it disappears from the public page, a moderator reviews it in the flag queue and restores or
deletes it with a reason, and the moderation log shows the action."""
from __future__ import annotations

import itertools
import re

import pytest

from forum.config import ROOT
from forum.services import answers as answer_service
from forum.services import questions as question_service
from forum.services.seed import load_seed
from tests.browser.test_journeys_accounts import expect, log_in
from tests.factories import make_doctor, make_moderator, make_trusted_member, make_user

pytestmark = pytest.mark.browser
_cases = itertools.count(1)


@pytest.fixture
def flagged_answer(live_server):
    """A question with one doctor answer, three members and a moderator, all in the server's database."""
    n = next(_cases)
    with live_server.app_context():
        load_seed(ROOT / "seed")
        asker = make_user(display_name=f"Asker {n}")
        doctor = make_doctor(full_name=f"Dr. Bea Fictional {n}", topics=[])
        question = question_service.ask_question(
            asker, title=f"Does a chemical peel fade freckles for good, case {n}?",
            body="I have freckles on my cheeks. Would a chemical peel fade them for good, or do they return?",
            topics=["enlarged-pores"], treatments=[]).question
        answer = answer_service.post_answer(
            doctor, question_id=question.id,
            body=f"Call my clinic today for a special peel price: 50 percent off this week only, case {n}.")
        data = {"url": f"/questions/{question.id}/{question.slug}", "answer_id": answer.id,
                "answer_text": f"special peel price: 50 percent off this week only, case {n}",
                "members": [make_trusted_member(display_name=f"Reporter {n}-{i}").email for i in range(3)],
                "moderator": make_moderator(display_name=f"Mo Derator {n}").email,
                "moderator_name": f"Mo Derator {n}"}
    return data


def report(page, answer_id: int, reason: str, note: str) -> None:
    card = page.locator(f"#answer-{answer_id}")
    card.get_by_text("Report", exact=True).click()
    card.get_by_label("Reason", exact=True).select_option(label=reason)
    card.get_by_label("Note (optional)").fill(note)
    card.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").first).to_contain_text("A moderator will review this")


@pytest.mark.parametrize("decision", ["Restore", "Delete"])
def test_three_members_report_an_answer_and_a_moderator_decides(new_context, live_server, flagged_answer, screenshot,
                                                               decision):
    case = flagged_answer
    visitor = new_context().new_page()
    visitor.goto(case["url"])
    expect(visitor.get_by_test_id("answer")).to_contain_text(case["answer_text"])

    reasons = [("Self-promotion", "Advertises a discount"), ("Spam", "Price offer"), ("Other", "Reads like an ad")]
    for email, (reason, note) in zip(case["members"], reasons):
        member = new_context().new_page()
        log_in(member, email=email)
        member.goto(case["url"])
        report(member, case["answer_id"], reason, note)

    visitor.reload()  # three different members: hidden at once, pending review
    expect(visitor.get_by_test_id("answer")).to_have_count(0)
    expect(visitor.get_by_text("No doctor has answered yet.")).to_be_visible()
    expect(visitor.locator("body")).not_to_contain_text(case["answer_text"])

    moderator = new_context().new_page()
    log_in(moderator, email=case["moderator"])
    moderator.goto("/mod")
    moderator.get_by_role("link", name="Review flags").click()
    expect(moderator.get_by_role("heading", name="Open flags")).to_be_visible()
    item = moderator.get_by_test_id(f"flagged-answer-{case['answer_id']}")
    expect(item).to_contain_text("hidden")
    expect(item).to_contain_text(case["answer_text"])
    for _reason, note in reasons:
        expect(item).to_contain_text(note)
    screenshot(moderator, f"moderation-flag-queue-{decision.lower()}")
    why = "Checked: general information, not an advert" if decision == "Restore" else "Advertising with prices"
    item.get_by_label("Reason (required, logged)", exact=True).fill(why)
    item.get_by_role("button", name=decision, exact=True).click()
    expect(moderator.get_by_role("status").first).to_contain_text("Done, and logged.")
    expect(moderator.get_by_test_id(f"flagged-answer-{case['answer_id']}")).to_have_count(0)

    visitor.reload()
    if decision == "Restore":
        expect(visitor.get_by_test_id("answer")).to_contain_text(case["answer_text"])
    else:
        expect(visitor.get_by_test_id("answer")).to_have_count(0)

    moderator.goto("/mod/log")
    entry = moderator.get_by_test_id("log-entry").filter(has_text=why)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"answer.{decision.lower()}")
    expect(entry).to_contain_text(case["moderator_name"])
    expect(entry).to_contain_text(f"Answer #{case['answer_id']}")
    auto = moderator.get_by_test_id("log-entry").filter(has_text=re.compile(r"answer\.auto_hide"))
    expect(auto.filter(has_text=f"Answer #{case['answer_id']}")).to_have_count(1)
    screenshot(moderator, f"moderation-log-{decision.lower()}")
